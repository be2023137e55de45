"""Extension points of the customer 360° view.

Modules add a panel (a titled block with its own template) and key figures (a number at the
top of the page) in their `AppConfig.ready()`:

    panels.register_panel(key="opportunities", label=_("Opportunities"), order=30,
                          template="sales/customer_panel.html",
                          context=lambda actor, customer: {"opportunities": ...})
    panels.register_figure(key="open_deals", label=_("Open deals"), order=20,
                           value=lambda actor, customer: ...)

Every context/value function receives the viewing Actor and must read through selectors, so
the panel shows only what that actor may see.
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


@dataclass(frozen=True)
class Figure:
    key: str
    label: Promise | str
    value: Callable[[Any, Any], Any]
    order: int = 100


_panels: dict[str, Panel] = {}
_figures: dict[str, Figure] = {}


def register_panel(**kwargs: Any) -> None:
    panel = Panel(**kwargs)
    _panels[panel.key] = panel


def register_figure(**kwargs: Any) -> None:
    figure = Figure(**kwargs)
    _figures[figure.key] = figure


def panels() -> list[Panel]:
    return sorted(_panels.values(), key=lambda p: p.order)


def figures() -> list[Figure]:
    return sorted(_figures.values(), key=lambda f: f.order)


def render_context(actor, customer) -> dict[str, Any]:
    """What the 360° template needs: figures with values, panels with their contexts."""
    return {
        "figures": [{"key": f.key, "label": f.label, "value": f.value(actor, customer)}
                    for f in figures()],
        "panels": [{"key": p.key, "label": p.label, "template": p.template,
                    "context": p.context(actor, customer)} for p in panels()],
    }
