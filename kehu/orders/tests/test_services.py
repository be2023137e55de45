import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone

from kehu.core.audit.models import ChangeRecord
from kehu.core.common.errors import DomainError
from kehu.core.common.testing import OrganizationFactory, actor_for, admin_of, member
from kehu.core.notifications.models import Notification
from kehu.core.permissions.actor import Actor
from kehu.customers import relations
from kehu.customers.tests.factories import CustomerFactory
from kehu.orders import selectors, services
from kehu.orders.models import Instalment, Order, Payment
from kehu.orders.tests.factories import order_for, won_opportunity
from kehu.quotes.models import Quote, QuoteLine

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def org():
    return OrganizationFactory()


@pytest.fixture
def rep(org):
    return member(org, "sales_rep")


def test_an_order_from_a_won_opportunity_tracks_its_plan_payments_and_overdue_reminders(
        org, rep, mailoutbox, django_capture_on_commit_callbacks):
    # given a won opportunity with two product lines
    actor = actor_for(rep)
    opportunity = won_opportunity(rep, amount=D("10000.00"),
                                  lines=[("软件许可", "2", "3000"), ("实施服务", "1", "4000")])
    # when it becomes an order, signed, with a two-instalment plan
    order = services.order_create_from_opportunity(actor=actor, opportunity=opportunity)
    assert order.number.startswith("SO-")
    assert (order.customer_id, order.amount, order.currency, order.status) == (
        opportunity.customer_id, D("10000.00"), "CNY", "draft")
    assert [(line.name, line.total) for line in order.lines.all()] == [
        ("软件许可", D("6000.00")), ("实施服务", D("4000.00"))]
    order = services.order_set_status(actor=actor, order=order, status="signed",
                                      signed_on=datetime.date(2026, 1, 5))
    today = timezone.localdate()
    first = services.instalment_create(actor=actor, order=order, values={
        "due_on": today - datetime.timedelta(days=40), "amount": D("4000")})
    second = services.instalment_create(actor=actor, order=order, values={
        "due_on": today - datetime.timedelta(days=3), "amount": D("6000")})
    assert (first.sequence, second.sequence) == (1, 2)
    # and the first instalment is paid
    services.payment_create(actor=actor, order=order, values={
        "amount": D("4000"), "instalment": first, "method": "bank", "reference": "HX-001"})
    # then
    order.refresh_from_db()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (order.collected_amount, order.outstanding_amount) == (D("4000.00"), D("6000.00"))
    assert (first.collected_amount, first.outstanding_amount) == (D("4000.00"), D("0.00"))
    assert second.outstanding_amount == D("6000.00")
    assert [i.pk for i in selectors.overdue_instalments(actor=actor)] == [second.pk]
    # the periodic job reminds the owner once, however often it runs in a day
    from kehu.orders.tasks import remind_overdue_instalments

    with django_capture_on_commit_callbacks(execute=True):
        remind_overdue_instalments()
        remind_overdue_instalments()
    reminders = Notification.objects.filter(recipient=rep.user,
                                            kind="order.instalment_overdue")
    assert reminders.count() == 1
    assert order.number in reminders.get().title
    assert len(mailoutbox) == 1
    second.refresh_from_db()
    assert second.reminded_at is not None


def test_reminders_start_the_day_after_the_due_date_and_repeat_once_a_day(org, rep):
    order = order_for(rep, amount="900")
    actor = actor_for(rep)
    services.instalment_create(actor=actor, order=order,
                               values={"due_on": datetime.date(2026, 3, 1), "amount": D("900")})
    system = Actor.system(organization=org)
    assert services.instalments_remind_overdue(actor=system,
                                               today=datetime.date(2026, 3, 1)) == 0
    assert services.instalments_remind_overdue(actor=system,
                                               today=datetime.date(2026, 3, 2)) == 1
    assert services.instalments_remind_overdue(actor=system,
                                               today=datetime.date(2026, 3, 2)) == 0
    assert services.instalments_remind_overdue(actor=system,
                                               today=datetime.date(2026, 3, 3)) == 1


