"""`kehu token EMAIL [--org SLUG] [--name NAME]`: print a new personal API token."""

from django.core.management.base import BaseCommand, CommandError

from kehu.core.accounts import services
from kehu.core.accounts.models import Membership
from kehu.core.permissions.actor import Actor, Via


class Command(BaseCommand):
    help = "Create a personal API token for a user and print it (shown only once)."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--org", help="organization slug (default: the user's first)")
        parser.add_argument("--name", default="CLI")

    def handle(self, *args, **options):
        memberships = Membership.objects.filter(user__email__iexact=options["email"],
                                                is_active=True).select_related("organization")
        if options["org"]:
            memberships = memberships.filter(organization__slug=options["org"])
        membership = memberships.order_by("organization_id").first()
        if membership is None:
            raise CommandError(f"No active member {options['email']}.")
        actor = Actor.for_user(organization=membership.organization, user=membership.user,
                               via=Via.CLI)
        _token, secret = services.api_token_create(actor=actor, name=options["name"])
        self.stdout.write(secret)
