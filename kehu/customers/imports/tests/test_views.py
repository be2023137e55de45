"""The import pages: upload → mapping and preview → start → progress → result."""

import pytest
from django.urls import reverse

from kehu.core.common.testing import OrganizationFactory, admin_of, member, web_client
from kehu.customers.imports.tests.files import csv_bytes, upload, xlsx_bytes
from kehu.customers.models import Customer, ImportJob

pytestmark = [pytest.mark.django_db, pytest.mark.urls("kehu.customers.imports.tests.urls")]


def url(name, *args):
    return reverse(f"customers:{name}", args=args)


@pytest.fixture
def org():
    return OrganizationFactory()


@pytest.fixture
def browser(org):
    membership = admin_of(org)
    membership.user.language = "en"
    membership.user.save()
    client = web_client(membership)
    client.cookies["django_language"] = "en"
    return client


def test_upload_map_preview_start_and_result(browser, django_capture_on_commit_callbacks):
    # upload
    data = xlsx_bytes([["单位", "手机", "城市"], ["星河科技有限公司", 13812345678, "深圳"],
                       ["坏号码有限公司", "1.38123E+10", "北京"]])
    response = browser.post(url("import-upload"), {"file": upload("客户.xlsx", data),
                                                   "object_type": "customers"})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == url("import-detail", job.pk)
    # the mapping page: guessed columns as selects and the preview, with the problem shown
    page = browser.get(url("import-detail", job.pk))
    assert page.status_code == 200
    assert 'name="col_1"' in page.text and "scientific notation" in page.text
    assert "Customer name *" in page.text
    # "单位" was not recognized: choose it, and the preview follows (HTMX)
    form = {"col_0": "name", "col_1": "phone", "col_2": "city", "on_duplicate": "skip"}
    partial = browser.post(url("import-detail", job.pk), {**form, "action": "preview"},
                           headers={"HX-Request": "true"})
    assert partial.status_code == 200 and 'id="import-preview"' in partial.text
    assert "<html" not in partial.text and "New" in partial.text
    # start
    with django_capture_on_commit_callbacks(execute=True):
        started = browser.post(url("import-detail", job.pk), form)
    assert started.status_code == 302
    result = browser.get(url("import-detail", job.pk))
    assert 'data-testid="created">1<' in result.text
    assert 'data-testid="rejected">1<' in result.text
    assert url("import-report", job.pk) in result.text and "hx-trigger" not in result.text
    report = browser.get(url("import-report", job.pk))
    assert report.status_code == 200 and "rejected" in report["Content-Disposition"]
    assert Customer.objects.get().city == "深圳"
    assert "客户.xlsx" in browser.get(url("import-list")).text


def test_a_mapping_without_the_name_is_shown_again_with_the_problem(browser):
    browser.post(url("import-upload"), {"file": upload("a.csv", csv_bytes([["x"], ["1"]])),
                                        "object_type": "customers"})
    job = ImportJob.objects.get()
    response = browser.post(url("import-detail", job.pk), {"col_0": "", "on_duplicate": "skip"})
    assert response.status_code == 422
    assert "Choose the column that holds" in response.text
    assert ImportJob.objects.get().status == "pending"


def test_a_running_import_polls_its_progress_and_can_be_cancelled(browser):
    browser.post(url("import-upload"), {"file": upload("a.csv", csv_bytes([["客户名称"], ["甲"]])),
                                        "object_type": "customers"})
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(status="running", total_rows=10, rows_done=4)
    page = browser.get(url("import-detail", job.pk))
    assert 'hx-trigger="every 1s"' in page.text and 'value="40"' in page.text
    partial = browser.get(url("import-progress", job.pk))
    assert "<html" not in partial.text and "4 of 10 rows" in partial.text
    browser.post(url("import-cancel", job.pk))
    assert ImportJob.objects.get().cancel_requested


def test_a_dry_run_can_then_be_imported_for_real(browser, django_capture_on_commit_callbacks):
    browser.post(url("import-upload"), {"file": upload("a.csv", csv_bytes([["客户名称"], ["甲"]])),
                                        "object_type": "customers"})
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        browser.post(url("import-detail", job.pk), {"col_0": "name", "on_duplicate": "skip",
                                                    "dry_run": "on"})
    assert Customer.objects.count() == 0
    assert "Import for real" in browser.get(url("import-detail", job.pk)).text
    with django_capture_on_commit_callbacks(execute=True):
        browser.post(url("import-start", job.pk))
    assert Customer.objects.count() == 1


def test_unreadable_uploads_say_why(browser):
    response = browser.post(url("import-upload"), {"file": upload("旧.xls", b"\xd0\xcf\x11\xe0"),
                                                   "object_type": "customers"})
    assert response.status_code == 422 and "save it as .xlsx" in response.text


def test_the_pages_need_the_import_permission_and_hide_other_peoples_imports(org, browser):
    browser.post(url("import-upload"), {"file": upload("a.csv", csv_bytes([["客户名称"], ["甲"]])),
                                        "object_type": "customers"})
    job = ImportJob.objects.get()
    agent = web_client(member(org, "service_agent"))
    assert agent.get(url("import-upload")).status_code == 403
    rep = web_client(member(org, "sales_rep"))
    assert rep.get(url("import-upload")).status_code == 200
    assert rep.get(url("import-detail", job.pk)).status_code == 404
    assert rep.get(url("import-report", job.pk)).status_code == 404
    stranger = web_client(admin_of(OrganizationFactory()))
    assert stranger.get(url("import-detail", job.pk)).status_code == 404


def test_anonymous_users_are_sent_to_sign_in(client):
    response = client.get(url("import-upload"))
    assert response.status_code == 302 and reverse("web:login") in response["Location"]


def test_sample_file_lists_the_columns(browser):
    response = browser.get(url("import-sample") + "?type=customers")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
