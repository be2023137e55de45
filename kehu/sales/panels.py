"""Extension point of the opportunity page: other modules (quotes, orders) add a panel here
in their `AppConfig.ready()`, the way the customer 360° view takes panels:

    from kehu.sales import panels
    panels.register_panel(key="quotes", label=_("Quotes"), order=20,
                          template="quotes/opportunity_panel.html",
                          context=lambda actor, opportunity: {"quotes": ...})

The template draws the inside of a card titled with the label, rendered with its context plus
`opportunity` and `actor`; a panel rendering nothing is left out. Context functions read
through their module's selectors, so a panel shows only what the viewer may see.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class Panel:
    key: str
    label: Promise | str
    template: str
    context: Callable[[Any, Any], dict[str, Any]]
    order: int = 100


_panels: dict[str, Panel] = {}


def register_panel(**kwargs: Any) -> None:
    panel = Panel(**kwargs)
    _panels[panel.key] = panel


def panels() -> list[Panel]:
    return sorted(_panels.values(), key=lambda p: p.order)


def render_panels(request, actor, opportunity) -> list[dict[str, Any]]:
    """Each registered panel rendered to HTML for the opportunity page."""
    from django.middleware.csrf import get_token
    from django.template.loader import render_to_string

    rendered = []
    for panel in panels():
        html = render_to_string(panel.template, {
            **panel.context(actor, opportunity), "opportunity": opportunity, "actor": actor,
            "request": request, "csrf_token": get_token(request)})
        if html.strip():
            rendered.append({"key": panel.key, "label": panel.label, "html": html})
    return rendered
