"""The fast insert helpers: the values they write are the ones Django would write, and the
connection settings an import uses are given back when it ends."""

import datetime
import json

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection

from kehu.core.audit.models import ChangeRecord
from kehu.customers.imports import tables
from kehu.customers.models import Customer

pytestmark = pytest.mark.django_db


def test_json_cells_are_written_as_django_writes_them():
    writer = tables.RowWriter(ChangeRecord, ["changes"])
    (_index, convert), = writer.converters
    value = {"name": [None, "星河科技"], "when": [None, "2026-03-05"], "n": [1, 2.5],
             "empty": None, "quote": ['"', "\\"]}
    encoder = ChangeRecord._meta.get_field("changes").encoder
    assert convert(value) == json.dumps(value, cls=encoder, ensure_ascii=False)
    assert convert(None) == "null"
    custom = {"since": datetime.date(2026, 3, 5), "tier": "金牌"}
    field = Customer._meta.get_field("custom_data")
    assert tables.RowWriter(Customer, ["custom_data"]).converters[0][1](custom) == \
        json.dumps(custom, cls=field.encoder or DjangoJSONEncoder, ensure_ascii=False)


def _settings() -> dict[str, int]:
    with connection.cursor() as cursor:
        found = {}
        for name in tables.SQLITE_IMPORT_PRAGMAS:
            cursor.execute(f"PRAGMA {name}")
            found[name] = cursor.fetchone()[0]
        return found


def test_the_import_settings_of_a_connection_are_given_back():
    if connection.vendor != "sqlite":
        with tables.tuned_for_import():
            pass  # nothing to set on PostgreSQL
        return
    before = _settings()
    with tables.tuned_for_import():
        assert _settings() == tables.SQLITE_IMPORT_PRAGMAS
    assert _settings() == before
