"""Segments (saved filters): save the list's current filters as one, the segments page
(rename, share, delete, export), and a simple condition builder (field, operator, value)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kehu.core.customfields.models import FieldDefinition
from kehu.core.permissions.actor import Actor
from kehu.customers import exports, segments, selectors, services
from kehu.customers.forms import CUSTOM_FILTER_PREFIX
from kehu.customers.forms_lists import SegmentForm
from kehu.customers.models import Customer, Segment
from kehu.customers.views import _common, listing
from kehu.web.decorators import member_required

Kind = FieldDefinition.Kind
OPERATOR_LABELS = {
    "eq": gettext_lazy("is"), "ne": gettext_lazy("is not"),
    "contains": gettext_lazy("contains"), "in": gettext_lazy("is one of"),
    "empty": gettext_lazy("is empty"), "not_empty": gettext_lazy("is not empty"),
    "gt": gettext_lazy("is more than"), "gte": gettext_lazy("is at least"),
    "lt": gettext_lazy("is less than"), "lte": gettext_lazy("is at most"),
    "any": gettext_lazy("has any of"), "all": gettext_lazy("has all of"),
    "none": gettext_lazy("has none of"),
}
DATE_OPERATOR_LABELS = {"gte": gettext_lazy("is on or after"),
                        "lte": gettext_lazy("is on or before")}
DAYS_OPERATOR_LABELS = {"gte": gettext_lazy("at least (days)"),
                        "lte": gettext_lazy("at most (days)")}
CUSTOM_OPERATORS = {
    "text": ["contains", "eq", "empty", "not_empty"],
    "number": ["eq", "gt", "gte", "lt", "lte", "empty", "not_empty"],
    "choice": ["eq", "empty", "not_empty"],
}
VALUELESS = {"empty", "not_empty"}


# --- what the builder offers -----------------------------------------------------------------

def _custom_field(d: FieldDefinition, members: list[tuple[str, str]]) -> dict[str, Any]:
    if d.kind in (Kind.INTEGER, Kind.DECIMAL, Kind.MONEY):
        return {"ops": CUSTOM_OPERATORS["number"], "widget": "number"}
    if d.kind in (Kind.DATE, Kind.DATETIME):
        return {"ops": CUSTOM_OPERATORS["number"], "widget": "date"}
    if d.kind in (Kind.SELECT, Kind.MULTISELECT):
        return {"ops": CUSTOM_OPERATORS["choice"], "widget": "select",
                "choices": [[str(c), str(c)] for c in d.choices]}
    if d.kind == Kind.BOOLEAN:
        return {"ops": ["eq"], "widget": "select",
                "choices": [["true", _("Yes")], ["false", _("No")]]}
    if d.kind == Kind.USER:
        return {"ops": CUSTOM_OPERATORS["choice"], "widget": "select", "choices": members}
    return {"ops": CUSTOM_OPERATORS["text"], "widget": "text"}


def builder_fields(actor: Actor) -> list[dict[str, Any]]:
    """The fields a condition can test, with their operators and value widget, in the order
    the builder lists them (as JSON for the page)."""
    members = [list(m) for m in _common.member_choices(actor)]
    tags = [[str(pk), name] for pk, name in _common.tag_choices(actor)]

    def label(name: str) -> str:
        return str(Customer._meta.get_field(name).verbose_name).capitalize()

    fields: list[dict[str, Any]] = []
    for name in ["name", "short_name", "industry", "source", "province", "city", "district",
                 "address", "phone", "email", "website"]:
        fields.append({"key": name, "label": label(name), "widget": "text",
                       "ops": ["contains", "eq", "ne", "in", "empty", "not_empty"]})
    for name in segments.CHOICE_FIELDS:
        choices = [[k, str(v)] for k, v in Customer._meta.get_field(name).choices]
        fields.append({"key": name, "label": label(name), "widget": "select",
                       "ops": ["eq", "ne", "in"], "choices": choices})
    fields.append({"key": "owner", "label": _("Owner"), "widget": "select",
                   "ops": ["eq", "in", "empty", "not_empty"], "choices": members})
    fields.append({"key": "tags", "label": _("Tags"), "widget": "select",
                   "ops": ["any", "all", "none"], "choices": tags})
    fields.append({"key": "days_since_follow_up", "label": _("Days since last follow-up"),
                   "widget": "number", "ops": ["gte", "lte"],
                   "op_labels": {k: str(v) for k, v in DAYS_OPERATOR_LABELS.items()}})
    for name in ["next_follow_up_on", "last_contacted_at", "created_at"]:
        fields.append({"key": name, "label": label(name), "widget": "date",
                       "ops": ["gte", "lte", "empty", "not_empty"],
                       "op_labels": {k: str(v) for k, v in DATE_OPERATOR_LABELS.items()}})
    for d in _common.definitions(actor):
        if d.kind == Kind.LONG_TEXT:
            continue
        fields.append({"key": f"custom.{d.key}", "label": d.label, **_custom_field(d, members)})
    fields.sort(key=lambda f: 0 if f["key"] in ("tags", "days_since_follow_up") else 1)
    return fields


def describe(conditions: list[dict[str, Any]], fields: list[dict[str, Any]]) -> list[str]:
    """Each condition as a line people read: "City is 深圳", "Tags has any of VIP, 重点"."""
    by_key = {f["key"]: f for f in fields}
    lines = []
    for condition in conditions:
        field = by_key.get(condition.get("field", ""))
        op = condition.get("op", "")
        if field is None:
            lines.append(_("(a field that no longer exists)"))
            continue
        op_label = str(field.get("op_labels", {}).get(op) or OPERATOR_LABELS.get(op, op))
        line = f"{field['label']} {op_label}"
        if op not in VALUELESS:
            names = {str(k): str(v) for k, v in field.get("choices", [])}
            value = condition.get("value")
            values = value if isinstance(value, list) else [value]
            line += " " + ", ".join(names.get(str(v), str(v)) for v in values if v is not None)
        lines.append(line)
    return lines


# --- from the list's filters ---------------------------------------------------------------

def conditions_from_filters(actor: Actor, form) -> tuple[list[dict[str, Any]], bool]:
    """The list's filters as segment conditions, and whether a search text was left out
    (segments test fields, not the search index)."""
    conditions: list[dict[str, Any]] = []
    if form.value("status"):
        conditions.append({"field": "status", "op": "eq", "value": form.value("status")})
    owner = actor.user.pk if form.value("mine") else form.value("owner")
    if owner:
        conditions.append({"field": "owner", "op": "eq", "value": owner})
    if form.value("tag"):
        conditions.append({"field": "tags", "op": "any", "value": [form.value("tag")]})
    for definition in form.filter_definitions:
        raw = form.value(f"{CUSTOM_FILTER_PREFIX}{definition.key}")
        if raw in (None, ""):
            continue
        op = "contains" if definition.kind == Kind.TEXT else "eq"
        conditions.append({"field": f"custom.{definition.key}", "op": op, "value": raw})
    if form.value("segment"):
        segment = selectors.segment_get(actor=actor, segment_id=form.value("segment"))
        conditions += segment.filters
    return conditions, bool(form.value("q"))


@member_required
@require_POST
def segment_save_from_list(request: HttpRequest) -> HttpResponse:
    """Save the list's current filters (sent along with the name) as a new segment."""
    actor = request.actor
    _common.require(actor, "view")
    form = SegmentForm(request.POST)
    filters = listing.filter_form(request, actor, _common.definitions(actor), data=request.POST)
    if not form.is_valid():
        return _common.render_page(request, "_message.html", {
            "text": _("Give the segment a name."), "level": "error"}, status=422)
    conditions, search_left_out = conditions_from_filters(actor, filters)
    try:
        segment = services.segment_save(actor=actor, segment=None,
                                        name=form.cleaned_data["name"], conditions=conditions,
                                        is_shared=form.cleaned_data["is_shared"])
    except ValidationError as exc:
        return _common.render_page(request, "_message.html", {
            "text": " ".join(exc.messages), "level": "error"}, status=422)
    text = _("Segment “%(name)s” saved.") % {"name": segment.name}
    if search_left_out:
        text += " " + _("The search text is not part of a segment; it was left out.")
    messages.success(request, text)
    return _common.back_to(request, f"{reverse('customers:customer-list')}?segment={segment.pk}")


