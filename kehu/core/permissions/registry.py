"""The object types that roles grant actions on. Domain apps register theirs in `ready()`.

The core never imports a domain app; domain apps call `register` so that roles, the role
editor and built-in role templates learn about new object types without a migration.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

VIEW, CREATE, EDIT, DELETE, IMPORT, EXPORT, ASSIGN = (
    "view", "create", "edit", "delete", "import", "export", "assign")
ACTIONS: list[tuple[str, Promise]] = [
    (VIEW, _("View")), (CREATE, _("Create")), (EDIT, _("Edit")), (DELETE, _("Delete")),
    (IMPORT, _("Import")), (EXPORT, _("Export")), (ASSIGN, _("Assign")),
]
ALL_ACTIONS = [key for key, _label in ACTIONS]


@dataclass(frozen=True)
class ObjectType:
    key: str  # the model's label_lower, e.g. "customers.customer"
    label: Promise | str
    module: str  # "customers", "sales", "marketing", "service"
    # False for rows that live inside another record (contacts inside customers): they take
    # their parent's permissions, but can still carry custom fields.
    grantable: bool = True


_registry: dict[str, ObjectType] = {}


def register(key: str, label: Promise | str, module: str, *, grantable: bool = True) -> None:
    _registry[key] = ObjectType(key=key, label=label, module=module, grantable=grantable)


def object_types() -> list[ObjectType]:
    """The object types roles grant actions on."""
    return [ot for ot in _registry.values() if ot.grantable]


def all_object_types() -> list[ObjectType]:
    """Every registered type, including those without grants of their own (custom fields)."""
    return list(_registry.values())


def get(key: str) -> ObjectType | None:
    return _registry.get(key)
