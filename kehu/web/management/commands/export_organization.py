"""`kehu export_organization SLUG FILE.zip`: all of one organization's data, as CSV files
(UTF-8 with BOM, formula-safe) and its uploaded files, in one zip. See docs/operations.md."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kehu.core.backup import export
from kehu.core.tenancy.models import Organization


class Command(BaseCommand):
    help = ("Export every row and uploaded file of one organization into a zip of CSV files "
            "(for a customer who leaves and takes their data).")

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the organization's slug")
        parser.add_argument("file", help="the zip file to write")

    def handle(self, *args, **options):
        organization = Organization.objects.filter(slug=options["slug"]).first()
        if organization is None:
            raise CommandError(_("No organization with the slug “%(slug)s”.")
                               % {"slug": options["slug"]})
        result = export.organization_export(organization=organization, path=options["file"])
        self.stdout.write(self.style.SUCCESS(_(
            "Exported %(rows)d rows in %(tables)d CSV files and %(files)d uploaded files of "
            "“%(name)s” to %(path)s") % {
                "rows": sum(result.rows.values()), "tables": len(result.rows),
                "files": result.files, "name": organization.name, "path": options["file"]}))
        if result.missing_files:
            self.stdout.write(self.style.WARNING(
                _("%(count)d files were missing from storage (listed in manifest.json).")
                % {"count": len(result.missing_files)}))
