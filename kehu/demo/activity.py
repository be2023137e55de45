"""Contacts (2 per customer) and follow-ups (5 per customer) for customers already written,
generated in bulk like the customers themselves and deterministic for a seed."""

from __future__ import annotations

import itertools
import random
from array import array
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.utils import timezone

from kehu.customers.models import Contact, Customer, FollowUp
from kehu.demo import bulk
from kehu.demo.pools import FREE_MAIL, MOBILE_PREFIXES, Pools

CONTACTS_PER_CUSTOMER = 2
FOLLOW_UPS_PER_CUSTOMER = 5

CONTACT_COLUMNS = ["organization_id", "customer_id", "name", "title", "role", "mobile", "phone",
                   "email", "wechat", "is_primary", "notes", "custom_data", "version",
                   "created_at", "updated_at"]
FOLLOW_UP_COLUMNS = ["organization_id", "customer_id", "contact_id", "author_id", "kind",
                     "content", "happened_at", "next_follow_up_on", "location", "custom_data",
                     "version", "created_at", "updated_at"]

TITLES = ("总经理", "副总经理", "采购经理", "采购专员", "技术总监", "工程师", "财务经理",
          "销售总监", "行政主管", "董事长", "运营经理", "项目经理")
ROLES = ("decision_maker", "influencer", "purchaser", "user", "other", "")
ROLE_WEIGHTS = (2, 3, 3, 2, 1, 3)
KINDS = ("call", "wechat", "visit", "meeting", "email", "note")
KIND_WEIGHTS = (40, 20, 15, 10, 10, 5)
TOPICS = ("新一年度的采购计划", "报价单的细节", "样品试用的反馈", "合同条款", "回款进度",
          "售后服务问题", "新产品介绍", "年度框架协议续签", "交货周期", "技术方案")
REACTIONS = ("客户表示有兴趣，约定下周再联系", "需要内部讨论后答复", "对价格有顾虑，希望申请折扣",
             "已确认需求，准备发送正式报价", "暂时没有预算，三个月后再跟进",
             "同意安排一次技术交流会", "对方负责人出差，改天再约", "客户比较满意，考虑增加订单")
OPENINGS = {"call": "电话沟通{topic}，{reaction}。", "wechat": "微信上聊了{topic}，{reaction}。",
            "visit": "上门拜访{contact}，介绍{topic}，{reaction}。",
            "meeting": "与{contact}开会讨论{topic}，{reaction}。",
            "email": "发邮件给{contact}说明{topic}，{reaction}。",
            "note": "备注：{topic}，{reaction}。"}


def _customers(organization_id: int, since_id: int) -> list[tuple[int, datetime, int | None, str]]:
    rows = (Customer.objects.filter(organization_id=organization_id, pk__gt=since_id)
            .order_by("pk").values_list("pk", "created_at", "owner_id", "domain_key"))
    return list(rows.iterator(chunk_size=20_000))


def contact_values(*, organization_id: int, customers: list[tuple], pools: Pools, seed: int,
                   now: datetime) -> Iterator[tuple]:
    rng = random.Random(seed * 7919 + 1)  # noqa: S311 - reproducible demo data
    choice, rand, randrange, choices = rng.choice, rng.random, rng.randrange, rng.choices
    role_cum = list(itertools.accumulate(ROLE_WEIGHTS))
    for customer_id, created_at, _owner, domain in customers:
        for n in range(CONTACTS_PER_CUSTOMER):
            user = choice(pools.user_names)
            at = created_at + timedelta(seconds=randrange(
                max(1, int((now - created_at).total_seconds()))))
            yield (organization_id, customer_id, choice(pools.zh_people), choice(TITLES),
                   choices(ROLES, cum_weights=role_cum)[0],
                   f"+86{choice(MOBILE_PREFIXES)}{randrange(100_000_000):08d}", "",
                   f"{user}{customer_id}@{domain or choice(FREE_MAIL)}" if rand() < 0.7 else "",
                   user if rand() < 0.4 else "", n == 0, "", "{}", 1, at, at)


def follow_up_values(*, organization_id: int, customers: list[tuple], contacts: array,
                     contact_customers: array, authors: list[int], seed: int,
                     now: datetime) -> Iterator[tuple]:
    rng = random.Random(seed * 7919 + 2)  # noqa: S311 - reproducible demo data
    choice, rand, randrange, choices = rng.choice, rng.random, rng.randrange, rng.choices
    kind_cum = list(itertools.accumulate(KIND_WEIGHTS))
    today = now.date()
    position = 0
    for customer_id, created_at, owner_id, _domain in customers:
        mine = []
        while position < len(contacts) and contact_customers[position] <= customer_id:
            if contact_customers[position] == customer_id:
                mine.append(contacts[position])
            position += 1
        span = max(1, int((now - created_at).total_seconds()))
        times = sorted(created_at + timedelta(seconds=randrange(span))
                       for _ in range(FOLLOW_UPS_PER_CUSTOMER))
        for at in times:
            kind = choices(KINDS, cum_weights=kind_cum)[0]
            contact_id = choice(mine) if mine and rand() < 0.8 else None
            content = OPENINGS[kind].format(topic=choice(TOPICS), reaction=choice(REACTIONS),
                                            contact="对方" if contact_id is None else "联系人")
            next_on = today + timedelta(days=randrange(1, 31)) if rand() < 0.2 else None
            author = owner_id if owner_id and rand() < 0.9 else (choice(authors)
                                                                 if authors else None)
            yield (organization_id, customer_id, contact_id, author, kind, content, at, next_on,
                   "", "{}", 1, at, at)


def create_activity(*, organization_id: int, since_customer_id: int, authors: list[int],
                    pools: Pools, seed: int, now: datetime | None = None) -> dict[str, int]:
    """Contacts and follow-ups for the organization's customers with id > since_customer_id."""
    now = now or timezone.now().astimezone(UTC)
    customers = _customers(organization_id, since_customer_id)
    if not customers:
        return {"contacts": 0, "follow_ups": 0}
    last_contact = Contact.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    contacts = bulk.insert_rows(Contact, CONTACT_COLUMNS, contact_values(
        organization_id=organization_id, customers=customers, pools=pools, seed=seed, now=now))
    ids, owners = array("q"), array("q")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, customer_id FROM {Contact._meta.db_table} "  # noqa: S608
                       "WHERE organization_id = %s AND id > %s ORDER BY customer_id, id",
                       [organization_id, last_contact])
        while chunk := cursor.fetchmany(50_000):
            for contact_id, customer_id in chunk:
                ids.append(contact_id)
                owners.append(customer_id)
    follow_ups = bulk.insert_rows(FollowUp, FOLLOW_UP_COLUMNS, follow_up_values(
        organization_id=organization_id, customers=customers, contacts=ids,
        contact_customers=owners, authors=authors, seed=seed, now=now))
    bulk.analyze(Contact)
    bulk.analyze(FollowUp)
    return {"contacts": contacts, "follow_ups": follow_ups}
