"""The customer archive (客户档案)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kehu.core.common.models import BusinessRecord
from kehu.core.permissions.models import OwnedModel
from kehu.core.tenancy.models import OrganizationScopedModel, organization_field


class Tag(OrganizationScopedModel):
    name = models.CharField(_("name"), max_length=30)
    color = models.CharField(_("color"), max_length=7, default="#64748b")

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organization", "name"],
                                               name="tag_unique_name")]

    def __str__(self) -> str:
        return self.name


class Customer(BusinessRecord, OwnedModel):
    # unowned customers form the pool, which everyone allowed to view customers may see
    pool_visible = True
    audit_exclude = frozenset({"name_key", "domain_key", "owned_since", "last_won_at",
                               "last_contacted_at"})
    organization = organization_field(indexed=False)

    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        PERSON = "person", _("Person")

    class Level(models.TextChoices):
        A = "a", _("A (key account)")
        B = "b", _("B (normal)")
        C = "c", _("C (small)")
        D = "d", _("D (low value)")

    class Status(models.TextChoices):
        POTENTIAL = "potential", _("Potential")
        ACTIVE = "active", pgettext_lazy("customer status", "Active")
        DORMANT = "dormant", _("Dormant")
        LOST = "lost", _("Lost")

    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.COMPANY)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=100, blank=True, default="")
    industry = models.CharField(_("industry"), max_length=60, blank=True, default="")
    source = models.CharField(_("source"), max_length=60, blank=True, default="")
    level = models.CharField(_("level"), max_length=2, choices=Level.choices, blank=True,
                             default="")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices,
                              default=Status.POTENTIAL)
    province = models.CharField(_("province"), max_length=30, blank=True, default="")
    city = models.CharField(_("city"), max_length=30, blank=True, default="")
    district = models.CharField(_("district"), max_length=30, blank=True, default="")
    address = models.CharField(_("address"), max_length=255, blank=True, default="")
    phone = models.CharField(_("phone"), max_length=32, blank=True, default="")
    email = models.EmailField(_("email"), blank=True, default="")
    website = models.URLField(_("website"), blank=True, default="")
    next_follow_up_on = models.DateField(_("next follow-up"), null=True, blank=True)
    last_contacted_at = models.DateTimeField(_("last contacted"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True, default="")
    tags = models.ManyToManyField(Tag, blank=True, related_name="customers",
                                  verbose_name=_("tags"))
    # Duplicate-check keys, derived from the fields above by the services (see dedup.py).
    name_key = models.CharField(max_length=200, blank=True, default="", editable=False)
    domain_key = models.CharField(max_length=253, blank=True, default="", editable=False)
    # Pool (公海) bookkeeping: since when the current owner has it, when it last went into the
    # pool and who owned it before; `last_won_at` is kept by the sales module.
    owned_since = models.DateTimeField(_("owned since"), null=True, blank=True, editable=False)
    last_won_at = models.DateTimeField(_("last won deal"), null=True, blank=True, editable=False)
    pooled_at = models.DateTimeField(_("in pool since"), null=True, blank=True)
    previous_owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                       null=True, blank=True, related_name="+",
                                       verbose_name=_("previous owner"), db_index=False)
    # Set when merged into another customer: the row stays so the merge can be undone.
    merged_into = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", editable=False, db_index=False)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [
            # The lists, counts and scopes read live customers only (`scoping.visible`), so
            # their indexes leave the recycle bin out: a count of an organization's, an
            # owner's or the pool's customers is then read from the index alone.
            models.Index(fields=["organization", "-id"], name="customer_org_live",
                         condition=models.Q(deleted_at__isnull=True)),
            models.Index(fields=["organization", "owner", "-id"], name="customer_org_owner_live",
                         condition=models.Q(deleted_at__isnull=True)),
            models.Index(fields=["organization", "team", "-id"], name="customer_org_team_live",
                         condition=models.Q(deleted_at__isnull=True)),
            models.Index(fields=["organization", "-id"], name="customer_org_trash",
                         condition=models.Q(deleted_at__isnull=False)),
            # Only set on some rows; indexed for the SET NULL when a user or a merged
            # customer is deleted, without a new customer paying for it.
            models.Index(fields=["previous_owner"], name="customer_previous_owner",
                         condition=models.Q(previous_owner__isnull=False)),
            models.Index(fields=["merged_into"], name="customer_merged_into",
                         condition=models.Q(merged_into__isnull=False)),
            models.Index(fields=["organization", "name"], name="customer_org_name"),
            models.Index(fields=["organization", "name_key"], name="customer_org_name_key"),
            models.Index(fields=["organization", "phone"], name="customer_org_phone"),
            models.Index(fields=["organization", "email"], name="customer_org_email"),
            models.Index(fields=["organization", "domain_key"], name="customer_org_domain"),
            models.Index(fields=["organization", "next_follow_up_on"],
                         name="customer_org_next_follow_up"),
            models.Index(fields=["organization", "last_contacted_at"],
                         name="customer_org_last_contacted"),
            models.Index(fields=["organization", "owner", "owned_since"],
                         name="customer_org_owned_since"),
            models.Index(fields=["organization", "pooled_at"], name="customer_org_pool",
                         condition=models.Q(owner__isnull=True)),
        ]

    def __str__(self) -> str:
        return self.name
