"""/api/v1/reports: saved reports (CRUD, sharing, pins), ad-hoc runs and results."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from kehu.core.common.api import CursorPage, expected_version
from kehu.reports import engine, selectors, services
from kehu.reports.definitions import Definition
from kehu.reports.models import SavedReport

router = Router(tags=["reports"])


class FilterIn(Schema):
    field: str
    op: str
    value: Any = None


class GroupByIn(Schema):
    field: str
    bucket: str | None = None


class MeasureIn(Schema):
    fn: str
    field: str | None = None


class DefinitionIn(Schema):
    object: str
    filters: list[FilterIn] = []
    group_by: list[GroupByIn] = []
    measures: list[MeasureIn] = []
    chart: str = "table"


class SharesIn(Schema):
    user_ids: list[int] = []
    team_ids: list[int] = []
    role_ids: list[int] = []


class ReportIn(Schema):
    name: str
    description: str = ""
    definition: DefinitionIn


class ReportPatch(Schema):
    name: str | None = None
    description: str | None = None
    definition: DefinitionIn | None = None
    version: int | None = None


class SharesOut(Schema):
    user_ids: list[int]
    team_ids: list[int]
    role_ids: list[int]


class ReportOut(Schema):
    id: int
    version: int
    name: str
    description: str
    owner_id: int
    definition: dict[str, Any]


class ReportDetailOut(ReportOut):
    shares: SharesOut
    can_edit: bool
    pinned: bool


class MeasureOut(Schema):
    key: str
    label: str
    fn: str
    field: str | None
    money: bool


class RowOut(Schema):
    keys: list[str]
    labels: list[str]
    values: list[int | str | None]  # counts as integers, other figures as decimal strings
    currencies: list[str]


class ResultOut(Schema):
    object: str
    chart: str
    dimensions: list[str]
    measures: list[MeasureOut]
    rows: list[RowOut]
    truncated: bool
    message: str


class OptionOut(Schema):
    key: str
    label: str


class ReportFieldOut(Schema):
    key: str
    label: str
    kind: str
    operators: list[OptionOut]
    groupable: bool
    measurable: bool
    buckets: list[OptionOut]
    choices: list[OptionOut]


class ObjectOut(Schema):
    key: str
    label: str
    fields: list[ReportFieldOut]


def _definition(payload: DefinitionIn) -> dict[str, Any]:
    return payload.dict()


def _detail(request: HttpRequest, report: SavedReport) -> dict[str, Any]:
    actor = request.actor
    return {"id": report.pk, "version": report.version, "name": report.name,
            "description": report.description, "owner_id": report.owner_id,
            "definition": report.definition, "shares": selectors.report_shares(report=report),
            "can_edit": selectors.can_edit(actor=actor, report=report),
            "pinned": selectors.is_pinned(actor=actor, report=report)}


def _result(result: engine.Result) -> dict[str, Any]:
    d: Definition = result.definition
    return {
        "object": d.spec.key, "chart": d.chart, "dimensions": result.dimensions,
        "measures": [{"key": m.key, "label": m.label, "fn": m.fn,
                      "field": m.field.key if m.field else None, "money": m.is_money}
                     for m in result.measures],
        "rows": [{"keys": list(r.keys), "labels": list(r.labels),
                  "values": [v if v is None or isinstance(v, int) else str(v) for v in r.values],
                  "currencies": r.currencies} for r in result.rows],
        "truncated": result.truncated, "message": result.message,
    }


@router.get("/objects", response=list[ObjectOut])
def list_objects(request: HttpRequest):
    """The objects the caller may report on, with their fields, operators and buckets."""
    return selectors.report_catalog(actor=request.actor)


@router.post("/run", response=ResultOut)
def run_report(request: HttpRequest, payload: DefinitionIn):
    """Run a definition without saving it; rows are limited to what the caller may see."""
    return _result(selectors.report_run(actor=request.actor, data=_definition(payload)))


@router.get("", response=list[ReportOut])
@paginate(CursorPage)
def list_reports(request: HttpRequest, mine: bool | None = None):
    """The caller's own reports and those shared with them."""
    return selectors.report_list(actor=request.actor, mine=mine)


@router.post("", response={201: ReportDetailOut})
def create_report(request: HttpRequest, payload: ReportIn):
    report = services.report_create(actor=request.actor, values={
        "name": payload.name, "description": payload.description,
        "definition": _definition(payload.definition)})
    return Status(201, _detail(request, report))


@router.get("/{report_id}", response=ReportDetailOut)
def get_report(request: HttpRequest, response: HttpResponse, report_id: int):
    report = selectors.report_get(actor=request.actor, report_id=report_id)
    response["ETag"] = f'"{report.version}"'
    return _detail(request, report)


@router.patch("/{report_id}", response=ReportDetailOut)
def update_report(request: HttpRequest, report_id: int, payload: ReportPatch):
    report = selectors.report_get(actor=request.actor, report_id=report_id, action="edit")
    version = expected_version(request, payload.version)
    values = payload.dict(exclude_unset=True, exclude={"version"})
    if payload.definition is not None:
        values["definition"] = _definition(payload.definition)
    report = services.report_update(actor=request.actor, report=report, values=values,
                                    version=version)
    return _detail(request, report)


@router.delete("/{report_id}", response={204: None})
def delete_report(request: HttpRequest, report_id: int):
    report = selectors.report_get(actor=request.actor, report_id=report_id, action="delete")
    services.report_delete(actor=request.actor, report=report)
    return Status(204, None)


@router.put("/{report_id}/shares", response=ReportDetailOut)
def share_report(request: HttpRequest, report_id: int, payload: SharesIn):
    """Replace the people, teams (with their sub-teams) and roles the report is shared with."""
    report = selectors.report_get(actor=request.actor, report_id=report_id, action="edit")
    services.report_share(actor=request.actor, report=report, **payload.dict())
    return _detail(request, report)


@router.post("/{report_id}/pin", response=ReportDetailOut)
def pin_report(request: HttpRequest, report_id: int):
    report = selectors.report_get(actor=request.actor, report_id=report_id)
    services.report_pin(actor=request.actor, report=report)
    return _detail(request, report)


@router.delete("/{report_id}/pin", response=ReportDetailOut)
def unpin_report(request: HttpRequest, report_id: int):
    report = selectors.report_get(actor=request.actor, report_id=report_id)
    services.report_unpin(actor=request.actor, report=report)
    return _detail(request, report)


@router.get("/{report_id}/result", response=ResultOut)
def report_result(request: HttpRequest, report_id: int):
    """The saved report run for the caller: each viewer sees only the rows they may see."""
    report = selectors.report_get(actor=request.actor, report_id=report_id)
    return _result(selectors.report_result(actor=request.actor, report=report))
