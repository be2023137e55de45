"""Expression indexes that keep filtering and sorting on a custom field fast at a million rows.

One index per (table, key), created when a field is defined. Its expression is exactly what
`KeyTextTransform(key, "custom_data")` compiles to on each database, so the planner uses it.
The key is a slug (validated by the model), so it is safe inside the DDL.
"""

from __future__ import annotations

import re

from django.apps import apps
from django.db import connection

from kehu.core import rls
from kehu.core.customfields.models import FieldDefinition

_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")


def index_name(table: str, key: str) -> str:
    return f"cf_{table}_{key}".replace("-", "_")[:63]


def ensure_index(definition: FieldDefinition) -> None:
    model = apps.get_model(definition.object_type)
    table = model._meta.db_table
    key = definition.key
    if not _SLUG.match(key):
        return
    name = index_name(table, key)
    if connection.vendor == "postgresql":
        expression = f"(custom_data ->> '{key}')"
    else:
        expression = f"json_extract(custom_data, '$.\"{key}\"')"
    # DDL needs the table's owner, not the role a request is walled to (kehu.core.rls)
    with rls.bypass(), connection.cursor() as cursor:
        cursor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" (organization_id, {expression})')


def ensure_all_indexes() -> None:
    """Every defined field's index, again: after a migrate on SQLite, whose table rebuilds
    keep only the indexes Django declares, not these."""
    definitions = FieldDefinition.objects.all()
    with rls.bypass():
        definitions = list(definitions.only("object_type", "key").distinct())
    for definition in definitions:
        try:
            ensure_index(definition)
        except LookupError:  # a field of a module that is no longer installed
            continue
