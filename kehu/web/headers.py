"""The Content-Security-Policy of every response (SecurityMiddleware already sends nosniff,
Referrer-Policy and Cross-Origin-Opener-Policy; XFrameOptionsMiddleware sends DENY).

Scripts come only from our own static files: no inline <script> and no on* attributes.
'unsafe-eval' stays because Alpine's standard build and htmx's hx-on compile their attribute
expressions with Function(); Alpine's CSP build would need every x-data expression rewritten
as a registered component (docs/security.md). Inline styles stay allowed: standalone pages
(print, the public form) carry a <style> block, and style attributes cannot run script.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

POLICY = {
    "default-src": "'self'",
    "script-src": "'self' 'unsafe-eval'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data: blob:",
    "font-src": "'self' data:",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def policy(*, frameable: bool = False) -> str:
    directives = {**POLICY, "frame-ancestors": "*"} if frameable else POLICY
    return "; ".join(f"{name} {value}" for name, value in directives.items())


STRICT = policy()
FRAMEABLE = policy(frameable=True)
# Files (attachments, exports, JSON): nothing in them may run, even if a browser is talked
# into rendering one. PDFs keep the page policy: Chromium's viewer does not open in a sandbox.
FILE = "default-src 'none'; frame-ancestors 'none'; sandbox"


class ContentSecurityPolicyMiddleware:
    """Pages marked with @xframe_options_exempt (the embeddable lead form) may be framed by any
    site; every other page by none, the same rule as X-Frame-Options."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy_for(response)
        return response

    @staticmethod
    def policy_for(response: HttpResponse) -> str:
        content_type = response.get("Content-Type", "")
        if not content_type.startswith(("text/html", "application/pdf")):
            return FILE
        return FRAMEABLE if getattr(response, "xframe_options_exempt", False) else STRICT
