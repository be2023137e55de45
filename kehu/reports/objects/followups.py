from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kehu.customers.models import FollowUp
from kehu.reports.fields import (
    CHOICE,
    DATE,
    DATETIME,
    RELATION,
    USER,
    ObjectSpec,
    created_field,
    model_field,
    owner_fields,
)

SPEC = ObjectSpec(
    key="follow_ups", label=_("Follow-ups"), model=FollowUp,
    detail_url=lambda obj: reverse("customers:customer-detail", args=[obj.customer_id]),
    select_related=("customer", "author"),
    fields=(
        model_field(FollowUp, "kind", CHOICE),
        model_field(FollowUp, "author", USER),
        model_field(FollowUp, "customer", RELATION),
        *owner_fields("customer__"),
        model_field(FollowUp, "happened_at", DATETIME),
        model_field(FollowUp, "next_follow_up_on", DATE),
        created_field(),
    ),
)
