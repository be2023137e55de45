"""Importing leads from real files: a GBK CSV as Chinese Excel writes it, an XLSX from openpyxl;
the service, the pages, the API and the command."""

import csv
import io
import json
from collections import Counter

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook

from kehu.core.audit.models import ChangeRecord
from kehu.core.common.errors import DomainError
from kehu.core.common.testing import (
    OrganizationFactory,
    actor_for,
    admin_of,
    api_client,
    member,
    web_client,
)
from kehu.leads import imports
from kehu.leads.models import Lead
from kehu.leads.tests.factories import RuleFactory

pytestmark = pytest.mark.django_db

GBK_ROWS = [
    "姓名,公司,手机,邮箱,省份,城市,来源渠道",
    "张三,上海星辰科技有限公司,13912345678.0,zhang@example.com,上海,上海,展会",  # row 2
    "李四,北京远景贸易有限公司,1.3912345679E+10,li@example.com,北京,北京,官网",  # row 3
    "王五,,1.39123E+10,wang@example.com,,,",  # row 4: Excel lost the last digits
    "赵六,=HYPERLINK(\"x\"),,not-an-email,,,",  # row 5: bad email
    ",,,,,,",  # row 6: blank, skipped
    "孙七 ,ＡＢＣ公司,,,广东,深圳,",  # row 7: stray and full-width characters
]


def gbk_csv() -> bytes:
    """What Chinese Excel saves as “CSV (逗号分隔)”: GBK bytes with CRLF line ends."""
    return ("\r\n".join(GBK_ROWS) + "\r\n").encode("gbk")


def xlsx_file() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Name", "Company", "Mobile", "Email", "Fax"])
    sheet.append(["Alice Wang", "Acme Ltd", 13912345678, "alice@example.com", "021-1234"])
    sheet.append(["Bob Li", "Beta Co", 13812345678.0, "bob@@example", ""])  # row 3: bad email
    sheet.append(["Carol Zhou", "", None, "carol@example.com", None])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.fixture
def org():
    return OrganizationFactory()


@pytest.fixture
def manager(org):
    return member(org, "sales_manager")


@pytest.fixture
def reps(org):
    reps = [member(org, "sales_rep") for _ in range(2)]
    RuleFactory(organization=org, members=[r.user for r in reps])
    return reps


# --- the service -----------------------------------------------------------------------------

def test_gbk_csv_from_chinese_excel_imports_rejects_and_assigns_round_robin(org, manager, reps):
    report = imports.lead_import(actor=actor_for(manager), file_name="线索.csv",
                                 data=gbk_csv())
    assert report.created == 3
    assert [(r.row, r.field) for r in report.rejected] == [(4, "mobile"), (5, "email")]
    assert "1.39123E+10" in report.rejected[0].message
    assert report.rejected[1].values[:4] == ["赵六", "=HYPERLINK(\"x\")", "", "not-an-email"]
    assert report.ignored_columns == ["来源渠道"]
    leads = {lead.name: lead for lead in Lead.objects.filter(organization=org)}
    assert set(leads) == {"张三", "李四", "孙七"}
    assert leads["张三"].mobile == "+8613912345678"
    assert leads["李四"].mobile == "+8613912345679"
    assert leads["孙七"].company == "ABC公司"
    assert {lead.source for lead in leads.values()} == {"import"}
    # the round-robin rule handed them out
    assert report.assigned == 3
    owners = Counter(lead.owner_id for lead in leads.values())
    assert set(owners) == {r.user_id for r in reps}
    assert sorted(owners.values()) == [1, 2]


def test_xlsx_with_numbers_as_phones_and_english_headers(org, manager):
    report = imports.lead_import(actor=actor_for(manager), file_name="leads.xlsx",
                                 data=xlsx_file())
    assert report.created == 2
    assert [(r.row, r.field) for r in report.rejected] == [(3, "email")]
    assert report.rejected[0].values[:2] == ["Bob Li", "Beta Co"]
    assert report.ignored_columns == ["Fax"]
    alice = Lead.objects.get(organization=org, name="Alice Wang")
    assert alice.mobile == "+8613912345678"
    # no rule: the leads wait in the pool
    assert alice.owner_id is None
    assert report.assigned == 0 and report.in_pool == 2


def test_dry_run_writes_nothing(org, manager, reps):
    report = imports.lead_import(actor=actor_for(manager), file_name="线索.csv",
                                 data=gbk_csv(), dry_run=True)
    assert report.created == 3 and report.rejected_count == 2
    assert report.assigned == 0 and report.lead_ids == []
    assert not Lead.objects.filter(organization=org).exists()
    assert not ChangeRecord.objects.filter(organization=org, object_type="leads.lead").exists()


def test_rows_are_written_in_batches_and_a_bad_row_stops_nothing(org, manager, monkeypatch):
    monkeypatch.setattr(imports, "BATCH_SIZE", 2)
    rows = ["姓名,邮箱"] + [f"L{i},{'bad' if i == 3 else f'l{i}@example.com'}" for i in range(7)]
    report = imports.lead_import(actor=actor_for(manager), file_name="a.csv",
                                 data="\n".join(rows).encode("utf-8-sig"))
    assert report.created == 6
    assert [(r.row, r.field) for r in report.rejected] == [(5, "email")]
    assert Lead.objects.filter(organization=org).count() == 6


