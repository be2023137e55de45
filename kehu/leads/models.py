"""Leads (线索): people who may become customers, their follow-ups, the public web form that
collects them and the rules that hand them to sales reps."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kehu.core.common.models import BusinessRecord
from kehu.core.permissions.models import OwnedModel
from kehu.core.tenancy.models import OrganizationScopedModel


class Lead(BusinessRecord, OwnedModel):
    # unowned leads form the lead pool, which everyone allowed to view leads may see
    pool_visible = True

    class Source(models.TextChoices):
        MANUAL = "manual", _("Entered by hand")
        IMPORT = "import", pgettext_lazy("lead source", "Import")
        API = "api", _("API")
        WEB_FORM = "web_form", _("Web form")
        CAMPAIGN = "campaign", _("Campaign")

    class Status(models.TextChoices):
        NEW = "new", pgettext_lazy("lead status", "New")
        CONTACTED = "contacted", _("Contacted")
        QUALIFIED = "qualified", _("Qualified")
        DISQUALIFIED = "disqualified", _("Disqualified")
        CONVERTED = "converted", _("Converted")

    OPEN_STATUSES = ("new", "contacted", "qualified")

    name = models.CharField(_("name"), max_length=100)
    company = models.CharField(_("company"), max_length=200, blank=True, default="")
    title = models.CharField(_("job title"), max_length=100, blank=True, default="")
    mobile = models.CharField(_("mobile"), max_length=32, blank=True, default="")
    phone = models.CharField(_("phone"), max_length=32, blank=True, default="")
    email = models.EmailField(_("email"), blank=True, default="")
    wechat = models.CharField(_("WeChat ID"), max_length=64, blank=True, default="")
    province = models.CharField(_("province"), max_length=30, blank=True, default="")
    city = models.CharField(_("city"), max_length=30, blank=True, default="")
    industry = models.CharField(_("industry"), max_length=60, blank=True, default="")
    source = models.CharField(_("source"), max_length=10, choices=Source.choices,
                              default=Source.MANUAL)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices,
                              default=Status.NEW)
    disqualify_reason = models.CharField(_("disqualify reason"), max_length=255, blank=True,
                                         default="")
    notes = models.TextField(_("notes"), blank=True, default="")
    assigned_at = models.DateTimeField(_("assigned"), null=True, blank=True, editable=False)
    converted_at = models.DateTimeField(_("converted"), null=True, blank=True, editable=False)
    converted_customer = models.ForeignKey(
        "customers.Customer", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("converted to customer"), editable=False)
    converted_contact = models.ForeignKey(
        "customers.Contact", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("converted to contact"), editable=False)
    converted_opportunity = models.ForeignKey(
        "sales.Opportunity", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("converted to opportunity"), editable=False)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        indexes = [
            models.Index(fields=["organization", "-id"], name="lead_org_recent"),
            models.Index(fields=["organization", "owner", "-id"], name="lead_org_owner"),
            models.Index(fields=["organization", "team", "-id"], name="lead_org_team"),
            models.Index(fields=["organization", "status", "-id"], name="lead_org_status"),
            models.Index(fields=["organization", "-id"], name="lead_org_unassigned",
                         condition=models.Q(owner__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.name} · {self.company}" if self.company else self.name

    def clean(self) -> None:
        if self.status == self.Status.DISQUALIFIED and not (self.disqualify_reason or "").strip():
            raise ValidationError({"disqualify_reason": _("Say why this lead is disqualified.")})

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class LeadActivity(BusinessRecord):
    """A follow-up on a lead: a call, visit, meeting, email, WeChat chat or note."""

    permission_object_type = "leads.lead"
    scope_through = "lead"

    class Kind(models.TextChoices):
        CALL = "call", _("Call")
        VISIT = "visit", _("Visit")
        MEETING = "meeting", _("Meeting")
        EMAIL = "email", _("Email")
        WECHAT = "wechat", _("WeChat")
        NOTE = "note", _("Note")

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="activities",
                             verbose_name=_("lead"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="+", verbose_name=_("by"))
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.CALL)
    content = models.TextField(_("content"))
    happened_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("lead follow-up")
        verbose_name_plural = _("lead follow-ups")
        ordering = ["-happened_at", "-id"]
        indexes = [models.Index(fields=["lead", "-happened_at"], name="leadactivity_recent")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.happened_at:%Y-%m-%d}"


def new_form_token() -> str:
    return secrets.token_urlsafe(24)


class WebForm(OrganizationScopedModel):
    """The organization's public web-to-lead form at /leads/f/<token>/."""

    token = models.CharField(max_length=64, unique=True, default=new_form_token,
                             editable=False)
    enabled = models.BooleanField(_("accept submissions"), default=False)
    title = models.CharField(_("title"), max_length=120, default="", blank=True)
    intro = models.TextField(_("introduction"), blank=True, default="",
                             help_text=_("Shown above the form."))
    thank_you = models.TextField(_("thank-you text"), blank=True, default="",
                                 help_text=_("Shown after someone sends the form."))
    default_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("default owner"),
        help_text=_("Gets the leads no assignment rule matches; empty leaves them in the "
                    "lead pool."))

    class Meta:
        verbose_name = _("web form")
        verbose_name_plural = _("web forms")
        constraints = [models.UniqueConstraint(fields=["organization"],
                                               name="webform_one_per_org")]

    def __str__(self) -> str:
        return self.title or str(_("Web form"))


class AssignmentRule(OrganizationScopedModel):
    """One rule of automatic lead assignment. Active rules are tried in `position` order; the
    first whose criteria all match a lead (empty criteria match every lead) picks its owner."""

    class Strategy(models.TextChoices):
        ROUND_ROBIN = "round_robin", _("Round robin")
        LEAST_LOADED = "least_loaded", _("Fewest open leads")

    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    match_source = models.CharField(_("source is"), max_length=10, blank=True, default="",
                                    choices=Lead.Source.choices)
    match_province = models.CharField(
        _("province is"), max_length=200, blank=True, default="",
        help_text=_("One or more, separated by commas."))
    match_city = models.CharField(_("city is"), max_length=200, blank=True, default="",
                                  help_text=_("One or more, separated by commas."))
    match_industry = models.CharField(_("industry is"), max_length=200, blank=True, default="",
                                      help_text=_("One or more, separated by commas."))
    match_custom_key = models.CharField(_("custom field key"), max_length=50, blank=True,
                                        default="")
    match_custom_value = models.CharField(_("custom field value"), max_length=200, blank=True,
                                          default="")
    strategy = models.CharField(_("strategy"), max_length=12, choices=Strategy.choices,
                                default=Strategy.ROUND_ROBIN)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+",
                                     verbose_name=_("members"))
    team = models.ForeignKey("accounts.Team", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name=_("team"),
                             help_text=_("Used when no members are chosen: its active "
                                         "members share the leads."))
    # round robin: how many leads this rule has handed out, so the next goes to the next rep
    cursor = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("assignment rule")
        verbose_name_plural = _("assignment rules")
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["organization", "is_active", "position"],
                                name="assignrule_org_order")]

    def __str__(self) -> str:
        return self.name

    @property
    def has_criteria(self) -> bool:
        return bool(self.match_source or self.match_province or self.match_city
                    or self.match_industry or self.match_custom_key)
