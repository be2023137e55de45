"""`kehu bi export`: CSV and Parquet files with exactly the views' rows and columns."""

from __future__ import annotations

import csv
import datetime
import json
from decimal import Decimal

import pyarrow.parquet as pq
import pytest
from django.core.management import call_command
from django.db import connection

from kehu.bi import ddl, export
from kehu.bi.schema import views
from kehu.bi.tests.scene import EVIL

pytestmark = pytest.mark.django_db


def view_rows(organization, view: str) -> tuple[list[str], list[tuple]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ddl.relation(organization.pk, view)} ORDER BY id")  # noqa: S608
        return [d[0] for d in cursor.description], cursor.fetchall()


def read_csv(path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))


def test_parquet_has_the_views_rows_and_columns_with_exact_decimals(ours, theirs, tmp_path):
    call_command("bi", "export", "--organization", ours.organization.slug, "--format",
                 "parquet", "--out", str(tmp_path))
    for view in views():
        names, rows = view_rows(ours.organization, view.name)
        table = pq.read_table(tmp_path / f"{view.name}.parquet")
        assert table.column_names == names, view.name
        assert table.num_rows == len(rows), view.name
        assert table.column("id").to_pylist() == [r[0] for r in rows], view.name
    orders = pq.read_table(tmp_path / "order_lines.parquet").to_pylist()
    assert (orders[0]["quantity"], orders[0]["unit_price"], orders[0]["total"]) == (
        Decimal("3.000"), Decimal("333.67"), Decimal("1001.01"))
    payment = pq.read_table(tmp_path / "payments.parquet").to_pylist()[0]
    assert payment["amount"] == Decimal("333.33")
    assert payment["received_on"] == datetime.date(2026, 2, 1)
    assert payment["created_at"].tzinfo is not None
    customer = pq.read_table(tmp_path / "customers.parquet").to_pylist()[0]
    assert (customer["cf_budget"], customer["cf_signed"], customer["cf_founded"],
            customer["cf_headcount"], customer["cf_deal_size"], customer["cf_channels"]) == (
        Decimal("1234.50"), True, datetime.date(2020, 1, 2), 120, Decimal("99.90"), "线上, 线下")
    schema = pq.read_schema(tmp_path / "opportunities.parquet")
    assert str(schema.field("weighted_amount").type) == "decimal128(18, 2)"
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["views"]["customers"]["rows"] == 2
    assert "乙方" not in json.dumps([pq.read_table(tmp_path / f"{v.name}.parquet").to_pylist()
                                    for v in views()], default=str, ensure_ascii=False)


def test_csv_agrees_with_parquet_and_neutralizes_formulas(ours, tmp_path):
    call_command("bi", "export", "--organization", str(ours.organization.pk), "--out",
                 str(tmp_path / "csv"))
    call_command("bi", "export", "--organization", str(ours.organization.pk), "--format",
                 "parquet", "--out", str(tmp_path / "parquet"))
    for view in views():
        rows = read_csv(tmp_path / "csv" / f"{view.name}.csv")
        table = pq.read_table(tmp_path / "parquet" / f"{view.name}.parquet")
        assert list(rows[0].keys()) == table.column_names, view.name
        assert [int(r["id"]) for r in rows] == table.column("id").to_pylist(), view.name
    customers = read_csv(tmp_path / "csv" / "customers.csv")
    assert [c["name"] for c in customers] == ["华为技术有限公司", "'" + EVIL]
    assert (Decimal(customers[0]["cf_budget"]), customers[0]["cf_signed"],
            customers[0]["cf_founded"]) == (Decimal("1234.50"), "true", "2020-01-02")
    assert {c["title"] for c in read_csv(tmp_path / "csv" / "contacts.csv")} == {"'-经理"}
    assert read_csv(tmp_path / "csv" / "payments.csv")[0]["amount"] == "333.33"
    created = read_csv(tmp_path / "csv" / "customers.csv")[0]["created_at"]
    assert datetime.datetime.fromisoformat(created).utcoffset() == datetime.timedelta(hours=8)


def test_the_export_reads_in_pages(ours, tmp_path, monkeypatch):
    monkeypatch.setattr(export, "BATCH", 1)
    monkeypatch.setattr(export, "ROW_GROUP", 2)
    result = export.organization_export(organization=ours.organization, fmt="parquet",
                                        out=tmp_path)
    assert result.rows["customers"] == 2
    assert result.rows["contacts"] == 2
    metadata = pq.ParquetFile(tmp_path / "customers.parquet").metadata
    assert metadata.num_row_groups == 1 and metadata.num_rows == 2
    assert not list(tmp_path.glob("*.partial"))
