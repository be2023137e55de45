"""Definitions are validated strictly; every error names the part and the field."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from kehu.core.common.testing import OrganizationFactory, actor_for, admin_of, member
from kehu.reports.definitions import parse

pytestmark = pytest.mark.django_db


@pytest.fixture
def actor():
    return actor_for(admin_of(OrganizationFactory()))


def _errors(actor, data) -> dict[str, list[str]]:
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        parse(actor=actor, data=data)
    return exc.value.message_dict


def _opps(**extra):
    return {"object": "opportunities", "measures": [{"fn": "count"}], **extra}


def test_a_valid_definition_round_trips(actor):
    data = _opps(filters=[{"field": "amount", "op": "between", "value": ["10", "20.5"]},
                          {"field": "status", "op": "in", "value": ["open", "won"]}],
                 group_by=[{"field": "owner"}, {"field": "created_at", "bucket": "quarter"}],
                 measures=[{"fn": "count"}, {"fn": "avg", "field": "amount"}], chart="line")
    assert parse(actor=actor, data=data).to_dict() == data


def test_unknown_object_field_operator_and_measure(actor):
    assert "object" in _errors(actor, {"object": "auth_user", "measures": [{"fn": "count"}]})
    errors = _errors(actor, _opps(
        filters=[{"field": "password", "op": "eq", "value": "x"},
                 {"field": "amount", "op": "contains", "value": "1"},
                 {"field": "status", "op": "eq", "value": "maybe"}],
        group_by=[{"field": "amount"}, {"field": "name"}],
        measures=[{"fn": "sum", "field": "status"}, {"fn": "median", "field": "amount"}]))
    assert "“password”" in errors["filters.0.field"][0]
    assert "Amount" in errors["filters.1.op"][0]
    assert "maybe" in errors["filters.2.value"][0]
    assert "Amount" in errors["group_by.0.field"][0]
    assert "Name" in errors["group_by.1.field"][0]
    assert "Status" in errors["measures.0.field"][0]
    assert "median" in errors["measures.1.fn"][0]


def test_values_buckets_and_chart_rules(actor):
    errors = _errors(actor, _opps(
        filters=[{"field": "created_at", "op": "gte", "value": "2026-13-01"},
                 {"field": "amount", "op": "between", "value": ["9", "1"]},
                 {"field": "owner", "op": "in", "value": []}],
        group_by=[{"field": "created_at", "bucket": "fortnight"}]))
    assert set(errors) == {"filters.0.value", "filters.1.value", "filters.2.value",
                           "group_by.0.bucket"}
    assert "chart" in _errors(actor, _opps(chart="pie"))
    assert "chart" in _errors(actor, _opps(chart="bar"))
    assert "measures" in _errors(actor, {"object": "orders", "measures": []})
    assert "group_by" in _errors(actor, _opps(group_by=[{"field": "owner"}, {"field": "team"},
                                                        {"field": "stage"}]))


def test_objects_the_role_cannot_view_are_refused():
    org = OrganizationFactory()
    agent = actor_for(member(org, "service_agent"))  # no grants on leads
    assert "object" in _errors(agent, {"object": "leads", "measures": [{"fn": "count"}]})
