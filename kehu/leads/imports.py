"""Importing leads from a CSV or XLSX file as Excel or WPS save it (线索导入).

    report = lead_import(actor=actor, file_name="线索.csv", data=raw_bytes, dry_run=False)

The file is opened with the customers import's reader (UTF-8 with or without BOM, GBK/GB18030,
XLSX) and its cells cleaned with the same tolerant cell parsers (phones stored as numbers,
full-width characters, stray spaces). Columns are matched by their Chinese or English
headers; unknown columns are left out and listed in the report.

Every row goes through `lead_create` (the same validation as a lead entered by hand), in
batches of BATCH_SIZE rows, each batch in its own transaction and each row in its own
savepoint, so a bad row is rejected (with the row number the spreadsheet shows, the field and
the reason) and does not stop the others. The leads go to the lead pool (source "import")
and the assignment rules then run once over all of them. A dry run does the same work inside
transactions that are rolled back: nothing is written.
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kehu.core.common.errors import DomainError
from kehu.core.common.exports import safe_cell
from kehu.core.permissions import scoping
from kehu.core.permissions.actor import Actor
from kehu.customers.imports import cells, mapping, reading
from kehu.leads.models import Lead
from kehu.leads.services import assignment
from kehu.leads.services import leads as lead_services

BATCH_SIZE = 500
MAX_ROWS = 5000  # the web and API import run while the user waits; the command has no limit

Target = mapping.Target

LEAD_TARGETS = [
    Target("name", _("Name"), ("姓名", "联系人", "联系人姓名", "名字", "客户姓名", "线索名称",
                               "name", "fullname", "contact", "contactname"), required=True),
    Target("company", _("Company"), ("公司", "单位", "公司名称", "单位名称", "企业名称",
                                     "客户名称", "company", "companyname", "organization",
                                     "organisation")),
    Target("mobile", _("Mobile"), ("手机", "手机号", "手机号码", "移动电话", "mobile",
                                   "mobilephone", "cell", "cellphone")),
    Target("phone", _("Phone"), ("电话", "座机", "联系电话", "电话号码", "办公电话", "phone",
                                 "tel", "telephone", "phonenumber")),
    Target("email", _("Email"), ("邮箱", "电子邮箱", "邮件", "电子邮件", "email", "e-mail",
                                 "mail")),
    Target("wechat", _("WeChat ID"), ("微信", "微信号", "wechat", "wechatid", "weixin")),
    Target("province", _("Province"), ("省份", "省", "所在省份", "province")),
    Target("city", _("City"), ("城市", "市", "所在城市", "city")),
    Target("industry", _("Industry"), ("行业", "所属行业", "industry")),
    Target("title", _("Job title"), ("职务", "职位", "头衔", "title", "jobtitle", "position")),
    Target("notes", _("Notes"), ("备注", "说明", "notes", "note", "remark", "remarks",
                                 "comment", "comments")),
]
PHONE_FIELDS = ("mobile", "phone")


class ImportRefused(DomainError):
    """The file as a whole cannot be imported (too large, no name column): 422."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message, status=422)


@dataclass
class RejectedRow:
    row: int             # as the spreadsheet shows it (the header is usually row 1)
    field: str           # the lead field the problem is in ("" for the row as a whole)
    message: str
    values: list[str]    # the row's original cells, one per header of the report


