from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kehu.orders.models import Payment
from kehu.reports.fields import (
    CHOICE,
    DATE,
    MONEY,
    RELATION,
    USER,
    ObjectSpec,
    created_field,
    model_field,
    owner_fields,
)

SPEC = ObjectSpec(
    key="payments", label=_("Payments"), model=Payment,
    detail_url=lambda obj: reverse("orders:order-detail", args=[obj.order_id]),
    select_related=("order", "order__owner"),
    fields=(
        model_field(Payment, "order", RELATION),
        model_field(Payment, "order__customer", RELATION, key="customer"),
        model_field(Payment, "amount", MONEY, currency="currency"),
        model_field(Payment, "currency", CHOICE),
        model_field(Payment, "method", CHOICE),
        model_field(Payment, "recorded_by", USER),
        *owner_fields("order__"),  # a payment is seen through its order
        model_field(Payment, "received_on", DATE),
        created_field(),
    ),
)
