"""What every API router shares: authentication, the one error shape, keyset pagination and
optimistic-concurrency versions."""


import base64
import datetime
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.errors import HttpError
from ninja.pagination import PaginationBase
from ninja.security import APIKeyCookie, HttpBearer

from kehu.core.accounts import selectors as account_selectors
from kehu.core.common.errors import DomainError
from kehu.core.permissions.actor import Actor, Via, active_membership


def _token_membership(secret: str):
    """The active membership behind a live token: the token is checked on every request, the
    membership, role and team come from the per-organization cache, which every change of a
    membership, role, team or organization invalidates."""
    token = account_selectors.api_token_verify(secret)
    if token is None:
        return None
    membership = active_membership(organization_id=token.organization_id, user_id=token.user_id)
    if membership is not None:
        membership.user = token.user
    return membership


class TokenAuth(HttpBearer):
    """`Authorization: Bearer kehu_…` with a personal API token."""

    def authenticate(self, request: HttpRequest, token: str):
        membership = _token_membership(token)
        if membership is None:
            return None
        request.user = membership.user
        request.actor = Actor(organization=membership.organization, user=membership.user,
                              membership=membership, via=Via.API)
        return membership.user


class SessionAuth(APIKeyCookie):
    """The browser's session (with CSRF on unsafe methods), for the web UI's own calls."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None):
        actor = getattr(request, "actor", None)
        if actor is None:
            return None
        actor.via = Via.API
        return request.user


def error_body(code: str, message: str, fields: dict[str, Any] | None = None,
               **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    body.update(extra)
    return {"error": body}


def validation_fields(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {("non_field" if k == "__all__" else k): [str(m) for m in v]
                for k, v in exc.message_dict.items()}
    return {"non_field": [str(m) for m in exc.messages]}


def register_error_handlers(api) -> None:
    from django.http import Http404
    from django.utils.translation import gettext as _
    from ninja.errors import AuthenticationError
    from ninja.errors import ValidationError as SchemaError

    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        return api.create_response(request, error_body(exc.code, exc.message, **exc.details),
                                   status=exc.status)

    @api.exception_handler(ValidationError)
    def invalid(request, exc: ValidationError):
        return api.create_response(
            request, error_body("invalid", _("Some values are not valid."),
                                validation_fields(exc)), status=422)

    @api.exception_handler(SchemaError)
    def schema_invalid(request, exc: SchemaError):
        fields: dict[str, list[str]] = {}
        for error in exc.errors:
            loc = [str(part) for part in error.get("loc", ()) if part not in ("body", "payload",
                                                                              "query")]
            fields.setdefault(".".join(loc) or "non_field", []).append(error.get("msg", ""))
        return api.create_response(
            request, error_body("invalid", _("Some values are not valid."), fields), status=422)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return api.create_response(
            request, error_body("unauthenticated", _("Sign in or send a valid API token.")),
            status=401)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return api.create_response(request, error_body("not_found", _("Not found.")), status=404)

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        return api.create_response(request, error_body("http_error", str(exc)),
                                   status=exc.status_code)


def expected_version(request: HttpRequest, body_version: int | None) -> int:
    """The version the client read, from the body's `version` or an `If-Match` header.
    Required: an update without it could silently overwrite someone else's change."""
    from django.utils.translation import gettext as _

    if body_version is not None:
        return body_version
    header = request.headers.get("If-Match", "").strip().removeprefix("W/").strip('"')
    if header.isdigit():
        return int(header)
    raise DomainError("version_required",
                      _("Send the record's version (in the body or an If-Match header)."),
                      status=428)


class CursorPage(PaginationBase):
    """Keyset pagination over the queryset's own ordering: a deep page costs what the first
    one does. The cursor is opaque to clients (base64 of the last row's sort values)."""

    class Input(Schema):
        cursor: str | None = Field(None, description="`next_cursor` of the previous page")
        limit: int = Field(50, ge=1, le=500)

    class Output(Schema):
        items: list[Any]
        next_cursor: str | None

    items_attribute = "items"

    def paginate_queryset(self, queryset: QuerySet, pagination: Input, **params: Any):
        return keyset_page(queryset, pagination.cursor, pagination.limit)


def _ordering(queryset: QuerySet) -> list[str]:
    ordering = list(queryset.query.order_by or queryset.model._meta.ordering or ["-pk"])
    if not any(f.lstrip("-") in ("pk", "id") for f in ordering):
        ordering.append("-id" if ordering[-1].startswith("-") else "id")
    return ordering


def keyset_page(queryset: QuerySet, cursor: str | None, limit: int) -> dict[str, Any]:
    ordering = _ordering(queryset)
    queryset = queryset.order_by(*ordering)
    if cursor:
        try:
            values = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        except ValueError:
            values = None
        if not isinstance(values, list) or len(values) != len(ordering):
            raise DomainError("invalid_cursor", "Invalid cursor.", status=400)
        queryset = queryset.filter(_after(ordering, values))
    rows = list(queryset[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        values = [_attr(last, f.lstrip("-")) for f in ordering]
        next_cursor = base64.urlsafe_b64encode(
            json.dumps(values, cls=_CursorEncoder).encode()).decode()
    return {"items": rows, "next_cursor": next_cursor}


class _CursorEncoder(DjangoJSONEncoder):
    """Full precision: DjangoJSONEncoder cuts datetimes to milliseconds, and rows sharing the
    cut-off value would be skipped or repeated on the next page."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime.datetime):
            return o.isoformat()
        return super().default(o)


def _attr(obj: Any, path: str) -> Any:
    for part in path.split("__"):
        obj = getattr(obj, "pk" if part == "pk" else part)
    return obj


def _after(ordering: list[str], values: list[Any]) -> Q:
    condition = Q()
    for i, field in enumerate(ordering):
        name = field.lstrip("-")
        op = "lt" if field.startswith("-") else "gt"
        step = Q(**{f"{name}__{op}": values[i]})
        for prev, value in zip(ordering[:i], values[:i], strict=True):
            step &= Q(**{prev.lstrip("-"): value})
        condition |= step
    return condition