def test_draft_cancelled_and_paid_instalments_get_no_reminder(org, rep):
    actor = actor_for(rep)
    draft = order_for(rep, amount="100", signed=False)
    services.instalment_create(actor=actor, order=draft,
                               values={"due_on": datetime.date(2026, 1, 1), "amount": D("100")})
    paid = order_for(rep, amount="100")
    instalment = services.instalment_create(
        actor=actor, order=paid, values={"due_on": datetime.date(2026, 1, 1), "amount": D("100")})
    services.payment_create(actor=actor, order=paid,
                            values={"amount": D("100"), "instalment": instalment})
    assert services.instalments_remind_overdue(actor=Actor.system(organization=org),
                                               today=datetime.date(2026, 2, 1)) == 0


def test_a_payment_above_the_outstanding_amount_is_refused_unless_allowed(org, rep):
    actor = actor_for(rep)
    order = order_for(rep, amount="1000")
    services.payment_create(actor=actor, order=order, values={"amount": D("800")})
    with pytest.raises(DomainError) as exc:
        services.payment_create(actor=actor, order=order, values={"amount": D("200.01")})
    assert exc.value.code == "overpayment"
    assert exc.value.details == {"outstanding": "200.00"}
    services.payment_create(actor=actor, order=order, values={"amount": D("250")},
                            allow_overpayment=True)
    order.refresh_from_db()
    assert order.collected_amount == D("1050.00")


def test_a_payment_above_its_instalment_is_refused(org, rep):
    actor = actor_for(rep)
    order = order_for(rep, amount="1000")
    first = services.instalment_create(actor=actor, order=order, values={
        "due_on": datetime.date(2026, 5, 1), "amount": D("300")})
    with pytest.raises(DomainError, match="第 1 期"):
        services.payment_create(actor=actor, order=order,
                                values={"amount": D("500"), "instalment": first})


def test_deleting_a_payment_takes_the_collected_amounts_back_down(org, rep):
    actor = actor_for(rep)
    order = order_for(rep, amount="1000")
    first = services.instalment_create(actor=actor, order=order, values={
        "due_on": datetime.date(2026, 5, 1), "amount": D("1000")})
    payment = services.payment_create(actor=actor, order=order,
                                      values={"amount": D("600"), "instalment": first})
    services.payment_delete(actor=actor, payment=payment)
    order.refresh_from_db()
    first.refresh_from_db()
    assert (order.collected_amount, first.collected_amount) == (D("0.00"), D("0.00"))
    actions = list(ChangeRecord.objects.filter(object_type="orders.payment")
                   .values_list("action", flat=True).order_by("pk"))
    assert actions == ["create", "delete"]


def test_split_gives_the_rounding_remainder_to_the_last_instalment(org, rep):
    actor = actor_for(rep)
    order = order_for(rep, amount="100.00")
    plan = services.instalments_split(actor=actor, order=order, count=3,
                                      first_due_on=datetime.date(2026, 1, 31))
    assert [i.amount for i in plan] == [D("33.33"), D("33.33"), D("33.34")]
    assert [i.due_on for i in plan] == [datetime.date(2026, 1, 31), datetime.date(2026, 2, 28),
                                        datetime.date(2026, 3, 31)]
    assert sum(i.amount for i in plan) == order.amount
    # splitting again replaces the plan
    plan = services.instalments_split(actor=actor, order=order, count=2,
                                      first_due_on=datetime.date(2026, 1, 31))
    assert list(order.instalments.values_list("amount", flat=True)) == [D("50.00"), D("50.00")]


