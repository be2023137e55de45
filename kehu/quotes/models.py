"""Quotes (报价单): revisions of priced lines for an opportunity, approved when the discount
passes the organization's threshold."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kehu.core.common import money
from kehu.core.common.models import BusinessRecord
from kehu.core.permissions.models import OwnedModel
from kehu.core.tenancy.models import OrganizationScopedModel


class Quote(BusinessRecord, OwnedModel):
    audit_exclude = frozenset({"subtotal", "discount_total", "tax_total", "total",
                               "max_discount_percent"})
    # the member chosen to approve a quote reads it even outside their data scope
    visible_to_user_fields = ("approver",)

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING_APPROVAL = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        SENT = "sent", _("Sent")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        SUPERSEDED = "superseded", _("Superseded")

    number = models.CharField(_("number"), max_length=40)
    # 1 for the first quote of an opportunity, 2 for the revision replacing it…
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    supersedes = models.OneToOneField("self", on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="superseded_by", editable=False)
    opportunity = models.ForeignKey("sales.Opportunity", on_delete=models.PROTECT,
                                    related_name="quotes", verbose_name=_("opportunity"))
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT,
                                 related_name="quotes", verbose_name=_("customer"))
    contact = models.ForeignKey("customers.Contact", on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="+", verbose_name=_("contact"))
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.DRAFT)
    currency = money.currency_field()
    price_book = models.ForeignKey("catalog.PriceBook", on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+", verbose_name=_("price book"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    subtotal = money.amount_field(_("subtotal"), default=money.ZERO, editable=False)
    discount_total = money.amount_field(_("discount"), default=money.ZERO, editable=False)
    tax_total = money.amount_field(_("tax"), default=money.ZERO, editable=False)
    total = money.amount_field(_("total"), default=money.ZERO, editable=False)
    max_discount_percent = models.DecimalField(_("largest discount (%)"), max_digits=7,
                                               decimal_places=money.RATE_PLACES, default=0,
                                               editable=False)
    terms = models.TextField(_("terms"), blank=True, default="")
    notes = models.TextField(_("notes"), blank=True, default="")
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                 null=True, blank=True, related_name="+",
                                 verbose_name=_("approver"))
    approval_requested_at = models.DateTimeField(null=True, blank=True, editable=False)
    approval_decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    approval_comment = models.TextField(_("approval comment"), blank=True, default="")

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        constraints = [models.UniqueConstraint(fields=["organization", "number"],
                                               name="quote_unique_number")]
        indexes = [
            models.Index(fields=["organization", "-id"], name="quote_org_recent"),
            models.Index(fields=["organization", "owner", "-id"], name="quote_org_owner"),
            models.Index(fields=["organization", "team", "-id"], name="quote_org_team"),
            models.Index(fields=["organization", "approver", "status"],
                         name="quote_org_approver"),
        ]

    def __str__(self) -> str:
        return self.number


class QuoteLine(OrganizationScopedModel):
    permission_object_type = "quotes.quote"
    scope_through = "quote"

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines",
                              verbose_name=_("quote"))
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, null=True,
                                blank=True, related_name="+", verbose_name=_("product"))
    sku = models.CharField(_("SKU"), max_length=64, blank=True, default="")
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=20, blank=True, default="")
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3, default=1)
    unit_price = money.amount_field(_("unit price"))
    discount_percent = models.DecimalField(_("discount (%)"), max_digits=7,
                                           decimal_places=money.RATE_PLACES, default=0)
    tax_rate = models.DecimalField(_("tax rate (%)"), max_digits=7,
                                   decimal_places=money.RATE_PLACES, default=0)
    subtotal = money.amount_field(_("subtotal"), default=money.ZERO, editable=False)
    discount = money.amount_field(_("discount"), default=money.ZERO, editable=False)
    tax = money.amount_field(_("tax"), default=money.ZERO, editable=False)
    total = money.amount_field(_("total"), default=money.ZERO, editable=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("quote line")
        verbose_name_plural = _("quote lines")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class QuoteSettings(OrganizationScopedModel):
    """How an organization's quotes are approved and printed (one row per organization;
    defaults apply until an admin saves the settings page)."""

    approval_threshold = models.DecimalField(
        _("approval threshold (discount %)"), max_digits=7, decimal_places=money.RATE_PLACES,
        default=15,
        help_text=_("A quote whose largest line discount, or overall discount, is above this "
                    "needs approval."))
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("approver"),
        help_text=_("Without one, any organization admin approves."))
    company_name = models.CharField(_("company name"), max_length=200, blank=True, default="")
    company_address = models.CharField(_("address"), max_length=255, blank=True, default="")
    company_phone = models.CharField(_("phone"), max_length=50, blank=True, default="")
    tax_number = models.CharField(_("tax number"), max_length=50, blank=True, default="")
    bank_account = models.CharField(_("bank account"), max_length=255, blank=True, default="",
                                    help_text=_("Bank name and account number."))
    default_terms = models.TextField(_("default terms"), blank=True, default="")
    validity_days = models.PositiveSmallIntegerField(_("valid for (days)"), default=30)

    class Meta:
        verbose_name = _("quote settings")
        verbose_name_plural = _("quote settings")
        constraints = [models.UniqueConstraint(fields=["organization"],
                                               name="quotesettings_unique_org")]

    def __str__(self) -> str:
        return str(self._meta.verbose_name)