# --- the segments page ---------------------------------------------------------------------

def _may_change(actor: Actor, segment: Segment) -> bool:
    return segment.owner_id == actor.user.pk or actor.is_admin


@member_required
@require_GET
def segment_list_page(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    _common.require(actor, "view")
    fields = builder_fields(actor)
    rows = [{"segment": s, "conditions": describe(s.filters, fields),
             "may_change": _may_change(actor, s)}
            for s in selectors.segment_list(actor=actor).select_related("owner")]
    return _common.render_page(request, "segments.html", {
        "rows": rows, "tab": "segments", "can": _common.can(actor)})


@member_required
@require_http_methods(["GET", "POST"])
def segment_edit_page(request: HttpRequest, segment_id: int | None = None) -> HttpResponse:
    actor = request.actor
    _common.require(actor, "view")
    segment = selectors.segment_get(actor=actor, segment_id=segment_id) if segment_id else None
    if segment is not None and not _may_change(actor, segment):
        raise PermissionDenied
    initial = {"name": segment.name, "is_shared": segment.is_shared} if segment else {}
    form = SegmentForm(request.POST or None, initial=initial)
    conditions = form.conditions() if request.method == "POST" else (
        segment.filters if segment else [])
    problems: list[str] = []
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = services.segment_save(actor=actor, segment=segment,
                                              name=form.cleaned_data["name"],
                                              conditions=conditions,
                                              is_shared=form.cleaned_data["is_shared"])
            except ValidationError as exc:
                problems = _problems(exc)
            else:
                messages.success(request, _("Segment “%(name)s” saved.") % {"name": saved.name})
                return redirect("customers:segment-list")
        status = 422
    return _common.render_page(request, "segment_form.html", {
        "form": form, "segment": segment, "conditions": conditions, "problems": problems,
        "fields": builder_fields(actor), "tab": "segments", "can": _common.can(actor),
        "operator_labels": {k: str(v) for k, v in OPERATOR_LABELS.items()}}, status=status)


def _problems(exc: ValidationError) -> list[str]:
    """The service's errors, "conditions.2" read as "Condition 3"."""
    if not hasattr(exc, "error_dict"):
        return exc.messages
    lines = []
    for key, messages_ in exc.message_dict.items():
        if key.startswith("conditions."):
            number = int(key.split(".", 1)[1]) + 1
            lines += [_("Condition %(n)d: %(error)s") % {"n": number, "error": m}
                      for m in messages_]
        else:
            lines += messages_
    return lines


@member_required
@require_POST
def segment_delete(request: HttpRequest, segment_id: int) -> HttpResponse:
    actor = request.actor
    segment = selectors.segment_get(actor=actor, segment_id=segment_id)
    services.segment_delete(actor=actor, segment=segment)
    messages.success(request, _("Segment “%(name)s” deleted.") % {"name": segment.name})
    return redirect("customers:segment-list")


@member_required
@require_GET
def segment_export(request: HttpRequest, segment_id: int) -> HttpResponse:
    actor = request.actor
    _common.require(actor, "export")
    segment = selectors.segment_get(actor=actor, segment_id=segment_id)
    try:
        qs = selectors.segment_filter(actor=actor, segment=segment, queryset=selectors
                                      .customer_list(actor=actor, action="export"))
    except ValidationError as exc:
        messages.error(request, " ".join(_problems(exc)))
        return redirect("customers:segment-list")
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    return exports.export_customers(actor=actor, queryset=qs, fmt=fmt)