def test_the_plan_may_not_exceed_the_order_amount(org, rep):
    actor = actor_for(rep)
    order = order_for(rep, amount="1000")
    services.instalment_create(actor=actor, order=order, values={
        "due_on": datetime.date(2026, 5, 1), "amount": D("700")})
    with pytest.raises(ValidationError) as exc:
        services.instalment_create(actor=actor, order=order, values={
            "due_on": datetime.date(2026, 6, 1), "amount": D("300.01")})
    assert "amount" in exc.value.message_dict
    assert "300.00" in exc.value.message_dict["amount"][0]  # what is left to plan
    with pytest.raises(ValidationError):
        services.order_update(actor=actor, order=order, values={"amount": D("600")})


def test_invoices_may_not_exceed_the_order_amount_and_numbers_are_unique(org, rep):
    actor = actor_for(rep)
    order = order_for(rep, amount="1000")
    services.invoice_create(actor=actor, order=order, values={
        "number": "04400001", "amount": D("600"), "kind": "vat_special"})
    with pytest.raises(ValidationError) as exc:
        services.invoice_create(actor=actor, order=order, values={
            "number": "04400002", "amount": D("400.01")})
    assert "amount" in exc.value.message_dict
    other = order_for(rep, amount="1000")
    with pytest.raises(ValidationError) as exc:
        services.invoice_create(actor=actor, order=other, values={
            "number": "04400001", "amount": D("10")})
    assert "number" in exc.value.message_dict
    order.refresh_from_db()
    assert order.invoiced_amount == D("600.00")


def test_signing_needs_a_date_and_the_status_flow_is_enforced(org, rep):
    actor = actor_for(rep)
    order = order_for(rep, signed=False)
    with pytest.raises(ValidationError) as exc:
        services.order_set_status(actor=actor, order=order, status="signed")
    assert "signed_on" in exc.value.message_dict
    with pytest.raises(DomainError):
        services.order_set_status(actor=actor, order=order, status="completed")
    order = services.order_set_status(actor=actor, order=order, status="signed",
                                      signed_on=datetime.date(2026, 2, 1))
    order = services.order_set_status(actor=actor, order=order, status="completed")
    assert order.status == "completed"
    with pytest.raises(DomainError):
        services.order_set_status(actor=actor, order=order, status="cancelled")


def test_the_contract_cannot_end_before_it_starts(org, rep):
    order = order_for(rep)
    with pytest.raises(ValidationError) as exc:
        services.order_update(actor=actor_for(rep), order=order, values={
            "starts_on": datetime.date(2026, 5, 1), "ends_on": datetime.date(2026, 4, 30)})
    assert "ends_on" in exc.value.message_dict


def test_an_order_with_payments_cannot_be_deleted_even_when_cancelled(org, rep):
    admin = actor_for(admin_of(org))
    order = order_for(rep, amount="500")
    services.payment_create(actor=admin, order=order, values={"amount": D("100")})
    order = services.order_set_status(actor=admin, order=order, status="cancelled")
    with pytest.raises(DomainError) as exc:
        services.order_delete(actor=admin, order=order)
    assert exc.value.code == "order_has_payments"
    empty = order_for(rep, amount="500")
    services.order_delete(actor=admin, order=empty)
    assert Order.objects.get(pk=empty.pk).deleted_at is not None
    assert not selectors.order_list(actor=admin).filter(pk=empty.pk).exists()


def test_an_order_from_an_accepted_quote_copies_its_lines_and_total(org, rep):
    opportunity = won_opportunity(rep)
    quote = Quote.objects.create(
        organization=org, number="QT-2026-00001", opportunity=opportunity,
        customer=opportunity.customer, title="报价 A", status="accepted", currency="CNY",
        total=D("2260.00"), owner=rep.user)
    QuoteLine.objects.create(organization=org, quote=quote, name="服务器", quantity=D("2"),
                             unit_price=D("1000"), tax_rate=D("13"), total=D("2260.00"))
    order = services.order_create_from_quote(actor=actor_for(rep), quote=quote)
    assert (order.quote_id, order.opportunity_id, order.amount) == (
        quote.pk, opportunity.pk, D("2260.00"))
    assert [(line.name, line.total) for line in order.lines.all()] == [("服务器", D("2260.00"))]
    quote.status = "draft"
    with pytest.raises(DomainError):
        services.order_create_from_quote(actor=actor_for(rep), quote=quote)