def test_a_file_without_a_name_column_or_unreadable_is_refused(manager):
    actor = actor_for(manager)
    with pytest.raises(DomainError) as no_name:
        imports.lead_import(actor=actor, file_name="a.csv", data="公司,手机\n甲,1\n".encode())
    assert no_name.value.status == 422 and no_name.value.code == "no_name_column"
    with pytest.raises(DomainError) as old_excel:
        imports.lead_import(actor=actor, file_name="a.xls", data=b"\xd0\xcf\x11\xe0junk")
    assert old_excel.value.status == 422


def test_rejected_csv_has_bom_row_numbers_and_neutralized_cells(manager, reps):
    report = imports.lead_import(actor=actor_for(manager), file_name="线索.csv",
                                 data=gbk_csv())
    content = imports.rejected_csv(report)
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0][:7] == GBK_ROWS[0].split(",")
    assert len(rows[0]) == 10  # the file's columns, then row, field and reason
    assert rows[2][1] == "'=HYPERLINK(\"x\")"
    assert rows[2][7] == "5" and rows[2][9]


# --- the pages -------------------------------------------------------------------------------

def test_import_page_uploads_and_shows_the_result_and_rejected_rows(org, manager, reps):
    client = web_client(manager)
    assert reverse("leads:lead-import") in client.get(reverse("leads:lead-list")).content.decode()
    response = client.post(reverse("leads:lead-import"),
                           {"file": SimpleUploadedFile("线索.csv", gbk_csv())})
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-testid="created">3<' in body
    assert 'data-testid="rejected">2<' in body
    assert "not-an-email" in body and "来源渠道" in body
    download = client.get(reverse("leads:lead-import-rejected"))
    assert download.status_code == 200
    assert download.content.startswith(b"\xef\xbb\xbf")
    assert Lead.objects.filter(organization=org).count() == 3


def test_import_page_dry_run_writes_nothing(org, manager):
    client = web_client(manager)
    response = client.post(reverse("leads:lead-import"),
                           {"file": SimpleUploadedFile("leads.xlsx", xlsx_file()),
                            "dry_run": "on"})
    body = client.get(response["Location"]).content.decode()
    assert 'data-testid="created">2<' in body and 'data-testid="assigned"' not in body
    assert not Lead.objects.filter(organization=org).exists()


def test_unreadable_file_is_422_with_a_clear_message(manager):
    client = web_client(manager)
    response = client.post(reverse("leads:lead-import"),
                           {"file": SimpleUploadedFile("leads.xlsx", b"not a workbook")})
    assert response.status_code == 422
    assert 'class="errorlist' in response.content.decode()


def test_a_rep_may_not_import(org):
    rep = member(org, "sales_rep")
    client = web_client(rep)
    assert reverse("leads:lead-import") not in client.get(
        reverse("leads:lead-list")).content.decode()
    assert client.get(reverse("leads:lead-import")).status_code == 403
    assert client.post(reverse("leads:lead-import"),
                       {"file": SimpleUploadedFile("a.csv", gbk_csv())}).status_code == 403
    assert not Lead.objects.filter(organization=org).exists()


# --- the API and the command -----------------------------------------------------------------

def test_api_imports_a_file_and_returns_the_report(org, manager, reps):
    client = api_client(manager).client
    response = client.post("/api/v1/leads/import",
                           {"file": SimpleUploadedFile("leads.xlsx", xlsx_file())})
    assert response.status_code == 200, response.content
    data = json.loads(response.content)
    assert (data["created"], data["assigned"], data["rejected_count"]) == (2, 2, 1)
    assert data["rejected"][0]["row"] == 3 and data["rejected"][0]["field"] == "email"
    assert data["ignored_columns"] == ["Fax"]
    assert Lead.objects.filter(organization=org, owner__isnull=False).count() == 2


def test_api_dry_run_bad_file_and_rep(org, manager):
    client = api_client(manager).client
    dry = client.post("/api/v1/leads/import",
                      {"file": SimpleUploadedFile("a.csv", gbk_csv()), "dry_run": "true"})
    assert dry.status_code == 200 and json.loads(dry.content)["created"] == 3
    assert not Lead.objects.filter(organization=org).exists()
    bad = client.post("/api/v1/leads/import", {"file": SimpleUploadedFile("a.xls", b"x")})
    assert bad.status_code == 422
    rep = api_client(member(org, "sales_rep")).client
    denied = rep.post("/api/v1/leads/import", {"file": SimpleUploadedFile("a.csv", gbk_csv())})
    assert denied.status_code == 403


def test_command_imports_and_writes_the_rejected_rows(org, reps, tmp_path):
    admin = admin_of(org)
    path = tmp_path / "线索.csv"
    path.write_bytes(gbk_csv())
    out = io.StringIO()
    call_command("import_leads", str(path), "--org", org.slug, "--user", admin.user.email,
                 stdout=out)
    assert "3 created, 2 rejected, 3 assigned" in out.getvalue()
    assert (tmp_path / "线索-rejected.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert Lead.objects.filter(organization=org).count() == 3
