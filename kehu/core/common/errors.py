"""Errors that services raise and both surfaces (HTML, API) translate."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A business rule was broken. API: 409 (or `status`); HTML: a form or page message."""

    status = 409

    def __init__(self, code: str, message: str, *, status: int | None = None,
                 details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = str(message)
        self.details = details or {}
        if status is not None:
            self.status = status


class StaleWrite(DomainError):
    """The record changed since the client read it; the client must reload and retry."""

    def __init__(self, *, current_version: int) -> None:
        from django.utils.translation import gettext

        super().__init__(
            "stale_version",
            gettext("This record was changed by someone else. Reload it and try again."),
            details={"current_version": current_version},
        )


class PermissionDeniedError(DomainError):
    status = 403

    def __init__(self, message: str | None = None) -> None:
        from django.utils.translation import gettext

        super().__init__("permission_denied",
                         message or gettext("You do not have permission to do this."))
