"""Creating an organization with the built-in roles and its first admin."""

from __future__ import annotations

from django.db import transaction
from django.utils.text import slugify

from kehu.core.accounts.models import Membership, User
from kehu.core.permissions import builtin
from kehu.core.permissions.models import Role
from kehu.core.tenancy.models import Organization


def _unique_slug(name: str) -> str:
    base = slugify(name, allow_unicode=False) or "org"
    slug, n = base, 1
    while Organization.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def organization_create(*, name: str, admin: User, slug: str = "",
                        default_currency: str = "CNY") -> Organization:
    organization = Organization.objects.create(
        name=name, slug=slug or _unique_slug(name), default_currency=default_currency)
    roles = {
        key: Role.objects.create(organization=organization, key=key, name=str(label),
                                 is_builtin=True, is_admin=is_admin, data_scope=scope)
        for key, (label, scope, is_admin, _modules, _default) in builtin.TEMPLATES.items()
    }
    Membership.objects.create(organization=organization, user=admin, role=roles[builtin.ADMIN])
    return organization
