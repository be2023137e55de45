"""Guards for HTML views.

    @member_required   signed in and working in an organization (request.actor is set),
                       else the login page; a PermissionDeniedError from a service or
                       selector becomes a 403 page.
    @admin_required    the same, and the actor is an organization admin, else 403.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from kehu.core.common.errors import PermissionDeniedError
from kehu.core.permissions import scoping

View = Callable[..., HttpResponse]


def member_required(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated or getattr(request, "actor", None) is None:
            return redirect_to_login(request.get_full_path())
        try:
            return view(request, *args, **kwargs)
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc

    return wrapper


def admin_required(view: View) -> View:
    @wraps(view)
    def check_admin(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        scoping.require_admin(request.actor)
        return view(request, *args, **kwargs)

    return member_required(check_admin)
