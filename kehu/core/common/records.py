"""Create, update and delete of any business record, with the checks every write needs.

Domain services call these after their own rules: they check the actor's permission, validate
fields and custom fields, refuse stale versions, keep the owner's team in step, and write the
audit log, all in one transaction. Nothing else writes the audit log for plain edits.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core.accounts.models import Membership
from kehu.core.audit import services as audit
from kehu.core.common.errors import StaleWrite
from kehu.core.customfields.services import custom_data_clean
from kehu.core.permissions import scoping
from kehu.core.permissions.actor import Actor
from kehu.core.permissions.models import OwnedModel

M = TypeVar("M", bound=models.Model)


def _action(model: type[models.Model], action: str) -> str:
    """Rows that live inside another record (a contact, a follow-up) are written with the
    right to edit that record: adding a contact is editing the customer."""
    return "edit" if getattr(model, "scope_through", None) else action


def owner_team_id(actor: Actor, owner_id: int | None) -> int | None:
    if owner_id is None:
        return None
    team_ids = list(Membership.objects.filter(organization=actor.organization, user_id=owner_id,
                                              is_active=True).values_list("team_id", flat=True))
    if not team_ids:
        raise ValidationError({"owner": _("Choose an active user of this organization.")})
    return team_ids[0]


def mark_owned_since(instance: models.Model) -> None:
    if hasattr(instance, "owned_since"):
        instance.owned_since = timezone.now() if instance.owner_id else None


def _apply_custom(actor: Actor, instance: models.Model, custom: dict[str, Any] | None) -> None:
    if custom is None and instance.pk is not None:
        return
    instance.custom_data = custom_data_clean(
        organization=actor.organization, object_type=instance._meta.label_lower,
        data=custom or {}, current=instance.custom_data, model=type(instance),
        instance_pk=instance.pk)


def _full_clean(instance: models.Model, custom_error: ValidationError | None) -> None:
    for field in instance._meta.concrete_fields:
        # An API client sends null for "no value" where a form sends "": a text column that
        # may be blank stores "" (full_clean skips blank values, so None would reach the
        # NOT NULL constraint).
        if (field.empty_strings_allowed and field.blank and not field.null
                and getattr(instance, field.attname) is None):
            setattr(instance, field.attname, "")
    errors: dict[str, list[str]] = {}
    try:
        instance.full_clean(exclude=["organization", "custom_data", "collaborators"],
                            validate_unique=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if custom_error is not None:
        errors.update(custom_error.message_dict)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_record(*, actor: Actor, model: type[M], values: dict[str, Any],
                  custom: dict[str, Any] | None = None) -> M:
    scoping.require(actor, _action(model, "create"), model)
    instance = model(organization=actor.organization, **values)
    if isinstance(instance, OwnedModel):
        if "owner_id" not in values and "owner" not in values and actor.user is not None:
            instance.owner_id = actor.user.pk
        if instance.owner_id != (actor.user.pk if actor.user else None):
            scoping.require(actor, "assign", model)
        instance.team_id = owner_team_id(actor, instance.owner_id)
        mark_owned_since(instance)
    custom_error = None
    if hasattr(instance, "custom_data"):
        try:
            _apply_custom(actor, instance, custom)
        except ValidationError as exc:
            custom_error = exc
    _full_clean(instance, custom_error)
    instance.save()
    audit.change_record(actor=actor, action="create", instance=instance, before=None,
                        after=audit.snapshot(instance))
    return instance


@transaction.atomic
def update_record(*, actor: Actor, instance: M, values: dict[str, Any],
                  custom: dict[str, Any] | None = None, version: int | None = None) -> M:
    """Apply `values` (model attribute names) and `custom` (custom-field keys) to `instance`.

    `version` is the version the client read; when given and no longer current, StaleWrite.
    """
    model = type(instance)
    scoping.require(actor, _action(model, "edit"), model)
    current_version = (model._default_manager.select_for_update()
                       .filter(pk=instance.pk).values_list("version", flat=True).first())
    if current_version is None:
        raise model.DoesNotExist
    if version is not None and version != current_version:
        raise StaleWrite(current_version=current_version)
    instance.refresh_from_db()
    before = audit.snapshot(instance)
    old_owner_id = getattr(instance, "owner_id", None)
    for name, value in values.items():
        setattr(instance, name, value)
    if isinstance(instance, OwnedModel) and instance.owner_id != old_owner_id:
        scoping.require(actor, "assign", model)
        instance.team_id = owner_team_id(actor, instance.owner_id)
        mark_owned_since(instance)
    custom_error = None
    try:
        _apply_custom(actor, instance, custom)
    except ValidationError as exc:
        custom_error = exc
    _full_clean(instance, custom_error)
    after = audit.snapshot(instance)
    if after == before:
        return instance
    instance.version = current_version + 1
    instance.save()
    audit.change_record(actor=actor, action="update", instance=instance, before=before,
                        after=after)
    return instance


def is_soft_deleted(model: type[models.Model]) -> bool:
    return any(f.name == "deleted_at" for f in model._meta.concrete_fields)


@transaction.atomic
def delete_record(*, actor: Actor, instance: models.Model) -> None:
    """Delete; records with a `deleted_at` field go to the recycle bin instead and can be
    restored (their related rows stay untouched)."""
    scoping.require(actor, _action(type(instance), "delete"), type(instance))
    before = audit.snapshot(instance)
    if is_soft_deleted(type(instance)):
        instance.deleted_at = timezone.now()
        instance.save(update_fields=["deleted_at", "updated_at"])
    else:
        pk = instance.pk
        instance.delete()
        instance.pk = pk
    audit.change_record(actor=actor, action="delete", instance=instance, before=before,
                        after=None)


@transaction.atomic
def restore_record(*, actor: Actor, instance: models.Model) -> None:
    scoping.require(actor, "delete", type(instance))
    instance.deleted_at = None
    instance.save(update_fields=["deleted_at", "updated_at"])
    audit.change_record(actor=actor, action="restore", instance=instance, before=None,
                        after=audit.snapshot(instance))