def test_only_a_won_opportunity_becomes_an_order(org, rep):
    opportunity = won_opportunity(rep)
    opportunity.status = "open"
    with pytest.raises(DomainError) as exc:
        services.order_create_from_opportunity(actor=actor_for(rep), opportunity=opportunity)
    assert exc.value.code == "opportunity_not_won"


def test_collected_by_owner_equals_the_sum_of_the_raw_payments(org):
    first, second = member(org, "sales_rep"), member(org, "sales_rep")
    admin = actor_for(admin_of(org))
    received = [(first, "1000", "300.10", datetime.date(2026, 1, 10)),
                (first, "1000", "200.25", datetime.date(2026, 2, 28)),
                (first, "5000", "4000", datetime.date(2026, 3, 1)),
                (second, "800", "799.99", datetime.date(2026, 2, 1)),
                (second, "800", "50", datetime.date(2025, 12, 31))]
    for membership, amount, paid, day in received:
        order = order_for(membership, amount=amount)
        services.payment_create(actor=admin, order=order,
                                values={"amount": D(paid), "received_on": day})
    start, end = datetime.date(2026, 1, 1), datetime.date(2026, 2, 28)
    expected = {}
    for row in (Payment.objects.filter(organization=org, received_on__range=(start, end))
                .values("order__owner_id").annotate(total=Sum("amount"))):
        expected[row["order__owner_id"]] = row["total"]
    result = selectors.collected_by_owner(actor=admin, start=start, end=end)
    assert result == expected == {first.user_id: D("500.35"), second.user_id: D("799.99")}
    # a rep sees only their own orders' money
    assert selectors.collected_by_owner(actor=actor_for(first), start=None, end=None) == {
        first.user_id: D("4500.35")}


def test_collected_by_owner_is_one_query(org, rep, django_assert_num_queries):
    order = order_for(rep)
    services.payment_create(actor=actor_for(rep), order=order, values={"amount": D("10")})
    admin = actor_for(admin_of(org))
    admin.can("view", "orders.order")
    with django_assert_num_queries(1):
        selectors.collected_by_owner(actor=admin, start=None, end=None)


def test_customer_totals_count_signed_and_completed_orders(org, rep):
    customer = CustomerFactory(organization=org, owner=rep.user)
    actor = actor_for(rep)
    signed = order_for(rep, amount="1000", customer=customer,
                       signed_on=datetime.date(2026, 3, 1))
    order_for(rep, amount="500", customer=customer, signed=False)
    services.payment_create(actor=actor, order=signed, values={"amount": D("250")})
    totals = selectors.customer_summary(actor=actor, customer_id=customer.pk)
    assert (totals["count"], totals["amount"], totals["collected"], totals["outstanding"],
            totals["last_signed_on"]) == (1, D("1000.00"), D("250.00"), D("750.00"),
                                          datetime.date(2026, 3, 1))


def test_orders_are_a_registered_customer_relation():
    assert any(r.model_label == "orders.Order" and r.field == "customer"
               for r in relations.all_relations())


def test_every_write_is_audited(org, rep):
    actor = actor_for(rep)
    order = order_for(rep, amount="1000")
    instalment = services.instalment_create(actor=actor, order=order, values={
        "due_on": datetime.date(2026, 5, 1), "amount": D("1000")})
    services.payment_create(actor=actor, order=order, values={"amount": D("10"),
                                                              "instalment": instalment})
    services.invoice_create(actor=actor, order=order, values={"number": "A1",
                                                              "amount": D("10")})
    types = set(ChangeRecord.objects.filter(organization=org)
                .values_list("object_type", flat=True))
    assert {"orders.order", "orders.instalment", "orders.payment",
            "orders.invoice"} <= types
    assert Instalment.objects.get(pk=instalment.pk).collected_amount == D("10.00")
