"""Orders and contracts (订单/合同), their payment plans (回款计划), payments (回款) and
invoices (开票)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.core.common import money
from kehu.core.common.models import BusinessRecord
from kehu.core.permissions.models import OwnedModel
from kehu.core.tenancy.models import OrganizationScopedModel


class Order(BusinessRecord, OwnedModel):
    audit_exclude = frozenset({"collected_amount", "invoiced_amount"})

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SIGNED = "signed", _("Signed")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("number"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT,
                                 related_name="orders", verbose_name=_("customer"))
    opportunity = models.ForeignKey("sales.Opportunity", on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="orders",
                                    verbose_name=_("opportunity"))
    quote = models.ForeignKey("quotes.Quote", on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="orders", verbose_name=_("quote"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.DRAFT)
    signed_on = models.DateField(_("signing date"), null=True, blank=True)
    starts_on = models.DateField(_("contract start"), null=True, blank=True)
    ends_on = models.DateField(_("contract end"), null=True, blank=True)
    currency = money.currency_field()
    amount = money.amount_field(_("amount"), default=money.ZERO)
    # kept in step by the payment services so lists and reports need no aggregate per row
    collected_amount = money.amount_field(_("collected"), default=money.ZERO, editable=False)
    invoiced_amount = money.amount_field(_("invoiced"), default=money.ZERO, editable=False)
    notes = models.TextField(_("notes"), blank=True, default="")
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"],
                                    name="order_unique_number"),
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(starts_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="order_period_order"),
        ]
        indexes = [
            models.Index(fields=["organization", "-id"], name="order_org_recent"),
            models.Index(fields=["organization", "owner", "-id"], name="order_org_owner"),
            models.Index(fields=["organization", "team", "-id"], name="order_org_team"),
            models.Index(fields=["organization", "signed_on"], name="order_org_signed"),
            models.Index(fields=["customer", "signed_on"], name="order_customer_signed"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The contract cannot end before it starts.")
        if self.status in (self.Status.SIGNED, self.Status.COMPLETED) and not self.signed_on:
            errors["signed_on"] = _("A signed order needs its signing date.")
        if self.amount is not None and self.amount < 0:
            errors["amount"] = _("The amount cannot be negative.")
        if errors:
            raise ValidationError(errors)

    @property
    def outstanding_amount(self):
        return self.amount - self.collected_amount

    @property
    def uninvoiced_amount(self):
        return self.amount - self.invoiced_amount


def attachment_path(instance: OrderAttachment, filename: str) -> str:
    return f"orders/{instance.organization_id}/{timezone.now():%Y/%m}/{filename}"


class OrderAttachment(OrganizationScopedModel):
    """A contract scan or other file kept with an order (Django storage, local by default)."""

    permission_object_type = "orders.order"
    scope_through = "order"
    audit_exclude = frozenset({"file"})  # the stored path; original_name says what it is

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="attachments",
                              verbose_name=_("order"))
    file = models.FileField(upload_to=attachment_path, max_length=300)
    original_name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+",
                                    verbose_name=_("uploaded by"))

    class Meta:
        verbose_name = _("order attachment")
        verbose_name_plural = _("order attachments")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class OrderLine(OrganizationScopedModel):
    permission_object_type = "orders.order"
    scope_through = "order"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
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
    total = money.amount_field(_("total"), default=money.ZERO)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["position", "id"]


class Instalment(OrganizationScopedModel):
    """One planned payment of an order (回款计划的一期)."""

    permission_object_type = "orders.order"
    scope_through = "order"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="instalments",
                              verbose_name=_("order"))
    sequence = models.PositiveSmallIntegerField(_("instalment"), default=1)
    due_on = models.DateField(_("due date"))
    amount = money.amount_field(_("amount"))
    collected_amount = money.amount_field(_("collected"), default=money.ZERO, editable=False)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    notes = models.CharField(_("notes"), max_length=255, blank=True, default="")

    class Meta:
        verbose_name = _("instalment")
        verbose_name_plural = _("instalments")
        ordering = ["order", "sequence", "id"]
        indexes = [models.Index(fields=["organization", "due_on"], name="instalment_org_due")]

    def __str__(self) -> str:
        return f"{self.order_id} #{self.sequence}"

    @property
    def outstanding_amount(self):
        return self.amount - self.collected_amount


class Payment(OrganizationScopedModel):
    """Money received (回款) against an order, optionally for one instalment."""

    permission_object_type = "orders.order"
    scope_through = "order"

    class Method(models.TextChoices):
        BANK_TRANSFER = "bank", _("Bank transfer")
        CASH = "cash", _("Cash")
        ALIPAY = "alipay", _("Alipay")
        WECHAT_PAY = "wechat", _("WeChat Pay")
        CHEQUE = "cheque", _("Cheque")
        ACCEPTANCE_BILL = "bill", _("Bank acceptance bill")
        OTHER = "other", _("Other")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments",
                              verbose_name=_("order"))
    instalment = models.ForeignKey(Instalment, on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="payments",
                                   verbose_name=_("instalment"))
    amount = money.amount_field(_("amount"))
    currency = money.currency_field()
    received_on = models.DateField(_("received on"), default=timezone.localdate)
    method = models.CharField(_("method"), max_length=10, choices=Method.choices,
                              default=Method.BANK_TRANSFER)
    reference = models.CharField(_("reference"), max_length=100, blank=True, default="")
    notes = models.CharField(_("notes"), max_length=255, blank=True, default="")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+",
                                    verbose_name=_("recorded by"))

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-received_on", "-id"]
        indexes = [
            models.Index(fields=["organization", "received_on"], name="payment_org_received"),
            models.Index(fields=["order", "received_on"], name="payment_order"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} {self.received_on}"


class Invoice(OrganizationScopedModel):
    """An invoice issued for an order (开票记录)."""

    permission_object_type = "orders.order"
    scope_through = "order"

    class Kind(models.TextChoices):
        VAT_SPECIAL = "vat_special", _("VAT special invoice (专票)")
        VAT_NORMAL = "vat_normal", _("VAT normal invoice (普票)")
        ELECTRONIC = "electronic", _("Fully digital e-invoice (数电票)")
        OTHER = "other", _("Other")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="invoices",
                              verbose_name=_("order"))
    number = models.CharField(_("invoice number"), max_length=64)
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices,
                            default=Kind.VAT_SPECIAL)
    amount = money.amount_field(_("amount"))
    issued_on = models.DateField(_("issued on"), default=timezone.localdate)
    notes = models.CharField(_("notes"), max_length=255, blank=True, default="")

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issued_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["organization", "number"],
                                               name="invoice_unique_number")]

    def __str__(self) -> str:
        return self.number