@dataclass
class LeadImportReport:
    file_name: str
    dry_run: bool = False
    headers: list[str] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # header → lead field
    ignored_columns: list[str] = field(default_factory=list)
    created: int = 0  # in a dry run: the rows that would be created
    assigned: int = 0
    to_pool: bool = True  # False: the importer may not assign, so the leads are theirs
    rejected: list[RejectedRow] = field(default_factory=list)
    lead_ids: list[int] = field(default_factory=list)

    @property
    def rejected_count(self) -> int:
        return len(self.rejected)

    @property
    def in_pool(self) -> int:
        """Imported leads no rule took: they wait in the lead pool."""
        return self.created - self.assigned if self.to_pool and not self.dry_run else 0

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe (the API answer and what the web pages keep in the session)."""
        data = asdict(self)
        data["rejected_count"] = self.rejected_count
        data["in_pool"] = self.in_pool
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LeadImportReport:
        values = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        values["rejected"] = [RejectedRow(**r) for r in data.get("rejected", [])]
        return cls(**values)


def require_import(actor: Actor) -> None:
    """Importing leads needs the rights to import and to create them."""
    scoping.require(actor, "import", Lead)
    scoping.require(actor, "create", Lead)


def check_size(size: int, *, max_bytes: int | None = None) -> None:
    """Refuse a file larger than the upload limit (before reading it, when the size is known).
    `max_bytes=0` means no limit."""
    limit = settings.KEHU_UPLOAD_MAX_BYTES if max_bytes is None else max_bytes
    if limit and size > limit:
        raise ImportRefused("file_too_large", gettext(
            "The file is larger than %(limit)s. Split it, or ask an administrator to import "
            "it with the `kehu import_leads` command.") % {"limit": filesizeformat(limit)})


def header_score(cells_row: list[str]) -> int:
    return mapping.header_score(cells_row, all_targets=LEAD_TARGETS)


def lead_import(*, actor: Actor, file_name: str, data: bytes, dry_run: bool = False,
                max_rows: int | None = MAX_ROWS,
                max_bytes: int | None = None) -> LeadImportReport:
    """Import the leads of a CSV or XLSX file. Raises UnreadableFile / ImportRefused (422) when
    the file as a whole cannot be used; rows with bad values are listed in the report."""
    require_import(actor)
    check_size(len(data), max_bytes=max_bytes)
    table = reading.open_table(lambda: io.BytesIO(data), file_name, header_score=header_score)
    keys = mapping.guess(table.headers, all_targets=LEAD_TARGETS)
    report = LeadImportReport(file_name=file_name, dry_run=dry_run, headers=table.headers)
    columns: list[tuple[int, str]] = []
    for index, (header, key) in enumerate(zip(table.headers, keys, strict=True)):
        if key:
            columns.append((index, key))
            report.columns[header] = key
        else:
            report.ignored_columns.append(header)
    if "name" not in report.columns.values():
        raise ImportRefused("no_name_column", gettext(
            "No column of the file holds the lead's name. Name one column “姓名”, “联系人” or "
            "“Name” and upload the file again."))
    rows = list(table.rows())
    if max_rows and len(rows) > max_rows:
        raise ImportRefused("too_many_rows", gettext(
            "The file has %(count)d rows; at most %(max)d can be imported at once. Split the "
            "file, or ask an administrator to import it with the `kehu import_leads` command.")
            % {"count": len(rows), "max": max_rows})
    # Leads go to the pool for the assignment rules; putting a lead there is assigning it,
    # so someone without that right gets the leads they import, as when entering them by hand.
    to_pool = report.to_pool = actor.can("assign", "leads.lead")
    for start in range(0, len(rows), BATCH_SIZE):
        _import_batch(actor, rows[start:start + BATCH_SIZE], columns, report,
                      to_pool=to_pool, dry_run=dry_run)
    if report.lead_ids and to_pool and not dry_run:
        result = assignment.leads_assign(actor=actor, lead_ids=report.lead_ids)
        report.assigned = result.assigned
    return report


def _import_batch(actor: Actor, batch: list[tuple[int, list[Any]]],
                  columns: list[tuple[int, str]], report: LeadImportReport, *,
                  to_pool: bool, dry_run: bool) -> None:
    created: list[int] = []
    with transaction.atomic():
        for number, row in batch:
            try:
                values = _values(row, columns)
                values["source"] = Lead.Source.IMPORT
                if to_pool:
                    values["owner_id"] = None
                lead = lead_services.lead_create(actor=actor, values=values)
            except ValidationError as exc:
                field_name, message = _first_problem(exc)
                report.rejected.append(RejectedRow(number, field_name, message, _originals(row)))
            except DomainError as exc:
                report.rejected.append(RejectedRow(number, "", exc.message, _originals(row)))
            else:
                created.append(lead.pk)
        if dry_run:
            transaction.set_rollback(True)
    report.created += len(created)
    if not dry_run:
        report.lead_ids += created


def _values(row: list[Any], columns: list[tuple[int, str]]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for index, key in columns:
        raw = row[index]
        if key in PHONE_FIELDS:
            try:
                values[key] = cells.phone(raw)
            except cells.CellError as exc:
                raise ValidationError({key: str(exc)}) from exc
        else:
            values[key] = cells.text(raw, multiline=key == "notes")
    return values


def _first_problem(exc: ValidationError) -> tuple[str, str]:
    """The field of the first problem and every problem of the row, as one message."""
    if not hasattr(exc, "error_dict"):
        return "", " ".join(exc.messages)
    problems = exc.message_dict
    names = list(problems)
    first = names[0]
    if len(names) == 1:
        return ("" if first == NON_FIELD_ERRORS else first), " ".join(problems[first])
    labels = {t.key: str(t.label) for t in LEAD_TARGETS}
    parts = [" ".join(msgs) if name == NON_FIELD_ERRORS
             else f"{labels.get(name, name)}: {' '.join(msgs)}" for name, msgs in problems.items()]
    return ("" if first == NON_FIELD_ERRORS else first), "; ".join(parts)


def _originals(row: list[Any]) -> list[str]:
    result = []
    for value in row:
        value = cells.plain(value)
        if isinstance(value, datetime.datetime | datetime.date):
            value = value.isoformat(sep=" ") if isinstance(value, datetime.datetime) \
                else value.isoformat()
        result.append(str(value))
    return result


def rejected_csv(report: LeadImportReport) -> bytes:
    """The rejected rows as a CSV Excel opens (UTF-8 with BOM): the file's columns with the
    original values, then the row number, the field and the reason. Fix the rows in it and
    import it again (the three extra columns are left out)."""
    labels = {t.key: str(t.label) for t in LEAD_TARGETS}
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(h) for h in
                     [*report.headers, gettext("Row"), gettext("Field"), gettext("Reason")]])
    width = len(report.headers)
    for item in report.rejected:
        values = [*item.values[:width], *([""] * (width - len(item.values)))]
        writer.writerow([safe_cell(v) for v in
                         [*values, item.row, labels.get(item.field, item.field),
                          item.message]])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def rejected_csv_name(report: LeadImportReport) -> str:
    stem = report.file_name.rsplit(".", 1)[0] or "leads"
    return f"{stem}-{gettext('rejected')}.csv"
