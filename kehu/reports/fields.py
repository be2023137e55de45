"""What a report may filter, group and measure: one `Field` per reportable value of an object,
and one `ObjectSpec` per object (declared in `objects/`, one small module each).

A field's `kind` decides which operators, group-bys and measures it allows; nothing the user
sends is used in a query unless it names a declared field, so every query is built by the ORM
from these declarations.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import F
from django.db.models.expressions import Expression
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from kehu.core.customfields import query as cf_query
from kehu.core.customfields.models import FieldDefinition
from kehu.core.permissions import scoping
from kehu.core.permissions.actor import Actor

TEXT, CHOICE, NUMBER, MONEY, DATE, DATETIME, BOOL, USER, TEAM, RELATION, MULTI = (
    "text", "choice", "number", "money", "date", "datetime", "bool", "user", "team",
    "relation", "multi")

OPERATORS: dict[str, Promise] = {
    "eq": _("equals"), "ne": _("does not equal"), "in": _("is one of"),
    "contains": _("contains"), "gt": _("greater than"), "gte": _("at least"),
    "lt": _("less than"), "lte": _("at most"), "between": _("between"),
    "empty": _("is empty"), "not_empty": _("is not empty"),
}
_PRESENCE = ("empty", "not_empty")
OPERATORS_BY_KIND: dict[str, tuple[str, ...]] = {
    TEXT: ("eq", "ne", "in", "contains", *_PRESENCE),
    CHOICE: ("eq", "ne", "in", *_PRESENCE),
    NUMBER: ("eq", "ne", "gt", "gte", "lt", "lte", "between", *_PRESENCE),
    MONEY: ("eq", "ne", "gt", "gte", "lt", "lte", "between", *_PRESENCE),
    DATE: ("eq", "gt", "gte", "lt", "lte", "between", *_PRESENCE),
    DATETIME: ("eq", "gt", "gte", "lt", "lte", "between", *_PRESENCE),
    BOOL: ("eq",),
    USER: ("eq", "ne", "in", *_PRESENCE),
    TEAM: ("eq", "ne", "in", *_PRESENCE),
    RELATION: ("eq", "ne", "in", *_PRESENCE),
    MULTI: ("contains", *_PRESENCE),
}
GROUPABLE_KINDS = (TEXT, CHOICE, DATE, DATETIME, BOOL, USER, TEAM, RELATION)
MEASURABLE_KINDS = (NUMBER, MONEY)
DATE_KINDS = (DATE, DATETIME)
BUCKETS: dict[str, Promise] = {"day": _("Day"), "week": _("Week"), "month": _("Month"),
                               "quarter": _("Quarter"), "year": _("Year")}


@dataclass(frozen=True)
class Field:
    key: str                      # the name definitions use: "amount", "custom.region"
    label: Promise | str
    kind: str
    path: str = ""                # ORM lookup of a model value: "owner", "order__owner"
    choices: tuple[tuple[str, Any], ...] = ()
    related: type[models.Model] | None = None   # RELATION: the model labelling the ids
    currency: str = ""            # MONEY: ORM lookup of the row's currency
    groupable: bool = True
    custom: FieldDefinition | None = None

    @property
    def operators(self) -> tuple[str, ...]:
        return OPERATORS_BY_KIND[self.kind]

    @property
    def can_group(self) -> bool:
        return self.groupable and self.kind in GROUPABLE_KINDS

    @property
    def can_measure(self) -> bool:
        return self.kind in MEASURABLE_KINDS

    def expression(self) -> Expression:
        """The value in SQL: the column (through its joins) or the custom field's value."""
        if self.custom is None:
            return F(self.path)
        if self.kind == DATE:
            return models.functions.Cast(cf_query.CustomValue(self.custom.key),
                                         models.DateField())
        return cf_query.value_expression(self.custom)

    def currency_expression(self) -> Expression | None:
        if self.kind != MONEY:
            return None
        if self.custom is not None:
            return cf_query.CustomValue(self.custom.key, "currency")
        return F(self.currency) if self.currency else None

    def display(self, obj: models.Model) -> Any:
        """The field's value on one row, for the drill-down list."""
        if self.custom is not None:
            value = (obj.custom_data or {}).get(self.custom.key)
            if isinstance(value, dict) and "amount" in value:
                return f"{value['amount']} {value.get('currency', '')}".strip()
            if self.kind == CHOICE:
                return dict(self.choices).get(value, value)
            return value
        value: Any = obj
        for part in self.path.split("__"):
            value = getattr(value, part, None)
            if value is None:
                return None
        if self.kind == CHOICE:
            return dict(self.choices).get(value, value)
        if self.kind == MONEY and self.currency:
            return f"{value} {getattr(obj, self.currency, '')}".strip()
        return value


