"""What every API router shares: authentication, the one error shape, keyset pagination and
optimistic-concurrency versions."""


import base64
import datetime
import json
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Field, NinjaAPI, Schema
from ninja.errors import HttpError
from ninja.pagination import PaginationBase
from ninja.security import APIKeyCookie, HttpBearer

from kehu.core import rls
from kehu.core.accounts import selectors as account_selectors
from kehu.core.common import ratelimit
from kehu.core.common.errors import DomainError
from kehu.core.permissions.actor import Actor, Via, active_membership

# A row id as a query parameter: beyond the 64-bit range no row can match, and the database
# driver would fail on it (500) instead of finding nothing.
RowId = Annotated[int, Field(ge=1, le=2**63 - 1)]


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
    """`Authorization: Bearer kehu_…` with a personal API token. An address that sent
    KEHU_API_AUTH_FAILURE_LIMIT bad tokens within the window gets 429 until the window ends,
    good tokens included: guessing tokens must stay slow."""

    def authenticate(self, request: HttpRequest, token: str):
        from django.conf import settings
        from django.utils.translation import gettext as _

        window = settings.KEHU_API_AUTH_FAILURE_WINDOW
        if ratelimit.failures("api-token", request) >= settings.KEHU_API_AUTH_FAILURE_LIMIT:
            raise DomainError("rate_limited", _(
                "Too many requests with an invalid API token from your address. Try again in "
                "%(minutes)d minutes.") % {"minutes": max(1, window // 60)}, status=429)
        membership = _token_membership(token)
        if membership is None:
            ratelimit.record_failure("api-token", request, window=window)
            return None
        rls.activate(membership.organization_id)  # the middleware could not know it
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
    from django.db import DataError
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

    @api.exception_handler(OverflowError)
    @api.exception_handler(DataError)
    def out_of_range(request, exc):
        # a number (an id) too large for the database's integer, or a value its column
        # refuses (PostgreSQL): bad input, not a server error
        return api.create_response(
            request, error_body("invalid", _("A value is out of range.")), status=422)

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
            from django.utils.translation import gettext

            raise DomainError("invalid_cursor", gettext("Invalid cursor."), status=400)
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


ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {
        "type": "object",
        "required": ["code", "message"],
        "properties": {
            "code": {"type": "string"},
            "message": {"type": "string"},
            "fields": {"type": "object",
                       "additionalProperties": {"type": "array", "items": {"type": "string"}}},
        },
    }},
}
ERROR_STATUSES = {
    400: "Malformed request, e.g. an invalid cursor.",
    401: "Not signed in, or no valid API token.",
    403: "The caller's role does not allow this.",
    404: "Not found, or not visible to the caller.",
    409: "A business rule refused the change (a stale `version` too).",
    422: "Some values are not valid; `fields` says which.",
    428: "The record's `version` (or an `If-Match` header) is required.",
}


def _error_statuses(schema: dict[str, Any], method: str, operation: dict[str, Any]
                    ) -> list[int]:
    """The error answers an operation can give, from what it takes: every error handler of
    `register_error_handlers` applies to every operation, but only some can be triggered."""
    params = operation.get("parameters", [])
    body = operation.get("requestBody")
    body_fields = {name for content in (body or {}).get("content", {}).values()
                   for name in _properties(schema, content.get("schema", {}))}
    statuses = [401, 403]
    if any(p["in"] == "path" or p["name"].endswith("_id") for p in params) or any(
            name.endswith(("_id", "_ids")) for name in body_fields):
        statuses.append(404)  # a row named by id that the caller cannot see
    if method != "get":
        statuses.append(409)
    if params or body:
        statuses.append(422)
    if "version" in body_fields:
        statuses.append(428)
    if body or any(p["name"] == "cursor" for p in params):
        statuses.append(400)  # a body that is not JSON, a cursor that is not ours
    return statuses


def _properties(schema: dict[str, Any], node: dict[str, Any]) -> set[str]:
    if "$ref" in node:
        node = schema["components"]["schemas"].get(node["$ref"].rsplit("/", 1)[-1], {})
    return set(node.get("properties", {}))


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the one error shape, and the error statuses, to every operation of the schema."""
    schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    ref = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for methods in schema["paths"].values():
        for method, operation in methods.items():
            responses = operation.setdefault("responses", {})
            for status in _error_statuses(schema, method, operation):
                responses.setdefault(status, {"description": ERROR_STATUSES[status],
                                              "content": ref})
    return schema


class KehuAPI(NinjaAPI):
    """The NinjaAPI whose OpenAPI schema documents the error answers, in the one error shape
    (ninja documents only what handlers return, not what the exception handlers do)."""

    def get_openapi_schema(self, **kwargs: Any):
        return document_errors(super().get_openapi_schema(**kwargs))
