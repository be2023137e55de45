"""Custom fields an organization adds without code: a definition row per field, and the
values in one JSON column (`custom_data`) on the record they belong to."""

from __future__ import annotations

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from kehu.core.tenancy.models import OrganizationScopedModel


class FieldDefinition(OrganizationScopedModel):
    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        LONG_TEXT = "long_text", _("Long text")
        INTEGER = "integer", _("Integer")
        DECIMAL = "decimal", _("Decimal")
        MONEY = "money", _("Money")
        DATE = "date", _("Date")
        DATETIME = "datetime", _("Date and time")
        BOOLEAN = "boolean", _("Yes/no")
        SELECT = "select", _("Single select")
        MULTISELECT = "multiselect", _("Multi select")
        USER = "user", _("User")
        PHONE = "phone", _("Phone")
        EMAIL = "email", _("Email")
        URL = "url", _("URL")

    object_type = models.CharField(_("object type"), max_length=60)
    key = models.SlugField(_("key"), max_length=50,
                           help_text=_("Used in the API and imports; cannot be changed later."))
    label = models.CharField(_("label"), max_length=100)
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices)
    choices = models.JSONField(_("options"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)
    unique = models.BooleanField(_("unique"), default=False)
    default = models.JSONField(_("default"), null=True, blank=True, encoder=DjangoJSONEncoder)
    help_text = models.CharField(_("help text"), max_length=200, blank=True, default="")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("custom field")
        verbose_name_plural = _("custom fields")
        ordering = ["object_type", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["organization", "object_type", "key"],
                                               name="fielddefinition_unique_key")]

    def __str__(self) -> str:
        return self.label


class HasCustomData(models.Model):
    custom_data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        abstract = True
