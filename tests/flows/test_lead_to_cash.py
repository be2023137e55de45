"""The sales issue's "done when", end to end through the public form and the REST API:
a lead arrives through the web form, is assigned by a rule, converted, moved through the
pipeline to won, quoted with an approved discount, turned into an order with a two-instalment
payment plan and paid, and the rep's target progress shows the amounts."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kehu.core.common.testing import OrganizationFactory, admin_of, api_client, member, team
from kehu.core.notifications.models import Notification
from kehu.leads import spam
from kehu.leads.models import Lead
from kehu.leads.services import webforms
from kehu.leads.tests.factories import RuleFactory
from kehu.sales.models import Stage

pytestmark = pytest.mark.django_db


def _ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.content.decode()
    return response.json() if response.content else {}


def test_a_web_lead_becomes_a_won_deal_an_approved_quote_a_paid_order_and_target_progress():
    # given an organization with a rep and a manager in the east team, a rule that gives
    # every web lead to the rep, and the public form switched on
    org = OrganizationFactory()
    admin = admin_of(org)
    east = team(org, "华东区")
    rep = member(org, "sales_rep", team=east)
    manager = member(org, "sales_manager", team=east)
    RuleFactory(organization=org, members=[rep.user])
    form = webforms.webform_for(organization=org)
    form.enabled = True
    form.save()

    # 1. a visitor fills in the public form (no login)
    response = Client().post(reverse("leads:public-form", args=[form.token]), {
        "name": "周明", "company": "杭州明远机械有限公司", "mobile": "13912345678",
        "email": "zhou@mingyuan.example", "started": spam.started_token(form.token,
                                                                      at=time.time() - 20)})
    assert response.status_code == 200
    lead = Lead.objects.get(organization=org)
    # 2. the rule assigned it to the rep, who was told
    assert lead.owner_id == rep.user_id and lead.source == "web_form"
    assert Notification.objects.filter(recipient=rep.user).exists()

    # 3. the rep qualifies and converts it: customer + contact + opportunity in one step
    as_rep = api_client(rep)
    current = _ok(as_rep.get(f"/api/v1/leads/{lead.pk}"))
    _ok(as_rep.patch(f"/api/v1/leads/{lead.pk}", {"status": "qualified",
                                                   "version": current["version"]}))
    converted = _ok(as_rep.post(f"/api/v1/leads/{lead.pk}/convert", {
        "opportunity_name": "二期产线改造", "amount": "120000.00"}))
    assert converted["customer_created"] and converted["contact_id"]
    opportunity_id = converted["opportunity_id"]

    # 4. the rep drags it through every open stage to won
    deal = _ok(as_rep.get(f"/api/v1/sales/opportunities/{opportunity_id}"))
    stages = Stage.objects.filter(pipeline_id=deal["pipeline_id"]).order_by("position")
    open_stages = [s for s in stages if s.kind == "open"]
    won = next(s for s in stages if s.kind == "won")
    for stage in [*open_stages[1:], won]:
        moved = _ok(as_rep.post(f"/api/v1/sales/opportunities/{opportunity_id}/move",
                                {"stage_id": stage.pk, "version": deal["version"]}))
        deal = _ok(as_rep.get(f"/api/v1/sales/opportunities/{opportunity_id}"))
        assert moved and deal["stage_id"] == stage.pk
    assert deal["status"] == "won"
    history = _ok(as_rep.get(f"/api/v1/sales/opportunities/{opportunity_id}/stage-history"))
    assert len(history) == len(open_stages) + 1

    # 5. a quote with a 20 % discount needs the approver (an admin by default)
    quote = _ok(as_rep.post("/api/v1/quotes", {"opportunity_id": opportunity_id,
                                               "title": "二期产线改造报价",
                                               "copy_lines": False}), 201)
    _ok(as_rep.post(f"/api/v1/quotes/{quote['id']}/lines", {
        "name": "产线改造实施", "quantity": "1", "unit_price": "125000.00",
        "discount_percent": "20", "tax_rate": "13"}), 201)
    submitted = _ok(as_rep.post(f"/api/v1/quotes/{quote['id']}/submit", {}))
    assert submitted["status"] == "pending"
    # the rep cannot approve their own discount
    assert as_rep.post(f"/api/v1/quotes/{quote['id']}/approve", {}).status_code == 403
    approved = _ok(api_client(admin).post(f"/api/v1/quotes/{quote['id']}/approve",
                                          {"comment": "同意，老客户"}))
    assert approved["status"] == "approved"
    # 125,000 − 20 % = 100,000 net; 13 % tax = 13,000; total 113,000.00
    assert Decimal(approved["total"]) == Decimal("113000.00")
    _ok(as_rep.post(f"/api/v1/quotes/{quote['id']}/send", {}))
    assert _ok(as_rep.post(f"/api/v1/quotes/{quote['id']}/accept", {}))["status"] == "accepted"

    # 6. the accepted quote becomes an order with a two-instalment payment plan, paid in full
    order = _ok(as_rep.post("/api/v1/orders", {"quote_id": quote["id"]}), 201)
    assert Decimal(order["amount"]) == Decimal("113000.00")
    assert order["status"] == "draft"
    today = timezone.localdate()
    signed = _ok(as_rep.patch(f"/api/v1/orders/{order['id']}", {
        "status": "signed", "signed_on": str(today), "version": order["version"]}))
    assert signed["status"] == "signed"
    plan = _ok(as_rep.post(f"/api/v1/orders/{order['id']}/instalments/split",
                           {"count": 2, "first_due_on": str(today)}), 201)
    instalments = plan if isinstance(plan, list) else plan["instalments"]
    assert [Decimal(i["amount"]) for i in instalments] == [Decimal("56500.00")] * 2
    for instalment in instalments:
        _ok(as_rep.post(f"/api/v1/orders/{order['id']}/payments", {
            "amount": instalment["amount"], "instalment_id": instalment["id"],
            "received_on": str(today)}), 201)
    paid = _ok(as_rep.get(f"/api/v1/orders/{order['id']}"))
    assert Decimal(paid["collected_amount"]) == Decimal("113000.00")
    assert Decimal(paid["outstanding_amount"]) == Decimal("0.00")

    # 7. the manager sets the rep's monthly targets; the rep sees the progress
    as_manager = api_client(manager)
    month = str(today.replace(day=1))
    for metric, amount in (("won_amount", "200000.00"), ("collected", "100000.00")):
        _ok(as_manager.post("/api/v1/targets", {
            "user_id": rep.user_id, "period_kind": "month", "period_start": month,
            "metric": metric, "amount": amount}), 201)
    progress = _ok(as_rep.get("/api/v1/targets/progress", period="month", date=month))
    actual = {row["metric"]: Decimal(row["actual"]) for row in progress["items"]
              if row["user_id"] == rep.user_id}
    assert actual == {"won_amount": Decimal("120000.00"), "collected": Decimal("113000.00")}
