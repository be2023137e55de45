"""Walls each request's connection to the organization the session works in."""

from __future__ import annotations

from kehu.core import rls


class RowLevelSecurityMiddleware:
    """Right after OrganizationMiddleware: the request's organization is known (or there is
    none: an anonymous page, or an API token that its authentication resolves later and
    activates then). Until then only the session, the user and their memberships were read.
    The connection returns to its own role on `request_finished` (see apps.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        organization = getattr(request, "organization", None)
        rls.activate(organization.pk if organization is not None else None)
        return self.get_response(request)
