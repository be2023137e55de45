"""`kehu leads_assign_benchmark [--leads 10000] [--org demo]`: create that many unowned
imported leads and a round-robin rule in the organization, time the assignment engine, and print
the figures as JSON. Writes data: run it on a throwaway (benchmark) database."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from kehu.core.tenancy.models import Organization
from kehu.leads.services import assignment


class Command(BaseCommand):
    help = "Time the automatic assignment of N new leads (writes data; benchmark databases only)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--leads", type=int, default=10_000)
        parser.add_argument("--reps", type=int, default=5)
        parser.add_argument("--org", default="demo", help="organization slug")

    def handle(self, *args, **options) -> None:
        organization = Organization.objects.filter(slug=options["org"]).first()
        if organization is None:
            raise CommandError(f"No organization with the slug {options['org']!r}.")
        figures = assignment.assignment_benchmark(organization, options["leads"],
                                                  reps=options["reps"])
        self.stdout.write(json.dumps(figures))
