"""The built-in roles every new organization starts with. Their grants are computed from the
object-type registry, so a module added later is covered without touching stored roles."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from kehu.core.permissions import registry as r

ORG, SUBTREE, TEAM, OWN = "org", "subtree", "team", "own"

ADMIN, SALES_MANAGER, SALES_REP, SERVICE_AGENT, MARKETING, READ_ONLY = (
    "admin", "sales_manager", "sales_rep", "service_agent", "marketing", "read_only")

# key -> (label, data scope, is_admin, {module: actions}, actions on every other module)
TEMPLATES = {
    ADMIN: (_("Organization admin"), ORG, True, {}, r.ALL_ACTIONS),
    SALES_MANAGER: (_("Sales manager"), SUBTREE, False,
                    {"customers": r.ALL_ACTIONS, "sales": r.ALL_ACTIONS, "catalog": r.ALL_ACTIONS,
                     "targets": r.ALL_ACTIONS}, [r.VIEW]),
    SALES_REP: (_("Sales rep"), OWN, False,
                {"customers": [r.VIEW, r.CREATE, r.EDIT, r.IMPORT],
                 "sales": [r.VIEW, r.CREATE, r.EDIT], "catalog": [r.VIEW],
                 "targets": [r.VIEW]}, []),
    SERVICE_AGENT: (_("Service agent"), ORG, False,
                    {"service": [r.VIEW, r.CREATE, r.EDIT, r.ASSIGN],
                     "customers": [r.VIEW, r.EDIT], "catalog": [r.VIEW]}, []),
    MARKETING: (_("Marketing"), ORG, False,
                {"marketing": r.ALL_ACTIONS, "customers": [r.VIEW, r.EXPORT]}, [r.VIEW]),
    READ_ONLY: (_("Read-only"), ORG, False, {}, [r.VIEW]),
}


def grants_for(key: str) -> dict[str, list[str]]:
    _label, _scope, _admin, per_module, default = TEMPLATES[key]
    return {ot.key: list(per_module.get(ot.module, default)) for ot in r.object_types()}
