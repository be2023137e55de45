"""What every page of the shell needs: the actor's organization, unread notifications and
which sidebar entry is current."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from kehu.core.notifications import selectors as notification_selectors


def nav_section(request) -> str:
    """The sidebar entry for this page: a module's URL namespace ("customers", "sales", ...),
    or for the shell's own pages "home", "settings", or the module of a "coming soon" page.
    A page can override it with a `nav_section` context variable."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return ""
    if match.namespace and match.namespace != "web":
        return match.namespace.split(":")[0]
    name = match.url_name or ""
    if name == "coming":
        return match.kwargs.get("slug", "")
    if name.startswith("settings"):
        return "settings"
    return name


def shell(request):
    actor = getattr(request, "actor", None)
    if actor is None:
        return {}
    # one indexed COUNT, run only when a template shows the badge (not for HTMX fragments)
    unread = SimpleLazyObject(lambda: notification_selectors.unread_count(actor=actor))
    return {"actor": actor, "organization": actor.organization,
            "unread_notifications": unread,
            "nav_section": nav_section(request)}
