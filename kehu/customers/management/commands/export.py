"""`kehu export customers FILE [--org SLUG] [--user EMAIL] [--segment ID]`: write the
customers the user may export (optionally one segment) to FILE.csv or FILE.xlsx."""

from __future__ import annotations

import os

from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from kehu.core.common.errors import PermissionDeniedError
from kehu.core.permissions import scoping
from kehu.core.permissions.actor import Via
from kehu.customers import exports, selectors
from kehu.customers.management.commands._actor import add_actor_arguments, command_actor
from kehu.customers.models import Customer


class Command(BaseCommand):
    help = "Export customers to a CSV or XLSX file (the format follows the file's extension)."

    def add_arguments(self, parser):
        parser.add_argument("object_type", choices=["customers"])
        parser.add_argument("file")
        add_actor_arguments(parser)
        parser.add_argument("--segment", type=int, help="only the customers of this segment")

    def handle(self, *args, **options):
        path = options["file"]
        extension = os.path.splitext(path)[1].lower()
        if extension not in (".csv", ".xlsx"):
            raise CommandError("Give a file name ending in .csv or .xlsx.")
        actor = command_actor(options, via=Via.CLI)
        try:
            scoping.require(actor, "export", Customer)
        except PermissionDeniedError as exc:
            raise CommandError(f"{actor.user} may not export customers.") from exc
        queryset = selectors.customer_list(actor=actor, action="export")
        if options["segment"]:
            try:
                segment = selectors.segment_get(actor=actor, segment_id=options["segment"])
            except Http404 as exc:
                raise CommandError(f"No segment {options['segment']} for {actor.user}.") from exc
            queryset = selectors.segment_filter(actor=actor, segment=segment, queryset=queryset)
        count = queryset.count()
        response = exports.export_customers(actor=actor, queryset=queryset,
                                            fmt=extension.lstrip("."))
        with open(path, "wb") as out:
            if response.streaming:
                for chunk in response.streaming_content:
                    out.write(chunk)
            else:
                out.write(response.content)
        self.stdout.write(f"Exported {count:,} customers to {path}.")
