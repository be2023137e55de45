"""The one place that decides which rows an actor may see and touch.

`visible(actor, queryset, action)` filters any organization-scoped queryset to the actor's
organization, returns nothing when the actor's role lacks the action on that object type,
and applies the role's data scope to owned records. Selectors of every module build on it;
views, the API, exports, search and jobs all read through selectors.
"""

from __future__ import annotations

from typing import TypeVar

from django.db import models
from django.db.models import Q
from django.http import Http404

from kehu.core.common.errors import PermissionDeniedError
from kehu.core.permissions.actor import Actor
from kehu.core.permissions.models import OwnedModel

M = TypeVar("M", bound=models.Model)


def object_type_of(model: type[models.Model]) -> str:
    """The permission object type: the model's own label, or the parent it is scoped through
    (a contact is seen through its customer)."""
    return getattr(model, "permission_object_type", model._meta.label_lower)


def _owner_prefix(model: type[models.Model]) -> str | None:
    """Lookup path to the OwnedModel that decides visibility ("" for the model itself)."""
    if issubclass(model, OwnedModel):
        return ""
    through = getattr(model, "scope_through", None)
    return f"{through}__" if through else None


def data_scope_q(actor: Actor, model: type[models.Model]) -> Q:
    prefix = _owner_prefix(model)
    if actor.data_scope == "org" or prefix is None:
        return Q()
    owned_model = model._meta.get_field(prefix[:-2]).related_model if prefix else model
    collaborator_rows = owned_model.collaborators.through.objects.filter(user_id=actor.user.pk)
    fk_name = f"{owned_model._meta.model_name}_id"
    mine = (Q(**{f"{prefix}owner_id": actor.user.pk})
            | Q(**{f"{prefix}pk__in": collaborator_rows.values(fk_name)}))
    if actor.data_scope in ("team", "subtree") and actor.team_ids_in_scope:
        mine |= Q(**{f"{prefix}team_id__in": actor.team_ids_in_scope})
    if getattr(owned_model, "pool_visible", False):
        mine |= Q(**{f"{prefix}owner__isnull": True})  # the shared pool (公海)
    return mine


def sees_every_row(actor: Actor, model: type[models.Model]) -> bool:
    """Whether `visible(actor, …, "view")` is every live row of the organization, so that a
    total the database keeps over all of them is also the actor's."""
    return actor.can("view", object_type_of(model)) and not data_scope_q(actor, model)


def _soft_delete_q(model: type[models.Model], deleted: bool) -> Q:
    if any(f.name == "deleted_at" for f in model._meta.concrete_fields):
        return Q(deleted_at__isnull=not deleted)
    through = getattr(model, "scope_through", None)
    if through and not deleted:
        parent = model._meta.get_field(through).related_model
        if any(f.name == "deleted_at" for f in parent._meta.concrete_fields):
            return Q(**{f"{through}__deleted_at__isnull": True})
    return Q()


def _addressed_q(actor: Actor, model: type[models.Model]) -> Q | None:
    """Rows addressed to the actor by name, which they may read whatever their role: a model
    lists those user fields in `visible_to_user_fields` (a quote's approver)."""
    fields = getattr(model, "visible_to_user_fields", ())
    if not fields or actor.user is None:
        return None
    addressed = Q()
    for name in fields:
        addressed |= Q(**{f"{name}_id": actor.user.pk})
    return addressed


def visible(actor: Actor, queryset: models.QuerySet[M], action: str = "view", *,
            deleted: bool = False) -> models.QuerySet[M]:
    """Rows of the actor's organization the actor may `action`, within the data scope.
    Rows in the recycle bin (and rows of a parent in it) are left out, or with
    `deleted=True` only they are returned. Rows addressed to the actor (see `_addressed_q`)
    are readable too."""
    qs = queryset.filter(organization_id=actor.organization.pk)
    qs = qs.filter(_soft_delete_q(queryset.model, deleted))
    addressed = _addressed_q(actor, queryset.model) if action == "view" else None
    if not actor.can(action, object_type_of(queryset.model)):
        return qs.none() if addressed is None else qs.filter(addressed)
    scope = data_scope_q(actor, queryset.model)
    if addressed is None or not scope:  # an empty Q is every row: nothing to add
        return qs.filter(scope)
    return qs.filter(scope | addressed)


def get_visible(actor: Actor, queryset: models.QuerySet[M], pk: object,
                action: str = "view", *, deleted: bool = False) -> M:
    """One row the actor may act on. Not visible at all: 404 (we do not confirm it exists);
    visible but the action is not granted: 403."""
    if isinstance(pk, int) and not -(2**63) <= pk < 2**63:
        raise Http404  # no such row; the database would refuse the number (a URL's <int:…>)
    try:
        obj = visible(actor, queryset, "view", deleted=deleted).get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if action != "view":  # seeing it is what "view" asks, and `visible` decided that
        require(actor, action, queryset.model)
    return obj


def require(actor: Actor, action: str, model: type[models.Model]) -> None:
    if not actor.can(action, object_type_of(model)):
        raise PermissionDeniedError()


def require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise PermissionDeniedError()
