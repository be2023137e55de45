"""Managing custom-field definitions, and validating the values every write path stores."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext as _

from kehu.core.audit import services as audit
from kehu.core.common.errors import DomainError
from kehu.core.customfields import indexing
from kehu.core.customfields.models import FieldDefinition
from kehu.core.customfields.values import coerce_value, is_empty
from kehu.core.permissions import actor as actor_cache
from kehu.core.permissions import registry, scoping
from kehu.core.permissions.actor import Actor


def active_definitions(*, organization, object_type: str) -> list[FieldDefinition]:
    """The organization's active fields of one object type, from the per-organization cache
    (see permissions/actor.py): read on nearly every page and API call, changed rarely. Any
    save or delete of a definition invalidates it (the signals below)."""
    organization_id = organization if isinstance(organization, int) else organization.pk
    return actor_cache.organization_cached(
        organization_id, f"fields:{object_type}",
        lambda: list(FieldDefinition.objects.filter(organization_id=organization_id,
                                                    object_type=object_type, is_active=True)))


def _definition_changed(sender, instance, **kwargs) -> None:
    actor_cache.invalidate_organization_cache(instance.organization_id)


post_save.connect(_definition_changed, sender=FieldDefinition,
                  dispatch_uid="kehu-fielddefinition-cache-save")
post_delete.connect(_definition_changed, sender=FieldDefinition,
                    dispatch_uid="kehu-fielddefinition-cache-delete")


def custom_data_clean(*, organization, object_type: str, data: dict[str, Any],
                      current: dict[str, Any] | None = None, model: type[models.Model],
                      instance_pk: int | None = None,
                      definitions: list[FieldDefinition] | None = None) -> dict[str, Any]:
    """The custom_data to store: `current` updated with `data`, every value coerced.

    Keys of inactive or removed fields in `current` are kept untouched, so deactivating a
    field never loses its values. Unknown keys in `data` are an error, not silently dropped.
    Raises ValidationError({"custom.<key>": message, ...}).
    """
    defs = {d.key: d for d in (definitions if definitions is not None else
                               active_definitions(organization=organization,
                                                  object_type=object_type))}
    cleaned = dict(current or {})
    errors: dict[str, str] = {}
    for key, value in data.items():
        definition = defs.get(key)
        if definition is None:
            errors[f"custom.{key}"] = _("There is no active custom field “%(key)s”.") % {"key": key}
            continue
        try:
            coerced = coerce_value(definition, value)
        except ValueError as exc:
            errors[f"custom.{key}"] = str(exc)
            continue
        if coerced is None:
            cleaned.pop(key, None)
        else:
            cleaned[key] = coerced
    creating = instance_pk is None
    for key, definition in defs.items():
        if creating and key not in data and definition.default is not None:
            cleaned.setdefault(key, coerce_value(definition, definition.default))
        if f"custom.{key}" in errors:
            continue
        if definition.required and is_empty(cleaned.get(key)):
            errors[f"custom.{key}"] = _("%(label)s is required.") % {"label": definition.label}
        elif definition.unique and not is_empty(cleaned.get(key)):
            clash = (model._default_manager
                     .filter(organization=organization)
                     .filter(**{f"custom_data__{key}": cleaned[key]}))
            if instance_pk is not None:
                clash = clash.exclude(pk=instance_pk)
            if clash.exists():
                errors[f"custom.{key}"] = _("Another record already has this %(label)s.") % {
                    "label": definition.label}
    if errors:
        raise ValidationError(errors)
    return cleaned


DEFINITION_FIELDS = ("label", "kind", "choices", "required", "unique", "default", "help_text",
                     "position", "is_active")


@transaction.atomic
def field_definition_create(*, actor: Actor, object_type: str, key: str, label: str, kind: str,
                            **options: Any) -> FieldDefinition:
    scoping.require_admin(actor)
    if registry.get(object_type) is None:
        raise ValidationError({"object_type": _("Unknown object type.")})
    if FieldDefinition.objects.filter(organization=actor.organization, object_type=object_type,
                                      key=key).exists():
        raise ValidationError({"key": _("A field with this key already exists.")})
    definition = FieldDefinition(organization=actor.organization, object_type=object_type,
                                 key=key, label=label, kind=kind,
                                 **{k: v for k, v in options.items() if k in DEFINITION_FIELDS})
    _validate_definition(definition)
    definition.save()
    audit.change_record(actor=actor, action="create", instance=definition, before=None,
                        after=audit.snapshot(definition))
    transaction.on_commit(lambda: indexing.ensure_index(definition))
    return definition


@transaction.atomic
def field_definition_update(*, actor: Actor, definition: FieldDefinition,
                            **changes: Any) -> FieldDefinition:
    """Change a definition. The key and the kind stay: changing the kind would reinterpret
    values already stored; add a new field instead."""
    scoping.require_admin(actor)
    if "kind" in changes and changes["kind"] != definition.kind:
        raise DomainError("kind_locked", _("The type of a field cannot be changed once created."))
    before = audit.snapshot(definition)
    for name, value in changes.items():
        if name in DEFINITION_FIELDS:
            setattr(definition, name, value)
    _validate_definition(definition)
    definition.save()
    audit.change_record(actor=actor, action="update", instance=definition, before=before,
                        after=audit.snapshot(definition))
    return definition


def _validate_definition(definition: FieldDefinition) -> None:
    definition.full_clean(exclude=["organization", "default"])
    kinds_with_options = (FieldDefinition.Kind.SELECT, FieldDefinition.Kind.MULTISELECT)
    if definition.kind in kinds_with_options:
        options = [str(c).strip() for c in definition.choices if str(c).strip()]
        if not options:
            raise ValidationError({"choices": _("Give at least one option.")})
        if len(set(options)) != len(options):
            raise ValidationError({"choices": _("Options must be different from each other.")})
        definition.choices = options
    if definition.default not in (None, ""):
        try:
            definition.default = coerce_value(definition, definition.default)
        except ValueError as exc:
            raise ValidationError({"default": str(exc)}) from exc
    else:
        definition.default = None
