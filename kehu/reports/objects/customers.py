from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kehu.customers.models import Customer
from kehu.reports.fields import (
    CHOICE,
    DATE,
    DATETIME,
    TEXT,
    ObjectSpec,
    created_field,
    model_field,
    owner_fields,
)

SPEC = ObjectSpec(
    key="customers", label=_("Customers"), model=Customer,
    custom_object_type="customers.customer",
    detail_url=lambda obj: reverse("customers:customer-detail", args=[obj.pk]),
    select_related=("owner",),
    fields=(
        model_field(Customer, "name", TEXT, groupable=False),
        model_field(Customer, "kind", CHOICE),
        model_field(Customer, "status", CHOICE),
        model_field(Customer, "level", CHOICE),
        model_field(Customer, "industry", TEXT),
        model_field(Customer, "source", TEXT),
        model_field(Customer, "province", TEXT),
        model_field(Customer, "city", TEXT),
        *owner_fields(),
        created_field(),
        model_field(Customer, "last_contacted_at", DATETIME),
        model_field(Customer, "next_follow_up_on", DATE),
    ),
)
