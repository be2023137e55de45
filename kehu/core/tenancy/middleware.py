"""Puts the organization the signed-in user is working in, and their Actor, on the request."""

from __future__ import annotations

from django.contrib.auth import logout
from django.utils import translation

from kehu.core.accounts.models import Membership
from kehu.core.permissions.actor import Actor, Via, active_membership

SESSION_KEY = "kehu_organization_id"


def active_memberships(user):
    return (Membership.objects.filter(user=user, is_active=True,
                                      organization__is_active=True)
            .select_related("organization", "role", "team").order_by("organization_id"))


class OrganizationMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.organization = request.membership = request.actor = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            current = request.session.get(SESSION_KEY)
            # the usual case: the organization of the session, from the per-process cache
            membership = (active_membership(organization_id=current, user_id=user.pk)
                          if current else None)
            if membership is None:
                membership = active_memberships(user).first()
            if membership is None:
                # deactivated everywhere: the session ends, the records stay
                logout(request)
            else:
                if request.session.get(SESSION_KEY) != membership.organization_id:
                    request.session[SESSION_KEY] = membership.organization_id  # no write per hit
                membership.user = user
                request.membership = membership
                request.organization = membership.organization
                request.actor = Actor(organization=membership.organization, user=user,
                                      membership=membership, via=Via.UI)
                if user.language and not request.COOKIES.get("django_language"):
                    translation.activate(user.language)
                    request.LANGUAGE_CODE = user.language
        return self.get_response(request)
