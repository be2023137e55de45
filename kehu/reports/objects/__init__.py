"""The objects reports can be built on, one declarative module each."""

from __future__ import annotations

from kehu.core.customfields.services import active_definitions
from kehu.core.permissions.actor import Actor
from kehu.reports.fields import Field, ObjectSpec, custom_field
from kehu.reports.objects import (
    contacts,
    customers,
    followups,
    leads,
    opportunities,
    orders,
    payments,
)

OBJECTS: dict[str, ObjectSpec] = {spec.key: spec for spec in (
    customers.SPEC, contacts.SPEC, followups.SPEC, leads.SPEC, opportunities.SPEC,
    orders.SPEC, payments.SPEC)}


def get(key: str) -> ObjectSpec | None:
    return OBJECTS.get(key)


def available(actor: Actor) -> list[ObjectSpec]:
    """The objects the actor may report on."""
    return [spec for spec in OBJECTS.values() if spec.allowed(actor)]


def fields_of(actor: Actor, spec: ObjectSpec) -> dict[str, Field]:
    """The object's declared fields plus the organization's active custom fields."""
    def load() -> dict[str, Field]:
        fields = {f.key: f for f in spec.fields}
        if spec.custom_object_type:
            for definition in active_definitions(organization=actor.organization,
                                                 object_type=spec.custom_object_type):
                custom = custom_field(definition)
                if custom is not None:
                    fields[custom.key] = custom
        return fields

    return actor.remember(f"reports:fields:{spec.key}", load)
