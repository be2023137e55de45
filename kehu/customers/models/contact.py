from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kehu.core.common.models import BusinessRecord
from kehu.core.tenancy.models import organization_field


class Contact(BusinessRecord):
    """A person at a customer (联系人). Seen and edited with the rights on its customer."""

    permission_object_type = "customers.customer"
    scope_through = "customer"
    organization = organization_field(indexed=False)

    class Role(models.TextChoices):
        DECISION_MAKER = "decision_maker", _("Decision maker")
        INFLUENCER = "influencer", _("Influencer")
        PURCHASER = "purchaser", _("Purchaser")
        USER = "user", _("User")
        OTHER = "other", _("Other")

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE,
                                 related_name="contacts", verbose_name=_("customer"))
    name = models.CharField(_("name"), max_length=100)
    title = models.CharField(_("job title"), max_length=100, blank=True, default="")
    role = models.CharField(_("role in the deal"), max_length=20, choices=Role.choices,
                            blank=True, default="")
    mobile = models.CharField(_("mobile"), max_length=32, blank=True, default="")
    phone = models.CharField(_("phone"), max_length=32, blank=True, default="")
    email = models.EmailField(_("email"), blank=True, default="")
    wechat = models.CharField(_("WeChat ID"), max_length=64, blank=True, default="")
    is_primary = models.BooleanField(_("primary contact"), default=False)
    notes = models.TextField(_("notes"), blank=True, default="")

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-is_primary", "id"]
        indexes = [
            models.Index(fields=["organization", "mobile"], name="contact_org_mobile"),
            models.Index(fields=["organization", "email"], name="contact_org_email"),
        ]

    def __str__(self) -> str:
        return self.name
