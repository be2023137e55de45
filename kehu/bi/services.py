"""Turning an organization's reporting schema on, keeping it current, and turning it off."""

from __future__ import annotations

import logging

from django.db import DatabaseError, transaction
from django.utils import timezone

from kehu.bi import ddl, roles
from kehu.bi.models import ReportingSchema
from kehu.core.tenancy.models import Organization

log = logging.getLogger(__name__)


def reporting_schema_refresh(*, organization: Organization) -> ReportingSchema:
    """Create or replace the organization's views (idempotent); the first call turns its
    reporting schema on, so later custom-field changes and migrations keep it current."""
    with transaction.atomic():
        schema, _created = ReportingSchema.objects.get_or_create(organization=organization)
        ddl.create_views(organization.pk)
        roles.regrant(organization.pk)
        schema.refreshed_at = timezone.now()
        schema.save(update_fields=["refreshed_at", "updated_at"])
    return schema


def reporting_schema_refresh_if_enabled(*, organization_id: int) -> bool:
    schema = (ReportingSchema.objects.select_related("organization")
              .filter(organization_id=organization_id).first())
    if schema is None:
        return False
    reporting_schema_refresh(organization=schema.organization)
    return True


def reporting_schemas_refresh_all() -> list[ReportingSchema]:
    """Refresh every organization that has a reporting schema. One that fails is logged and
    skipped, so it cannot stop the others (or a `migrate`)."""
    refreshed = []
    for schema in ReportingSchema.objects.select_related("organization").order_by("pk"):
        try:
            refreshed.append(reporting_schema_refresh(organization=schema.organization))
        except DatabaseError:
            log.exception("Could not refresh the reporting views of organization %s",
                          schema.organization_id)
    return refreshed


def reporting_schema_drop(*, organization: Organization) -> None:
    with transaction.atomic():
        ReportingSchema.objects.filter(organization=organization).delete()
        ddl.drop_schema(organization.pk)


def reporting_role_grant(*, organization: Organization, role: str) -> str | None:
    """Refresh the views, then give `role` read access to them (see roles.py)."""
    reporting_schema_refresh(organization=organization)
    return roles.role_grant(organization_id=organization.pk, role=role)


def reporting_role_revoke(*, organization: Organization, role: str) -> None:
    roles.role_revoke(organization_id=organization.pk, role=role)
