from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from kehu.core.permissions.actor import Actor
from kehu.core.savedviews.models import SavedView


def columns_for(*, actor: Actor, object_type: str, available: Sequence[str],
                default: Sequence[str]) -> list[str]:
    """The actor's chosen columns for a list (still available ones, in their order), or the
    default when they never chose."""
    view = SavedView.objects.filter(organization=actor.organization, user=actor.user,
                                    object_type=object_type, is_default=True).first()
    chosen = [c for c in (view.columns if view else []) if c in available]
    return chosen or [c for c in default if c in available]


@transaction.atomic
def columns_save(*, actor: Actor, object_type: str, columns: Sequence[str],
                 available: Sequence[str]) -> list[str]:
    """Remember the actor's columns; unknown names are dropped."""
    kept = [c for c in dict.fromkeys(columns) if c in available]
    SavedView.objects.update_or_create(
        organization=actor.organization, user=actor.user, object_type=object_type,
        is_default=True, defaults={"columns": kept})
    return kept
