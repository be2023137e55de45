"""The list's columns: which exist, the actor's choice (saved per user through
`savedviews.services`), the cells of a row, and the page where the actor picks and orders them."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from kehu.core.customfields import query as custom_query
from kehu.core.customfields.forms import format_value, user_ids_in
from kehu.core.customfields.models import FieldDefinition
from kehu.core.permissions.actor import Actor
from kehu.core.savedviews import services as savedviews
from kehu.customers.forms import CUSTOM_FILTER_PREFIX, SORTABLE_KINDS
from kehu.customers.models import Customer
from kehu.customers.views import _common
from kehu.web.decorators import member_required

CUSTOM = "custom."
MAX_DEFAULT_CUSTOM = 6
# key: (label, shown on phones)
MODEL_COLUMNS: dict[str, tuple[Any, bool]] = {
    "status": (gettext_lazy("Status"), True),
    "level": (gettext_lazy("Level"), False),
    "owner": (gettext_lazy("Owner"), True),
    "phone": (gettext_lazy("Phone"), True),
    "email": (gettext_lazy("Email"), False),
    "city": (gettext_lazy("City"), True),
    "industry": (gettext_lazy("Industry"), False),
    "source": (gettext_lazy("Source"), False),
    "tags": (gettext_lazy("Tags"), False),
    "next_follow_up_on": (gettext_lazy("Next follow-up"), False),
    "last_contacted_at": (gettext_lazy("Last contacted"), False),
    "created": (gettext_lazy("Created"), False),
}
DEFAULT_BEFORE_CUSTOM = ["status", "level", "owner", "phone", "city"]
DEFAULT_AFTER_CUSTOM = ["created"]
SORTS = {"created": "created"}  # model columns whose header sorts the list


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    definition: FieldDefinition | None = None
    phone: bool = False

    @property
    def numeric(self) -> bool:
        return self.definition is not None and self.definition.kind in custom_query.NUMERIC_KINDS

    @property
    def sort(self) -> str:
        """The sort key a click on the header asks for ("" when the column does not sort)."""
        if self.definition is not None:
            return (f"{CUSTOM_FILTER_PREFIX}{self.definition.key}"
                    if self.definition.kind in SORTABLE_KINDS else "")
        return SORTS.get(self.key, "")

    @property
    def css(self) -> str:
        return " ".join(c for c in ("" if self.phone else "hide-sm", "num" if self.numeric else "",
                                    "nowrap" if self.key != "tags" else "") if c)


def available(definitions: list[FieldDefinition]) -> list[Column]:
    columns = [Column(key, str(label), phone=phone)
               for key, (label, phone) in MODEL_COLUMNS.items()]
    columns += [Column(f"{CUSTOM}{d.key}", d.label, definition=d) for d in definitions]
    return columns


def default_keys(definitions: list[FieldDefinition]) -> list[str]:
    custom = [f"{CUSTOM}{d.key}" for d in definitions
              if d.kind != FieldDefinition.Kind.LONG_TEXT][:MAX_DEFAULT_CUSTOM]
    return [*DEFAULT_BEFORE_CUSTOM, *custom, *DEFAULT_AFTER_CUSTOM]


def chosen(actor: Actor, definitions: list[FieldDefinition]) -> list[Column]:
    """The actor's columns, in their order (the default until they choose)."""
    by_key = {c.key: c for c in available(definitions)}
    keys = savedviews.columns_for(actor=actor, object_type=_common.OBJECT_TYPE,
                                  available=list(by_key), default=default_keys(definitions))
    return [by_key[k] for k in keys]


def _date(value: Any) -> str:
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return ""


def cells(actor: Actor, columns: list[Column],
          customers: list[Customer]) -> list[tuple[Customer, list[tuple[Column, str]]]]:
    """Each customer with its cells' text; the template draws status, owner, level and tags
    itself, so their text stays empty."""
    definitions = [c.definition for c in columns if c.definition is not None]
    names = _common.user_names(actor, user_ids_in(definitions, (c.custom_data for c in customers)))
    rows = []
    for customer in customers:
        row = []
        for column in columns:
            if column.definition is not None:
                text = format_value(column.definition,
                                    customer.custom_data.get(column.definition.key),
                                    user_names=names)
            elif column.key in ("phone", "email", "city", "industry", "source"):
                text = getattr(customer, column.key)
            elif column.key == "created":
                text = (timezone.localtime(customer.created_at).strftime("%Y-%m-%d")
                        if customer.created_at else "")
            elif column.key in ("next_follow_up_on", "last_contacted_at"):
                text = _date(getattr(customer, column.key))
            else:
                text = ""
            row.append((column, text))
        rows.append((customer, row))
    return rows


# --- the chooser page ----------------------------------------------------------------------

@member_required
@require_http_methods(["GET", "POST"])
def customer_columns_page(request: HttpRequest) -> HttpResponse:
    """Pick and order the list's columns: checkboxes in a list sorted by drag (SortableJS) or
    by the up/down buttons; the form posts the checked keys in their order."""
    actor = request.actor
    _common.require(actor, "view")
    definitions = _common.definitions(actor)
    columns = available(definitions)
    back = _common.safe_next(request, reverse("customers:customer-list"))
    if request.method == "POST":
        if request.POST.get("reset"):
            keys = default_keys(definitions)
        else:
            keys = request.POST.getlist("columns")
        savedviews.columns_save(actor=actor, object_type=_common.OBJECT_TYPE, columns=keys,
                                available=[c.key for c in columns])
        messages.success(request, _("Columns saved."))
        return _common.back_to(request, back)
    current = [c.key for c in chosen(actor, definitions)]
    order = {key: i for i, key in enumerate(current)}
    listed = sorted(columns, key=lambda c: (c.key not in order, order.get(c.key, 0)))
    return _common.render_page(request, "columns.html", {
        "columns": [(c, c.key in order) for c in listed], "back": back})
