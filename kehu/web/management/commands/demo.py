"""`kehu demo [--customers N] [--seed S] [--org NAME] [--if-empty]`: a demo organization."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.text import slugify

from kehu.core.tenancy.models import Organization
from kehu.customers.models import Customer
from kehu.demo import customers, people, sales


class Command(BaseCommand):
    help = "Create a demo organization with users, teams, roles and sample customers."

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=300)
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--org", default="示例科技有限公司")
        parser.add_argument("--slug", default="")
        parser.add_argument("--if-empty", action="store_true",
                            help="do nothing (but print the login) if the demo already exists")

    def handle(self, *args, **options):
        slug = options["slug"] or ("demo" if options["org"] == "示例科技有限公司"
                                   else slugify(options["org"]) or "demo")
        admin_email = f"admin@{slug}.kehu.local"
        if Organization.objects.filter(slug=slug).exists():
            if options["if_empty"]:
                self._print_login(admin_email)
                return
            self.stderr.write(f"Organization '{slug}' already exists; pass --slug for another.")
            return
        team = people.create_people(org_name=options["org"], slug=slug, admin_email=admin_email)
        since = Customer.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        customers.create_customers(organization=team.organization, users=team.reps,
                                   count=options["customers"], seed=options["seed"])
        deals = sales.create_sales(organization=team.organization, since_customer_id=since,
                                   seed=options["seed"])
        self.stdout.write(f"Demo organization “{team.organization.name}” with "
                          f"{options['customers']} customers and {deals} opportunities.")
        self._print_login(admin_email)

    def _print_login(self, email: str) -> None:
        self.stdout.write(self.style.SUCCESS(
            f"\n  Open http://127.0.0.1:8000/ and sign in as\n"
            f"    {email}\n    password: {people.DEMO_PASSWORD}\n"
            f"  (a sales rep: {email.replace('admin@', 'east.rep@')}, same password)\n"))
