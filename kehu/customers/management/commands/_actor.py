"""Who a customer command acts as: `--user EMAIL` in `--org SLUG` (or their only organization);
without --user, the organization's first admin."""

from __future__ import annotations

from django.core.management.base import CommandError

from kehu.core.accounts.models import Membership
from kehu.core.permissions.actor import Actor
from kehu.core.tenancy.models import Organization


def add_actor_arguments(parser) -> None:
    parser.add_argument("--org", help="organization slug (default: the only one, or the user's)")
    parser.add_argument("--user", help="act as this member (email; default: the first admin)")


def command_actor(options: dict, *, via: str) -> Actor:
    memberships = (Membership.objects.filter(is_active=True, organization__is_active=True)
                   .select_related("organization", "user", "role"))
    if options.get("org"):
        if not Organization.objects.filter(slug=options["org"]).exists():
            raise CommandError(f"No organization with the slug {options['org']!r}.")
        memberships = memberships.filter(organization__slug=options["org"])
    if options.get("user"):
        memberships = memberships.filter(user__email__iexact=options["user"])
    else:
        memberships = memberships.filter(role__is_admin=True)
    organizations = set(memberships.values_list("organization_id", flat=True))
    if len(organizations) > 1:
        raise CommandError("Several organizations match: pass --org SLUG.")
    membership = memberships.order_by("pk").first()
    if membership is None:
        who = options.get("user") or "admin"
        raise CommandError(f"No active member {who} in that organization.")
    return Actor.for_user(organization=membership.organization, user=membership.user, via=via)