def model_field(model: type[models.Model], path: str, kind: str, *, key: str = "",
                label: Promise | str | None = None, groupable: bool = True,
                currency: str = "") -> Field:
    """A Field for a model column: label, choices and related model from the model itself."""
    target: Any = model
    django_field = None
    for part in path.split("__"):
        django_field = target._meta.get_field(part)
        target = django_field.related_model or target
    choices = tuple((value, text) for value, text in (django_field.choices or ()))
    related = django_field.related_model if kind == RELATION else None
    return Field(key=key or path.split("__")[-1],
                 label=label or capfirst(django_field.verbose_name), kind=kind, path=path,
                 choices=choices, related=related, currency=currency, groupable=groupable)


def owner_fields(prefix: str = "") -> tuple[Field, Field]:
    return (Field(key="owner", label=_("Owner"), kind=USER, path=f"{prefix}owner"),
            Field(key="team", label=_("Team"), kind=TEAM, path=f"{prefix}team"))


def created_field() -> Field:
    return Field(key="created_at", label=_("Created"), kind=DATETIME, path="created_at")


_CUSTOM_KINDS = {
    FieldDefinition.Kind.TEXT: TEXT, FieldDefinition.Kind.PHONE: TEXT,
    FieldDefinition.Kind.EMAIL: TEXT, FieldDefinition.Kind.URL: TEXT,
    FieldDefinition.Kind.SELECT: CHOICE, FieldDefinition.Kind.MULTISELECT: MULTI,
    FieldDefinition.Kind.INTEGER: NUMBER, FieldDefinition.Kind.DECIMAL: NUMBER,
    FieldDefinition.Kind.MONEY: MONEY, FieldDefinition.Kind.DATE: DATE,
    FieldDefinition.Kind.BOOLEAN: BOOL, FieldDefinition.Kind.USER: USER,
}


def custom_field(definition: FieldDefinition) -> Field | None:
    """The report field of a custom field, or None for kinds reports do not use (long text,
    date-times)."""
    kind = _CUSTOM_KINDS.get(definition.kind)
    if kind is None:
        return None
    options = tuple((str(o), str(o)) for o in (definition.choices or ()))
    return Field(key=f"custom.{definition.key}", label=definition.label, kind=kind,
                 choices=options, custom=definition)


@dataclass(frozen=True)
class ObjectSpec:
    key: str                      # "opportunities"
    label: Promise | str
    model: type[models.Model]
    fields: tuple[Field, ...]
    detail_url: Callable[[models.Model], str]
    custom_object_type: str = ""  # whose custom fields it offers: "sales.opportunity"
    select_related: tuple[str, ...] = ()
    default_columns: tuple[str, ...] = field(default=())

    @property
    def object_type(self) -> str:
        return scoping.object_type_of(self.model)

    def allowed(self, actor: Actor) -> bool:
        return actor.can("view", self.object_type)

    def queryset(self, actor: Actor) -> models.QuerySet:
        """Every report starts here: the rows the viewer may see."""
        return scoping.visible(actor, self.model._default_manager.all())
