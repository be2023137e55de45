from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kehu.catalog.tests.factories import PriceBookEntryFactory, PriceBookFactory, ProductFactory
from kehu.core.common.errors import DomainError, PermissionDeniedError
from kehu.core.common.testing import OrganizationFactory, actor_for, admin_of, member
from kehu.core.notifications.models import Notification
from kehu.customers.tests.factories import CustomerFactory
from kehu.quotes import selectors, services
from kehu.quotes.models import Quote, QuoteSettings
from kehu.quotes.tests.factories import line, opportunity_for, quote_for

pytestmark = pytest.mark.django_db
S = Quote.Status


@pytest.fixture
def org():
    return OrganizationFactory()


@pytest.fixture
def rep(org):
    return actor_for(member(org, "sales_rep"))


@pytest.fixture
def manager(org):
    return actor_for(member(org, "sales_manager"))


def test_totals_follow_the_documented_rounding_rule(rep):
    # 3 × ¥99.99 = 299.97; discount 10% = 29.997 → 30.00; net 269.97;
    # tax 13% = 35.0961 → 35.10; total 305.07 (each rounded half-up per line)
    quote = quote_for(rep, lines=[line(quantity="3", price="99.99", discount="10", tax="13")])
    assert (quote.subtotal, quote.discount_total, quote.tax_total, quote.total) == (
        Decimal("299.97"), Decimal("30.00"), Decimal("35.10"), Decimal("305.07"))
    stored = quote.lines.get()
    assert (stored.subtotal, stored.discount, stored.tax, stored.total) == (
        Decimal("299.97"), Decimal("30.00"), Decimal("35.10"), Decimal("305.07"))
    assert quote.max_discount_percent == Decimal("10")


def test_quote_takes_number_customer_and_currency_from_the_opportunity(rep):
    opportunity = opportunity_for(rep, currency="USD")
    quote = services.quote_create(actor=rep, opportunity=opportunity)
    assert quote.number.startswith("QT-") and quote.revision == 1
    assert (quote.customer_id, quote.currency, quote.status) == (
        opportunity.customer_id, "USD", S.DRAFT)
    assert quote.owner_id == rep.user.pk


def test_a_product_line_gets_the_level_a_price_book_price(org, rep):
    product = ProductFactory(organization=org, name="专业版", sku="PRO", unit="套",
                             list_price=Decimal("1000.00"), tax_rate=Decimal("6"))
    book = PriceBookFactory(organization=org, customer_level="a")
    PriceBookEntryFactory(price_book=book, product=product, price=Decimal("850.00"))
    customer = CustomerFactory(organization=org, owner=rep.user, level="a")
    quote = quote_for(rep, customer=customer)
    added = services.line_add(actor=rep, quote=quote, values={"product": product,
                                                               "quantity": Decimal("2")})
    assert (added.name, added.sku, added.unit, added.unit_price, added.tax_rate) == (
        "专业版", "PRO", "套", Decimal("850.00"), Decimal("6.0000"))
    quote.refresh_from_db()
    assert quote.price_book_id == book.pk
    assert quote.total == Decimal("1802.00")


def test_a_free_line_needs_a_name_and_a_price(rep):
    quote = quote_for(rep)
    with pytest.raises(ValidationError) as exc:
        services.line_add(actor=rep, quote=quote, values={"quantity": Decimal("1")})
    assert {"name", "unit_price"} <= set(exc.value.message_dict)


def test_a_big_discount_needs_approval_and_the_approver_is_notified(org, rep, manager):
    QuoteSettings.objects.create(organization=org, approver=manager.user)
    quote = quote_for(rep, lines=[line(discount="20")])
    quote = services.quote_submit(actor=rep, quote=quote)
    assert (quote.status, quote.approver_id) == (S.PENDING_APPROVAL, manager.user.pk)
    note = Notification.objects.get(recipient=manager.user)
    assert quote.number in note.title and note.url.endswith(f"/quotes/{quote.pk}/")
    # the approver sees it even outside their data scope, under "awaiting my approval"
    assert list(selectors.quote_list(actor=manager, awaiting_me=True)) == [quote]
    other = actor_for(member(org, "sales_manager"))
    with pytest.raises(PermissionDeniedError):
        services.quote_approve(actor=other, quote=quote)
    quote = services.quote_approve(actor=manager, quote=quote, comment="同意，季度末冲量")
    assert (quote.status, quote.approval_comment) == (S.APPROVED, "同意，季度末冲量")
    assert Notification.objects.filter(recipient=rep.user, kind="quote.approved").exists()


