from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.core.common.models import BusinessRecord
from kehu.core.tenancy.models import OrganizationScopedModel


class FollowUp(BusinessRecord):
    """A follow-up record (跟进记录): a call, visit, meeting, email, WeChat chat or note."""

    permission_object_type = "customers.customer"
    scope_through = "customer"

    class Kind(models.TextChoices):
        CALL = "call", _("Call")
        VISIT = "visit", _("Visit")
        MEETING = "meeting", _("Meeting")
        EMAIL = "email", _("Email")
        WECHAT = "wechat", _("WeChat")
        NOTE = "note", _("Note")

    # no index of its own: `followup_customer_recent` starts with it
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE,
                                 related_name="follow_ups", verbose_name=_("customer"),
                                 db_index=False)
    contact = models.ForeignKey("customers.Contact", on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="follow_ups",
                                verbose_name=_("contact"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               related_name="+", verbose_name=_("by"))
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.CALL)
    content = models.TextField(_("content"))
    happened_at = models.DateTimeField(_("when"), default=timezone.now)
    next_follow_up_on = models.DateField(_("next follow-up"), null=True, blank=True)
    location = models.CharField(_("location"), max_length=255, blank=True, default="")
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["-happened_at", "-id"]
        indexes = [models.Index(fields=["customer", "-happened_at"],
                                name="followup_customer_recent"),
                   # a period's follow-ups per author (adoption on the admin's home page)
                   models.Index(fields=["organization", "happened_at", "author"],
                                name="followup_org_happened")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.happened_at:%Y-%m-%d}"


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"attachments/{instance.organization_id}/{timezone.now():%Y/%m}/{filename}"


class Attachment(OrganizationScopedModel):
    """A file or photo on a follow-up, kept through Django's storage (local disk by default)."""

    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE,
                                  related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=300)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
