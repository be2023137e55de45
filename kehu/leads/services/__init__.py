"""Every write to leads, their follow-ups, the lead pool, the web form, the assignment rules
and conversion."""

from kehu.leads.services.assignment import (
    AssignmentResult,
    apply_owners,
    assignment_benchmark,
    leads_assign,
    rule_delete,
    rule_move,
    rule_save,
    rule_set_active,
    rules_reorder,
)
from kehu.leads.services.conversion import Conversion, lead_convert
from kehu.leads.services.leads import (
    activity_create,
    activity_delete,
    lead_claim,
    lead_create,
    lead_delete,
    lead_disqualify,
    lead_release,
    lead_update,
)
from kehu.leads.services.webforms import (
    webform_by_token,
    webform_for,
    webform_submit,
    webform_update,
)

__all__ = [
    "AssignmentResult", "Conversion", "activity_create", "activity_delete", "apply_owners",
    "assignment_benchmark", "lead_claim", "lead_convert", "lead_create", "lead_delete",
    "lead_disqualify", "lead_release", "lead_update", "leads_assign", "rule_delete",
    "rule_move", "rule_save", "rule_set_active", "rules_reorder", "webform_by_token",
    "webform_for", "webform_submit", "webform_update",
]
