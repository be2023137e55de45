"""Helpers for the hostile-input tests. `build()` makes a "hostile world": one organization
with a row of every kind of business record, then every free-text column and every custom
field overwritten with script payloads, so a page that forgets to escape one of them shows it.
`routes()` and `fill()` walk the URL patterns and fill their parameters with its rows."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from kehu.catalog.models import PriceBook, ProductCategory
from kehu.core.accounts.models import Membership, User
from kehu.core.common.testing import actor_for, admin_of, web_client
from kehu.core.customfields import services as customfield_services
from kehu.core.notifications.services import notify
from kehu.core.tenancy.models import Organization
from kehu.customers.models import Segment, Tag
from kehu.demo import customers as demo_customers
from kehu.demo import people as demo_people
from kehu.demo import sales as demo_sales
from kehu.leads.models import LeadActivity, WebForm
from kehu.leads.tests.factories import LeadFactory
from kehu.orders import services as order_services
from kehu.quotes.tests.factories import line, quote_for
from kehu.tasks import services as task_services

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
TEMPLATE = "{{7*7}}"
FULL = f"{SCRIPT}{IMG}{TEMPLATE}"
SHORT = "<b onclick=alert(1)>"  # for columns too short for the others
# what must never reach a page unescaped
MARKERS = ("<script>alert(1)", "<img src=x onerror", "<b onclick=alert")
JS_URL = "javascript:alert(1)"

# columns whose value is an identifier Kehu itself derives or parses, not free text
NOT_FREE_TEXT = {"path", "key", "key_prefix", "key_hash", "object_type", "via", "kind", "token",
                 "color", "customer_level", "delimiter", "encoding", "period", "sort",
                 "name_key", "domain_key", "content_type", "match_custom_key", "url",
                 "website"}
CUSTOM_TYPES = ("customers.customer", "customers.contact", "tasks.task", "catalog.product",
                "sales.opportunity", "leads.lead", "quotes.quote", "orders.order")


def payload_for(max_length: int | None) -> str | None:
    for text in (FULL, IMG, SCRIPT, SHORT):
        if max_length is None or len(text) <= max_length:
            return text
    return None


def unescaped_markers(html: str) -> list[str]:
    return [marker for marker in MARKERS if marker in html]


def javascript_hrefs(html: str) -> list[str]:
    return re.findall(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:[^"'>\s]*""", html,
                      flags=re.IGNORECASE)


@dataclass
class World:
    organization: Organization
    admin: Membership

    def client(self) -> Client:
        return web_client(self.admin)


def build(slug: str = "hostile", *, poison: bool = True) -> World:
    people = demo_people.create_people(org_name="Hostile", slug=slug,
                                       admin_email=f"admin@{slug}.test")
    organization = people.organization
    demo_customers.create_customers(organization=organization, users=people.reps, count=6,
                                    seed=3)
    demo_sales.create_sales(organization=organization, since_customer_id=0, seed=3)
    admin = admin_of(organization)
    actor = actor_for(admin)
    for object_type in CUSTOM_TYPES:
        customfield_services.field_definition_create(
            actor=actor, object_type=object_type, key="hostile_text", label="Text", kind="text")
        customfield_services.field_definition_create(
            actor=actor, object_type=object_type, key="hostile_choice", label="Choice",
            kind="select", choices=["plain", FULL])
        customfield_services.field_definition_create(
            actor=actor, object_type=object_type, key="hostile_url", label="Link", kind="url")
    quote = quote_for(actor, lines=[line("实施服务", "2", "100.00")])
    order = order_services.order_create(actor=actor, values={
        "customer": quote.customer, "title": "合同", "starts_on": datetime.date(2026, 1, 1)},
        lines=[{"name": "服务", "quantity": Decimal("1"), "unit_price": Decimal("1000.00")}])
    order_services.instalment_create(actor=actor, order=order, values={
        "sequence": 1, "due_on": datetime.date(2026, 2, 1), "amount": Decimal("500.00")})
    order_services.payment_create(actor=actor, order=order, values={
        "amount": Decimal("100.00"), "received_on": datetime.date(2026, 1, 5)})
    order_services.invoice_create(actor=actor, order=order, values={
        "number": "INV-1", "amount": Decimal("100.00"), "issued_on": datetime.date(2026, 1, 5)})
    lead = LeadFactory(organization=organization, owner=admin.user)
    LeadActivity.objects.create(organization=organization, lead=lead, content="x",
                                author=admin.user)
    task_services.task_create(actor=actor, values={
        "title": "回访", "due_on": datetime.date(2026, 1, 20), "customer": quote.customer,
        "owner": admin.user})
    Tag.objects.create(organization=organization, name="tag")
    Segment.objects.create(organization=organization, name="seg", owner=admin.user,
                           is_shared=True, filters=[])
    ProductCategory.objects.create(organization=organization, name="cat")
    PriceBook.objects.create(organization=organization, name="book", customer_level="A")
    WebForm.objects.update_or_create(organization=organization, defaults={"enabled": True})
    notify(organization=organization, recipient=admin.user, kind="test", title="n", body="b",
           url="/")
    if poison:
        _poison(organization)
    return World(organization=organization, admin=admin)