def test_without_a_named_approver_the_admins_decide(org, rep):
    quote = services.quote_submit(actor=rep, quote=quote_for(rep, lines=[line(discount="30")]))
    admin = actor_for(admin_of(org))
    assert Notification.objects.filter(recipient=admin.user).count() == 1
    with pytest.raises(ValidationError):
        services.quote_reject(actor=admin, quote=quote, comment="")
    quote = services.quote_reject(actor=admin, quote=quote, comment="折扣太大")
    assert quote.status == S.REJECTED
    assert Notification.objects.get(recipient=rep.user).kind == "quote.rejected"


def test_a_small_discount_is_approved_at_once(rep):
    quote = services.quote_submit(actor=rep, quote=quote_for(rep, lines=[line(discount="5")]))
    assert quote.status == S.APPROVED
    assert not Notification.objects.exists()


def test_the_overall_discount_counts_too(org, rep):
    QuoteSettings.objects.create(organization=org, approval_threshold=Decimal("10"))
    quote = quote_for(rep, lines=[line(discount="10"), line(discount="10")])
    assert services.quote_submit(actor=rep, quote=quote).status == S.APPROVED
    quote = quote_for(rep, lines=[line(discount="10.5")])
    assert services.quote_submit(actor=rep, quote=quote).status == S.PENDING_APPROVAL


def test_editing_the_lines_of_an_approved_quote_sends_it_back_to_draft(rep):
    quote = services.quote_submit(actor=rep, quote=quote_for(rep, lines=[line()]))
    assert quote.status == S.APPROVED
    services.line_add(actor=rep, quote=quote, values=line(name="培训"))
    quote.refresh_from_db()
    assert quote.status == S.DRAFT
    assert quote.total == Decimal("226.00")


def test_life_cycle_send_accept(rep):
    quote = services.quote_submit(actor=rep, quote=quote_for(rep, lines=[line()]))
    with pytest.raises(DomainError):
        services.quote_accept(actor=rep, quote=quote)
    quote = services.quote_send(actor=rep, quote=quote)
    assert services.quote_accept(actor=rep, quote=quote).status == S.ACCEPTED


def test_revising_supersedes_the_old_quote(rep):
    quote = services.quote_submit(actor=rep, quote=quote_for(rep, lines=[line(), line()]))
    quote = services.quote_send(actor=rep, quote=quote)
    revision = services.quote_revise(actor=rep, quote=quote)
    quote.refresh_from_db()
    assert quote.status == S.SUPERSEDED
    assert (revision.number, revision.revision, revision.status) == (
        f"{quote.number}-2", 2, S.DRAFT)
    assert revision.supersedes_id == quote.pk
    assert revision.lines.count() == 2 and revision.total == quote.total
    with pytest.raises(DomainError):
        services.quote_accept(actor=rep, quote=quote)
    with pytest.raises(DomainError):
        services.line_add(actor=rep, quote=quote, values=line())
    third = services.quote_revise(actor=rep, quote=revision)
    assert third.number == f"{quote.number}-3"
    assert [q.pk for q in selectors.revisions(actor=rep, quote=revision)] == [
        third.pk, revision.pk, quote.pk]


def test_a_rep_does_not_see_another_reps_quote(org, rep):
    other = actor_for(member(org, "sales_rep"))
    quote = quote_for(other)
    assert not selectors.quote_list(actor=rep).filter(pk=quote.pk).exists()


def test_a_product_used_on_a_quote_is_deactivated_instead_of_deleted(org, rep, manager):
    from kehu.catalog import services as catalog_services

    product = ProductFactory(organization=org)
    quote = quote_for(rep)
    services.line_add(actor=rep, quote=quote, values={"product": product})
    assert catalog_services.product_delete(actor=manager, product=product) is False
    product.refresh_from_db()
    assert product.is_active is False
    with pytest.raises(ValidationError) as exc:
        services.line_add(actor=rep, quote=quote, values={"product": product})
    assert "product" in exc.value.message_dict
