"""`kehu createuser EMAIL --name NAME [--password P] [--org SLUG | --new-org NAME] [--role KEY]`"""

from __future__ import annotations

import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from kehu.core.accounts import services
from kehu.core.permissions.actor import Actor, Via
from kehu.core.permissions.models import Role
from kehu.core.tenancy.models import Organization
from kehu.core.tenancy.services import organization_create


class Command(BaseCommand):
    help = "Create a user and add them to an organization (or create a new one for them)."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--name", default="")
        parser.add_argument("--password", default=None)
        parser.add_argument("--phone", default="")
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--org", help="slug of an existing organization")
        group.add_argument("--new-org", help="name of a new organization this user will admin")
        parser.add_argument("--role", default="admin",
                            help="role key: admin, sales_manager, sales_rep, service_agent, "
                                 "marketing, read_only")

    def handle(self, *args, **options):
        password = options["password"] or getpass.getpass("Password: ")
        name = options["name"] or options["email"].split("@")[0]
        try:
            if options["new_org"]:
                user = services.user_create(email=options["email"], name=name,
                                            password=password, phone=options["phone"])
                organization = organization_create(name=options["new_org"], admin=user)
            else:
                organization = (Organization.objects.get(slug=options["org"]) if options["org"]
                                else Organization.objects.order_by("pk").first())
                if organization is None:
                    raise CommandError("No organization yet: pass --new-org NAME.")
                role = Role.objects.get(organization=organization, key=options["role"])
                admin = Actor.system(organization=organization, via=Via.CLI)
                services.member_invite(actor=admin, email=options["email"], name=name,
                                       role=role, phone=options["phone"], password=password)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        except (Organization.DoesNotExist, Role.DoesNotExist) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Created {options['email']} in {organization.name}.")