def _poison(organization: Organization) -> None:
    for model in apps.get_models():
        if not any(f.name == "organization" for f in model._meta.fields):
            continue
        texts = {}
        for field in model._meta.fields:
            if (isinstance(field, models.CharField | models.TextField) and not field.choices
                    and field.name not in NOT_FREE_TEXT):
                # room for the row id, which keeps unique names unique
                text = payload_for(field.max_length and field.max_length - 8)
                if text is not None:
                    texts[field.name] = text
        fixed = {}
        if any(f.name == "custom_data" for f in model._meta.fields):
            fixed["custom_data"] = {"hostile_text": FULL, "hostile_choice": FULL,
                                   "hostile_url": JS_URL}
        if model._meta.label == "customers.Customer":
            fixed["website"] = JS_URL
        if model._meta.label == "notifications.Notification":
            fixed["url"] = JS_URL
        if not texts and not fixed:
            continue
        rows = model._base_manager.filter(organization=organization)
        for pk in rows.values_list("pk", flat=True):
            rows.filter(pk=pk).update(**fixed, **{name: f"{text}{pk}"
                                                  for name, text in texts.items()})
    Organization.objects.filter(pk=organization.pk).update(name=FULL)
    for user in User.objects.filter(memberships__organization=organization):
        User.objects.filter(pk=user.pk).update(name=f"{FULL}{user.pk}")


# --- walking the URL patterns ----------------------------------------------------------------

@dataclass
class Route:
    pattern: str
    name: str
    callback: object
    params: list[str]


def routes() -> list[Route]:
    """Every HTML route (the API is left out: it has its own tests)."""
    found: list[Route] = []

    def walk(resolver, prefix: str, namespace: str) -> None:
        for item in resolver.url_patterns:
            if isinstance(item, URLResolver):
                if str(item.pattern).startswith("api/"):
                    continue
                ns = namespace + (f"{item.namespace}:" if item.namespace else "")
                walk(item, prefix + str(item.pattern), ns)
            elif isinstance(item, URLPattern):
                text = prefix + str(item.pattern)
                found.append(Route(text, namespace + (item.name or ""), item.callback,
                                   re.findall(r"<(?:\w+:)?(\w+)>", text)))

    walk(get_resolver(), "/", "")
    return found


# which row fills a URL parameter
PARAM_MODELS = {
    "customer_id": "customers.Customer", "other_id": "customers.Customer",
    "contact_id": "customers.Contact", "follow_up_id": "customers.FollowUp",
    "segment_id": "customers.Segment", "tag_id": "customers.Tag",
    "lead_id": "leads.Lead", "rule_id": "leads.AssignmentRule",
    "opportunity_id": "sales.Opportunity", "pipeline_id": "sales.Pipeline",
    "stage_id": "sales.Stage", "reason_id": "sales.LostReason",
    "product_id": "catalog.Product", "category_id": "catalog.ProductCategory",
    "pricebook_id": "catalog.PriceBook", "quote_id": "quotes.Quote", "order_id": "orders.Order",
    "task_id": "tasks.Task", "target_id": "targets.Target", "job_id": "customers.ImportJob",
    "merge_id": "customers.MergeRecord", "instalment_id": "orders.Instalment",
    "payment_id": "orders.Payment", "invoice_id": "orders.Invoice",
    "attachment_id": "customers.Attachment",
}
PK_MODELS = {"member": "accounts.Membership", "team": "accounts.Team",
             "role": "permissions.Role", "field": "customfields.FieldDefinition",
             "token": "accounts.ApiToken", "notification": "notifications.Notification"}
NAMED_VALUES = {"name": "overview", "action": "submit", "slug": "marketing"}


def fill(route: Route, organization: Organization) -> str | None:
    """The route's path with ids of the organization's rows, or None when a parameter has no
    row to point at."""
    path = route.pattern
    for param in route.params:
        if param in NAMED_VALUES:
            value = NAMED_VALUES[param]
        elif param == "token":
            value = WebForm.objects.filter(organization=organization).values_list(
                "token", flat=True).first()
        elif param == "line_id":
            value = _first("quotes.QuoteLine" if route.name.startswith("quotes:")
                           else "sales.OpportunityLine", organization)
        elif param == "pk":
            label = next((m for word, m in PK_MODELS.items() if word in route.name), None)
            value = _first(label, organization) if label else None
        elif param == "other_id":
            value = _first(PARAM_MODELS[param], organization, last=True)
        elif param == "attachment_id" and route.name.startswith("orders:"):
            value = _first("orders.OrderAttachment", organization)
        elif param in PARAM_MODELS:
            value = _first(PARAM_MODELS[param], organization)
        else:
            value = None
        if value is None:
            return None
        path = re.sub(rf"<(?:\w+:)?{param}>", str(value), path, count=1)
    return path


def _first(label: str, organization: Organization, *, last: bool = False):
    rows = apps.get_model(label)._base_manager.filter(organization=organization)
    return rows.order_by("-pk" if last else "pk").values_list("pk", flat=True).first()
