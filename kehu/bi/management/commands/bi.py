"""`kehu bi refresh|grant|revoke|drop|export`: the reporting schema for BI tools. See docs/bi.md."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kehu.bi import export, services
from kehu.bi.ddl import relation
from kehu.core.common.errors import DomainError
from kehu.core.tenancy.models import Organization


class Command(BaseCommand):
    help = "Reporting views for BI tools (Metabase, FineBI, Superset) and bulk export."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True)
        refresh = commands.add_parser("refresh", help="(re)create the views")
        refresh.add_argument("--organization", help="id or slug (default: every organization "
                                                    "whose views were made before)")
        grant = commands.add_parser("grant", help="give a read-only PostgreSQL role the views")
        revoke = commands.add_parser("revoke", help="take the views away from a role")
        for sub in (grant, revoke):
            sub.add_argument("--organization", required=True, help="id or slug")
            sub.add_argument("--role", required=True, help="PostgreSQL role name")
        drop = commands.add_parser("drop", help="remove an organization's views")
        drop.add_argument("--organization", required=True, help="id or slug")
        out = commands.add_parser("export", help="write one CSV or Parquet file per view")
        out.add_argument("--organization", required=True, help="id or slug")
        out.add_argument("--format", choices=export.FORMATS, default="csv")
        out.add_argument("--out", required=True, help="directory to write into")

    def handle(self, *args, **options):
        try:
            getattr(self, f"_{options['action']}")(options)
        except DomainError as exc:
            raise CommandError(exc.message) from exc

    def _refresh(self, options) -> None:
        if options["organization"]:
            organization = _organization(options["organization"])
            services.reporting_schema_refresh(organization=organization)
            self.stdout.write(self.style.SUCCESS(_("Refreshed the views of “%(name)s” (%(where)s).")
                                                 % {"name": organization.name,
                                                    "where": _where(organization)}))
            return
        refreshed = services.reporting_schemas_refresh_all()
        self.stdout.write(self.style.SUCCESS(_("Refreshed the views of %(count)d organizations.")
                                             % {"count": len(refreshed)}))

    def _grant(self, options) -> None:
        organization = _organization(options["organization"])
        password = services.reporting_role_grant(organization=organization, role=options["role"])
        self.stdout.write(self.style.SUCCESS(_("Role %(role)s can read %(where)s.") % {
            "role": options["role"], "where": _where(organization)}))
        if password:
            self.stdout.write(_("New login role; its password (shown only now): %(password)s")
                              % {"password": password})

    def _revoke(self, options) -> None:
        organization = _organization(options["organization"])
        services.reporting_role_revoke(organization=organization, role=options["role"])
        self.stdout.write(self.style.SUCCESS(_("Role %(role)s can no longer read %(where)s.")
                                             % {"role": options["role"],
                                                "where": _where(organization)}))

    def _drop(self, options) -> None:
        organization = _organization(options["organization"])
        services.reporting_schema_drop(organization=organization)
        self.stdout.write(self.style.SUCCESS(_("Removed the views of “%(name)s”.")
                                             % {"name": organization.name}))

    def _export(self, options) -> None:
        organization = _organization(options["organization"])
        result = export.organization_export(organization=organization, fmt=options["format"],
                                            out=options["out"])
        self.stdout.write(self.style.SUCCESS(_(
            "Exported %(rows)d rows of “%(name)s” in %(files)d %(format)s files to %(out)s")
            % {"rows": sum(result.rows.values()), "name": organization.name,
               "files": len(result.rows), "format": options["format"], "out": options["out"]}))


def _organization(value: str) -> Organization:
    lookup = {"pk": int(value)} if value.isdigit() else {"slug": value}
    organization = Organization.objects.filter(**lookup).first()
    if organization is None:
        raise CommandError(_("No organization “%(value)s” (give its id or slug).")
                           % {"value": value})
    return organization


def _where(organization: Organization) -> str:
    return relation(organization.pk, "*").replace('"', "")
