from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kehu.orders.models import Order
from kehu.reports.fields import (
    CHOICE,
    DATE,
    MONEY,
    RELATION,
    TEXT,
    ObjectSpec,
    created_field,
    model_field,
    owner_fields,
)

SPEC = ObjectSpec(
    key="orders", label=_("Orders"), model=Order, custom_object_type="orders.order",
    detail_url=lambda obj: reverse("orders:order-detail", args=[obj.pk]),
    select_related=("owner", "customer"),
    fields=(
        model_field(Order, "number", TEXT, groupable=False),
        model_field(Order, "title", TEXT, groupable=False),
        model_field(Order, "customer", RELATION),
        model_field(Order, "status", CHOICE),
        model_field(Order, "amount", MONEY, currency="currency"),
        model_field(Order, "collected_amount", MONEY, currency="currency"),
        model_field(Order, "invoiced_amount", MONEY, currency="currency"),
        model_field(Order, "currency", CHOICE),
        *owner_fields(),
        created_field(),
        model_field(Order, "signed_on", DATE),
        model_field(Order, "starts_on", DATE),
        model_field(Order, "ends_on", DATE),
    ),
)
