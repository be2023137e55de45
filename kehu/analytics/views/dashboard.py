"""The role dashboards shown on the home page (`kehu.web.views.home` adds this context)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from kehu.analytics import charts, dashboards
from kehu.core.permissions.actor import Actor


def home_context(actor: Actor) -> dict[str, Any]:
    """What the home page shows besides its own cards: the actor's day for everyone, their own
    pipeline and targets for reps, the team's figures for managers, adoption for admins."""
    today = timezone.localdate()
    context: dict[str, Any] = {"my_tasks": dashboards.my_tasks(actor=actor, today=today)}
    if dashboards.is_manager(actor):
        team = dashboards.team_view_cached(actor=actor, today=today)
        context.update(team=team, cache_seconds=dashboards.CACHE_SECONDS,
                       funnel_chart=charts.funnel_chart(team.funnel),
                       forecast_chart=charts.forecast_chart(team.forecast))
    elif actor.can("view", dashboards.OPPORTUNITY):
        context.update(my_pipeline=dashboards.my_pipeline(actor=actor),
                       my_targets=dashboards.my_targets(actor=actor, today=today))
    if actor.is_admin:
        context["adoption"] = dashboards.adoption(actor=actor, today=today)
    return context
