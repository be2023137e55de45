from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kehu.customers.models import Contact
from kehu.reports.fields import (
    BOOL,
    CHOICE,
    RELATION,
    TEXT,
    ObjectSpec,
    created_field,
    model_field,
    owner_fields,
)

SPEC = ObjectSpec(
    key="contacts", label=_("Contacts"), model=Contact,
    custom_object_type="customers.contact",
    detail_url=lambda obj: reverse("customers:customer-detail", args=[obj.customer_id]),
    select_related=("customer", "customer__owner"),
    fields=(
        model_field(Contact, "name", TEXT, groupable=False),
        model_field(Contact, "title", TEXT),
        model_field(Contact, "role", CHOICE),
        model_field(Contact, "is_primary", BOOL),
        model_field(Contact, "customer", RELATION),
        *owner_fields("customer__"),  # a contact is seen through its customer
        created_field(),
    ),
)
