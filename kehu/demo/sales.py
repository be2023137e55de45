"""Sales data for the demo customers, in bulk and deterministic for a seed: a product
catalog, 0.5 opportunities per customer spread over the default pipeline's stages with their
stage history, and for won deals a signed order with a two-instalment payment plan and the
payments received so far."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.db import connection

from kehu.catalog.models import Product
from kehu.core.common import money
from kehu.core.tenancy.models import Organization
from kehu.customers.models import Customer
from kehu.demo import bulk
from kehu.orders.models import Instalment, Order, Payment
from kehu.sales.models import LostReason, Opportunity, Stage, StageChange
from kehu.sales.services.pipelines import pipeline_default

OPPORTUNITIES_PER_CUSTOMER = 0.5
PRODUCTS = [  # sku, name, unit, list price
    ("KH-CRM-STD", "客户管理系统 标准版（年）", "套", "19800.00"),
    ("KH-CRM-PRO", "客户管理系统 专业版（年）", "套", "39800.00"),
    ("KH-IMPL", "实施服务", "人天", "2500.00"),
    ("KH-TRAIN", "现场培训", "场", "6000.00"),
    ("SRV-MAINT", "年度维保服务", "年", "12000.00"),
    ("HW-SCAN", "条码扫描枪", "台", "680.00"),
    ("HW-PRN", "标签打印机", "台", "1980.00"),
    ("HW-PAD", "工业平板", "台", "4599.00"),
    ("CNS-PLAN", "数字化咨询方案", "项", "58000.00"),
    ("INT-ERP", "ERP 对接开发", "项", "36000.00"),
]
TOPICS = ("年度采购", "系统升级", "新产线配套", "门店扩张", "数字化改造", "框架协议续签",
          "试点项目", "二期扩容")
NEXT_STEPS = ("发送报价", "安排技术交流", "约见采购负责人", "确认预算", "准备合同", "")
COMPETITORS = ("", "", "竞品A", "竞品B", "本地代理商")

OPP_COLUMNS = ["organization_id", "owner_id", "team_id", "name", "customer_id", "pipeline_id",
               "stage_id", "status", "amount", "currency", "weighted_amount",
               "expected_close_on", "next_step", "competitors", "source", "description",
               "lost_reason_id", "lost_note", "closed_at", "stage_entered_at", "board_rank",
               "custom_data", "version", "created_at", "updated_at"]
CHANGE_COLUMNS = ["organization_id", "opportunity_id", "from_stage_id", "to_stage_id",
                  "changed_by_id", "changed_at", "seconds_in_previous", "amount", "created_at",
                  "updated_at"]
ORDER_COLUMNS = ["organization_id", "owner_id", "team_id", "number", "title", "customer_id",
                 "opportunity_id", "status", "signed_on", "starts_on", "ends_on", "currency",
                 "amount", "collected_amount", "invoiced_amount", "notes", "custom_data",
                 "version", "created_at", "updated_at"]
INSTALMENT_COLUMNS = ["organization_id", "order_id", "sequence", "due_on", "amount",
                      "collected_amount", "notes", "created_at", "updated_at"]
PAYMENT_COLUMNS = ["organization_id", "order_id", "instalment_id", "amount", "currency",
                   "received_on", "method", "reference", "notes", "recorded_by_id",
                   "created_at", "updated_at"]


def create_products(*, organization: Organization) -> None:
    if Product.objects.filter(organization=organization).exists():
        return
    Product.objects.bulk_create(
        Product(organization=organization, sku=sku, name=name, unit=unit,
                list_price=Decimal(price), currency="CNY", tax_rate=Decimal(13))
        for sku, name, unit, price in PRODUCTS)


def _amount(rng: random.Random) -> Decimal:
    # log-uniform between ¥5,000 and ¥800,000, rounded to hundreds as sales people quote
    return Decimal(int(5000 * (160 ** rng.random())) // 100 * 100).quantize(Decimal("0.01"))


def opportunity_values(*, organization_id: int, customers: list[tuple], stages: list[Stage],
                       lost_reason_ids: list[int], seed: int, now: datetime,
                       rate: float = OPPORTUNITIES_PER_CUSTOMER) -> Iterator[tuple]:
    """One tuple per opportunity, for a share `rate` of the customers, which are tuples of
    (id, owner_id, team_id, created_at)."""
    rng = random.Random(seed * 104729 + 7)  # noqa: S311 - reproducible demo data
    open_stages = [s for s in stages if s.kind == Stage.Kind.OPEN]
    won = next(s for s in stages if s.kind == Stage.Kind.WON)
    lost = next(s for s in stages if s.kind == Stage.Kind.LOST)
    # more deals in early stages; about a quarter won and a fifth lost
    choices = [*open_stages, won, lost]
    weights = [*[30, 20, 14, 8][:len(open_stages)], 18, 14]
    weights += [5] * (len(choices) - len(weights))
    cumulative = list(itertools.accumulate(weights))
    for customer_id, owner_id, team_id, created_at in customers:
        if rng.random() >= rate:
            continue
        stage = rng.choices(choices, cum_weights=cumulative)[0]
        amount = _amount(rng)
        start = min(max(created_at, now - timedelta(days=720)), now)
        created = start + timedelta(seconds=rng.randrange(max(1, int((now - start)
                                                                       .total_seconds()))))
        entered = created + (now - created) * rng.random()
        closed = entered if stage.kind != Stage.Kind.OPEN else None
        status = stage.kind
        expected = (created + timedelta(days=rng.randrange(20, 150))).date()
        yield (organization_id, owner_id, team_id, f"{rng.choice(TOPICS)}项目",
               customer_id, stage.pipeline_id, stage.pk, status, amount, "CNY",
               money.quantize(amount * stage.probability / money.HUNDRED),
               expected, rng.choice(NEXT_STEPS) if status == "open" else "",
               rng.choice(COMPETITORS), "", "",
               rng.choice(lost_reason_ids) if stage == lost and lost_reason_ids else None,
               "", closed, entered, rng.random(), "{}", 1, created, entered)


def _history(opportunities: list[tuple], stages: list[Stage], seed: int) -> Iterator[tuple]:
    """Stage changes leading each deal to its current stage through the open stages before."""
    rng = random.Random(seed * 31 + 3)  # noqa: S311
    open_stages = [s for s in stages if s.kind == Stage.Kind.OPEN]
    by_id = {s.pk: s for s in stages}
    for opp_id, organization_id, stage_id, owner_id, created, entered, amount in opportunities:
        stage = by_id[stage_id]
        path = (open_stages[:open_stages.index(stage) + 1] if stage in open_stages
                else [*open_stages[:rng.randrange(1, len(open_stages) + 1)], stage])
        span = (entered - created) / max(1, len(path) - 1)
        previous, at = None, created
        for n, step in enumerate(path):
            at = entered if n == len(path) - 1 else created + span * n
            seconds = int((at - created - span * (n - 1)).total_seconds()) if n else 0
            yield (organization_id, opp_id, previous, step.pk, owner_id, at, max(0, seconds),
                   amount, at, at)
            previous = step.pk


def create_sales(*, organization: Organization, since_customer_id: int, seed: int,
                 now: datetime | None = None) -> int:
    """Opportunities (with history, orders, instalments and payments) for the organization's
    customers with id > since_customer_id. Returns the number of opportunities."""
    now = now or datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    create_products(organization=organization)
    pipeline = pipeline_default(organization=organization)
    stages = list(pipeline.stages.filter(is_active=True).order_by("position", "id"))
    lost_reason_ids = list(LostReason.objects.filter(organization=organization)
                           .values_list("pk", flat=True))
    new_customers = Customer.objects.filter(organization=organization, pk__gt=since_customer_id)
    customers = list(new_customers.filter(owner__isnull=False)
                     .order_by("pk").values_list("pk", "owner_id", "team_id", "created_at")
                     .iterator(chunk_size=20_000))
    # deals belong to owned customers, as many as 0.5 per customer overall
    rate = min(1.0, OPPORTUNITIES_PER_CUSTOMER * new_customers.count() / max(1, len(customers)))
    since_opp = Opportunity.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    written = bulk.insert_rows(Opportunity, OPP_COLUMNS, opportunity_values(
        organization_id=organization.pk, customers=customers, stages=stages,
        lost_reason_ids=lost_reason_ids, seed=seed, now=now, rate=rate))
    bulk.analyze(Opportunity)
    opportunities = list(Opportunity.objects.filter(organization=organization, pk__gt=since_opp)
                         .order_by("pk").values_list("pk", "organization_id", "stage_id",
                                                     "owner_id", "created_at",
                                                     "stage_entered_at", "amount")
                         .iterator(chunk_size=20_000))
    bulk.insert_rows(StageChange, CHANGE_COLUMNS, _history(opportunities, stages, seed))
    bulk.analyze(StageChange)
    _create_orders(organization=organization, since_opp=since_opp, seed=seed, now=now)
    _mark_customers_won(organization=organization, since_opp=since_opp)
    return written


def _create_orders(*, organization: Organization, since_opp: int, seed: int,
                   now: datetime) -> None:
    rng = random.Random(seed * 13 + 5)  # noqa: S311
    won = list(Opportunity.objects.filter(organization=organization, pk__gt=since_opp,
                                          status=Opportunity.Status.WON)
               .order_by("pk").values_list("pk", "owner_id", "team_id", "customer_id",
                                           "amount", "closed_at", "name")
               .iterator(chunk_size=20_000))
    since_order = Order.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    first_number = Order.objects.filter(organization=organization).count() + 1

    def orders() -> Iterator[tuple]:
        for n, (opp_id, owner_id, team_id, customer_id, amount, closed, name) in enumerate(won):
            signed = closed.date()
            yield (organization.pk, owner_id, team_id,
                   f"SO-{signed.year}-D{first_number + n:06d}", name, customer_id, opp_id,
                   Order.Status.SIGNED, signed, signed, signed + timedelta(days=365), "CNY",
                   amount, money.ZERO, money.ZERO, "", "{}", 1, closed, closed)

    bulk.insert_rows(Order, ORDER_COLUMNS, orders())
    rows = list(Order.objects.filter(organization=organization, pk__gt=since_order)
                .order_by("pk").values_list("pk", "amount", "signed_on", "owner_id")
                .iterator(chunk_size=20_000))
    instalments, paid = [], []
    today = now.date()
    for order_id, amount, signed, owner_id in rows:
        first = money.quantize(amount * Decimal("0.6"))
        for sequence, (part, due) in enumerate(((first, signed + timedelta(days=15)),
                                                (amount - first, signed + timedelta(days=90))),
                                               start=1):
            collected = part if due <= today and rng.random() < 0.85 else money.ZERO
            instalments.append((organization.pk, order_id, sequence, due, part, collected, "",
                                now, now))
            if collected:
                paid.append((order_id, sequence, collected, min(due, today), owner_id))
    since_instalment = Instalment.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    bulk.insert_rows(Instalment, INSTALMENT_COLUMNS, instalments)
    instalment_ids = {(o, s): pk for pk, o, s in Instalment.objects.filter(
        organization=organization, pk__gt=since_instalment).values_list("pk", "order_id",
                                                                       "sequence")}
    bulk.insert_rows(Payment, PAYMENT_COLUMNS, (
        (organization.pk, order_id, instalment_ids[(order_id, sequence)], amount, "CNY",
         received, "bank", "", "", owner_id, now, now)
        for order_id, sequence, amount, received, owner_id in paid))
    _sum_collected(organization=organization, since_order=since_order)
    for model in (Order, Instalment, Payment):
        bulk.analyze(model)


def _sum_collected(*, organization: Organization, since_order: int) -> None:
    order_table = connection.ops.quote_name(Order._meta.db_table)
    instalment_table = connection.ops.quote_name(Instalment._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {order_table} SET collected_amount = (SELECT COALESCE(SUM(i.collected_amount), 0) "  # noqa: S608, E501
            f"FROM {instalment_table} i WHERE i.order_id = {order_table}.id) "
            f"WHERE organization_id = %s AND id > %s", [organization.pk, since_order])


def _mark_customers_won(*, organization: Organization, since_opp: int) -> None:
    won = (Opportunity.objects.filter(organization=organization, pk__gt=since_opp,
                                      status=Opportunity.Status.WON)
           .values_list("customer_id", "closed_at").order_by("customer_id", "closed_at"))
    last: dict[int, datetime] = {}
    for customer_id, closed in won.iterator(chunk_size=20_000):
        last[customer_id] = closed
    by_day: dict[datetime, list[int]] = {}
    for customer_id, closed in last.items():
        by_day.setdefault(closed.replace(hour=0, minute=0, second=0, microsecond=0),
                          []).append(customer_id)
    for day, ids in by_day.items():
        for start in range(0, len(ids), 500):
            Customer.objects.filter(pk__in=ids[start:start + 500]).update(last_won_at=day)
