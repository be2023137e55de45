from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kehu.leads.models import Lead
from kehu.reports.fields import (
    CHOICE,
    DATETIME,
    TEXT,
    ObjectSpec,
    created_field,
    model_field,
    owner_fields,
)

SPEC = ObjectSpec(
    key="leads", label=_("Leads"), model=Lead, custom_object_type="leads.lead",
    detail_url=lambda obj: reverse("leads:lead-detail", args=[obj.pk]),
    select_related=("owner",),
    fields=(
        model_field(Lead, "name", TEXT, groupable=False),
        model_field(Lead, "company", TEXT),
        model_field(Lead, "source", CHOICE),
        model_field(Lead, "status", CHOICE),
        model_field(Lead, "industry", TEXT),
        model_field(Lead, "province", TEXT),
        model_field(Lead, "city", TEXT),
        *owner_fields(),
        created_field(),
        model_field(Lead, "assigned_at", DATETIME),
        model_field(Lead, "converted_at", DATETIME),
    ),
)
