"""People: users, their membership of an organization, departments (teams) and API tokens."""

from __future__ import annotations

import hashlib

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.core.tenancy.models import Organization, OrganizationScopedModel


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields):
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user


class User(AbstractBaseUser):
    """A person who logs in. Which organizations they work in is their Memberships."""

    email = models.EmailField(_("email"), unique=True)
    phone = models.CharField(_("mobile phone"), max_length=32, blank=True, default="")
    name = models.CharField(_("name"), max_length=100)
    language = models.CharField(_("language"), max_length=10, blank=True, default="")
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
            models.UniqueConstraint(fields=["phone"], condition=~models.Q(phone=""),
                                    name="user_phone_unique"),
        ]

    def __str__(self) -> str:
        return self.name or self.email


class Team(OrganizationScopedModel):
    """A department (部门). `path` is the chain of ids from the root, e.g. "/1/4/9/", so that
    "this team and everything under it" is one indexed prefix match."""

    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="children", verbose_name=_("parent team"))
    path = models.CharField(max_length=255, default="/", db_index=True, editable=False)
    manager = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+", verbose_name=_("manager"))

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["path"]
        constraints = [models.UniqueConstraint(fields=["organization", "parent", "name"],
                                               name="team_unique_name_per_parent")]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2


class Membership(OrganizationScopedModel):
    """A user working in an organization, with one role and (optionally) one team."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.ForeignKey("permissions.Role", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("role"))
    team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="members", verbose_name=_("team"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["organization", "user"],
                                               name="membership_unique_user")]

    def __str__(self) -> str:
        return str(self.user)


class ApiToken(OrganizationScopedModel):
    """A personal API token. Only a SHA-256 of the secret is kept; the prefix finds the row."""

    PREFIX = "kehu_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    key_prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def hash_secret(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()


__all__ = ["ApiToken", "Membership", "Organization", "Team", "User"]
