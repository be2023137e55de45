from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kehu.reports.fields import (
    CHOICE,
    DATE,
    DATETIME,
    MONEY,
    RELATION,
    TEXT,
    ObjectSpec,
    created_field,
    model_field,
    owner_fields,
)
from kehu.sales.models import Opportunity

SPEC = ObjectSpec(
    key="opportunities", label=_("Opportunities"), model=Opportunity,
    custom_object_type="sales.opportunity",
    detail_url=lambda obj: reverse("sales:opportunity-detail", args=[obj.pk]),
    select_related=("owner", "customer", "stage"),
    fields=(
        model_field(Opportunity, "name", TEXT, groupable=False),
        model_field(Opportunity, "customer", RELATION),
        model_field(Opportunity, "pipeline", RELATION),
        model_field(Opportunity, "stage", RELATION),
        model_field(Opportunity, "status", CHOICE),
        model_field(Opportunity, "amount", MONEY, currency="currency"),
        model_field(Opportunity, "weighted_amount", MONEY, currency="currency"),
        model_field(Opportunity, "currency", CHOICE),
        model_field(Opportunity, "source", TEXT),
        model_field(Opportunity, "lost_reason", RELATION),
        *owner_fields(),
        created_field(),
        model_field(Opportunity, "expected_close_on", DATE),
        model_field(Opportunity, "closed_at", DATETIME),
    ),
)
