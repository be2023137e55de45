from __future__ import annotations

from django.db.models import QuerySet

from kehu.core.customfields.models import FieldDefinition


def field_definition_list(*, organization, object_type: str = "",
                          include_inactive: bool = True) -> QuerySet[FieldDefinition]:
    qs = FieldDefinition.objects.filter(organization=organization)
    if object_type:
        qs = qs.filter(object_type=object_type)
    return qs if include_inactive else qs.filter(is_active=True)
