"""One seeded organization with a record of every kind, shared by the fuzzing and the
permission-matrix tests.

Every built-in role has a member in team 华东 who owns a full bundle of records (customer with
contact, follow-up and attachment; lead with an activity; opportunity with a line; quote with a
line; order with instalment, payment, invoice and attachment; task; target). A second sales rep
in 华东 (the teammate), a sales rep in 华南 (another team) and a member of a second
organization own the same bundle. Records are made by the organization's admin and then handed to
their owner: this is scene setting, not the behaviour under test.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from kehu.catalog.tests.factories import (
    PriceBookEntryFactory,
    PriceBookFactory,
    ProductCategoryFactory,
    ProductFactory,
)
from kehu.core.accounts import services as account_services
from kehu.core.accounts.models import Membership
from kehu.core.common.testing import OrganizationFactory, admin_of, member, team
from kehu.core.customfields import services as field_services
from kehu.core.notifications import services as notification_services
from kehu.core.permissions.actor import Actor
from kehu.core.permissions.models import Role
from kehu.customers import services as customer_services
from kehu.customers.imports import services as import_services
from kehu.customers.models import ImportJob, Segment, Tag
from kehu.customers.tests.factories import ContactFactory, CustomerFactory
from kehu.leads.models import LeadActivity
from kehu.leads.tests.factories import LeadFactory, RuleFactory
from kehu.orders import services as order_services
from kehu.quotes import services as quote_services
from kehu.reports import definitions as report_definitions
from kehu.reports.models import SavedReport
from kehu.sales.models import LostReason, OpportunityLine
from kehu.sales.services import opportunities as opportunity_services
from kehu.sales.services.pipelines import pipeline_default
from kehu.targets.models import Target
from kehu.tasks import services as task_services

ROLES = ("admin", "sales_manager", "sales_rep", "service_agent", "marketing", "read_only")
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
       b"\x00\x00\x00\x00IEND\xaeB`\x82")


@dataclass
class Bundle:
    """A full set of records owned by one member: path parameter name -> row."""

    owner: Membership
    rows: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Any:
        return self.rows[name]

    def ids(self) -> dict[str, int]:
        return {name: row.pk for name, row in self.rows.items()}


@dataclass
class World:
    organization: Any
    members: dict[str, Membership]  # role key -> member of team 华东
    mate: Membership  # a sales rep in 华东
    stranger: Membership  # a sales rep in 华南
    foreigner: Membership  # a sales rep of another organization
    own: dict[str, Bundle]  # role key -> the bundle that member owns
    mate_bundle: Bundle
    other_team: Bundle
    other_org: Bundle
    shared: dict[str, Any]  # organization-wide rows: products, pipelines, tags, roles…
    foreign_shared: dict[str, Any]


def _png(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def _hand_over(rows: list[Any], owner: Membership) -> None:
    for row in rows:
        type(row).objects.filter(pk=row.pk).update(owner=owner.user, team=owner.team)
        row.refresh_from_db()


def bundle(owner: Membership, shared: dict[str, Any]) -> Bundle:
    org = owner.organization
    system = Actor.for_user(organization=org, user=admin_of(org).user)
    customer = CustomerFactory(organization=org, owner=owner.user, team=owner.team)
    contact = ContactFactory(customer=customer)
    follow_up = customer_services.follow_up_create(
        actor=system, customer=customer, values={"content": "电话沟通", "kind": "call"},
        files=[_png()])
    lead = LeadFactory(organization=org, owner=owner.user, team=owner.team)
    activity = LeadActivity.objects.create(organization=org, lead=lead, kind="call",
                                           content="电话", author=owner.user)
    opportunity = opportunity_services.opportunity_create(actor=system, values={
        "customer": customer, "name": "年度采购", "amount": Decimal("10000.00")})
    opportunity_line = OpportunityLine.objects.create(
        organization=org, opportunity=opportunity, name="实施服务", quantity=Decimal(1),
        unit_price=Decimal("100.00"), total=Decimal("100.00"), position=0)
    quote = quote_services.quote_create(actor=system, opportunity=opportunity)
    quote_line = quote_services.line_add(actor=system, quote=quote, values={
        "name": "实施服务", "quantity": Decimal(1), "unit_price": Decimal("100.00")})
    order = order_services.order_create(actor=system, values={
        "customer": customer, "title": "年度合同", "amount": Decimal("10000.00")})
    instalment = order_services.instalment_create(actor=system, order=order, values={
        "amount": Decimal("5000.00"), "due_on": datetime.date(2026, 6, 1)})
    payment = order_services.payment_create(actor=system, order=order, values={
        "amount": Decimal("1000.00"), "received_on": datetime.date(2026, 1, 10)})
    invoice = order_services.invoice_create(actor=system, order=order, values={
        "number": f"INV-{order.pk}", "amount": Decimal("1000.00"),
        "issued_on": datetime.date(2026, 1, 10)})
    [order_attachment] = order_services.attachments_add(actor=system, order=order,
                                                        files=[_png("contract.png")])
    task = task_services.task_create(actor=system, values={
        "title": "回访", "due_on": datetime.date(2026, 1, 20), "customer": customer})
    _hand_over([opportunity, quote, order, task], owner)
    merged = CustomerFactory(organization=org, owner=owner.user, team=owner.team)
    merge = customer_services.customer_merge(actor=system, survivor=customer, merged=merged)
    spare = CustomerFactory(organization=org, owner=owner.user, team=owner.team)
    deleted_customer = CustomerFactory(organization=org, owner=owner.user, team=owner.team)
    customer_services.customer_delete(actor=system, customer=deleted_customer)
    deleted_opportunity = opportunity_services.opportunity_create(actor=system, values={
        "customer": customer, "name": "已删除商机", "amount": Decimal("1.00")})
    _hand_over([deleted_opportunity], owner)
    opportunity_services.opportunity_delete(actor=system, opportunity=deleted_opportunity)
    token, _secret = account_services.api_token_create(
        actor=Actor.for_user(organization=org, user=owner.user), name="脚本")
    notification = notification_services.notify(organization=org, recipient=owner.user,
                                                kind="info", title="新线索")
    job = import_services.import_job_create(actor=system, file=SimpleUploadedFile(
        "客户.csv", "名称,电话\n华为,13800000000\n".encode(), content_type="text/csv"))
    job.report.save("rejected.csv", ContentFile("名称,原因\n,缺少名称\n".encode()))
    ImportJob.objects.filter(pk=job.pk).update(user=owner.user)
    target = Target.objects.create(organization=org, user=owner.user,
                                   period_start=datetime.date(2026, 1, 1),
                                   amount=Decimal("50000.00"), currency="CNY")
    saved_report = SavedReport.objects.create(
        organization=org, owner=owner.user, name="客户数量",
        definition=report_definitions.parse(actor=system, data={
            "object": "customers", "measures": [{"fn": "count"}], "chart": "table"}).to_dict())
    return Bundle(owner=owner, rows={
        "customer_id": customer, "contact_id": contact, "follow_up_id": follow_up,
        "attachment_id": follow_up.attachments.get(),
        "lead_id": lead, "activity_id": activity,
        "opportunity_id": opportunity, "line_id": opportunity_line,
        "quote_id": quote, "quote_line_id": quote_line,
        "order_id": order, "instalment_id": instalment, "payment_id": payment,
        "invoice_id": invoice, "order_attachment_id": order_attachment,
        "task_id": task, "target_id": target, "merge_id": merge, "spare_customer_id": spare,
        "job_id": job, "deleted_customer_id": deleted_customer,
        "deleted_opportunity_id": deleted_opportunity, "token_id": token,
        "notification_id": notification, "report_id": saved_report,
    })


def shared_rows(organization, admin: Membership) -> dict[str, Any]:
    """Organization-wide rows (not owned by anyone)."""
    actor = Actor.system(organization=organization)
    admin_actor = Actor.for_user(organization=organization, user=admin.user)
    pipeline = pipeline_default(organization=organization)
    category = ProductCategoryFactory(organization=organization)
    product = ProductFactory(organization=organization, category=category)
    pricebook = PriceBookFactory(organization=organization)
    PriceBookEntryFactory(price_book=pricebook, product=product, price=Decimal("90.00"))
    tag = Tag.objects.create(organization=organization, name="重点")
    segment = Segment.objects.create(organization=organization, name="深圳客户",
                                     owner=admin.user, is_shared=True,
                                     filters=[{"field": "city", "op": "eq", "value": "深圳"}])
    definition = field_services.field_definition_create(
        actor=admin_actor, object_type="customers.customer", key="industry", label="行业",
        kind="text")
    token, _secret = account_services.api_token_create(actor=admin_actor, name="world")
    notification = notification_services.notify(organization=organization,
                                                recipient=admin.user, kind="info",
                                                title="欢迎")
    rule = RuleFactory(organization=organization)
    return {
        "pipeline_id": pipeline, "stage_id": pipeline.stages.order_by("position").first(),
        "reason_id": LostReason.objects.filter(organization=organization).first(),
        "category_id": category, "product_id": product, "pricebook_id": pricebook,
        "tag_id": tag, "segment_id": segment, "definition_id": definition,
        "token_id": token, "notification_id": notification, "rule_id": rule,
        "role_id": Role.objects.filter(organization=organization, key="sales_rep").get(),
        "system": actor,
    }


def build() -> World:
    organization = OrganizationFactory()
    east, south = team(organization, "华东"), team(organization, "华南")
    members = {role: member(organization, role, team=east) for role in ROLES}
    mate = member(organization, "sales_rep", team=east)
    stranger = member(organization, "sales_rep", team=south)
    other = OrganizationFactory()
    foreigner = member(other, "sales_rep")
    shared = shared_rows(organization, admin_of(organization))
    shared.update(membership_id=stranger, team_id=team(organization, "空团队"))
    foreign_shared = shared_rows(other, admin_of(other))
    foreign_shared.update(membership_id=foreigner, team_id=team(other, "空团队"))
    world = World(
        organization=organization, members=members, mate=mate, stranger=stranger,
        foreigner=foreigner,
        own={role: bundle(m, shared) for role, m in members.items()},
        mate_bundle=bundle(mate, shared), other_team=bundle(stranger, shared),
        other_org=bundle(foreigner, foreign_shared), shared=shared,
        foreign_shared=foreign_shared)
    return world


def seeded(django_db_blocker):
    """For a module-scoped fixture: the world, built once inside a transaction that is rolled
    back at the end; each test (and each fuzzing example) runs in a savepoint of its own."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build()
        transaction.set_rollback(True)
