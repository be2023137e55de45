"""/api/v1/customers/imports: upload, preview, start, poll, report, cancel, mappings."""

import csv
import io

import pytest
from django.test import Client

from kehu.core.common.testing import OrganizationFactory, admin_of, api_client, member
from kehu.customers.imports.tests.files import csv_bytes, upload
from kehu.customers.models import Customer, ImportJob, ImportMapping

pytestmark = [pytest.mark.django_db, pytest.mark.urls("kehu.customers.imports.tests.urls")]

URL = "/api/v1/customers/imports"
FILE = csv_bytes([["客户名称", "手机", "序号"], ["星河科技有限公司", "13812345678", "1"],
                  ["坏号码有限公司", "1.38123E+10", "2"]], encoding="gbk")


@pytest.fixture
def org():
    return OrganizationFactory()


@pytest.fixture
def admin(org):
    membership = admin_of(org)
    membership.user.language = "en"
    membership.user.save()
    return membership


def english(membership):
    api = api_client(membership)
    api.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return api


def post_file(api, data=FILE, name="客户.csv", **fields):
    return api.client.post(URL, {"file": upload(name, data), **fields})


def test_upload_preview_start_poll_and_download_the_report(admin,
                                                           django_capture_on_commit_callbacks):
    api = english(admin)
    # upload: nothing is imported, the answer shows the mapping and a preview
    response = post_file(api)
    assert response.status_code == 201, response.content
    job = response.json()
    assert (job["status"], job["encoding"], job["mapping"]) == ("pending", "gb18030",
                                                                ["name", "phone", ""])
    assert [r["action"] for r in job["preview"]] == ["create", "reject"]
    assert "scientific notation" in job["preview"][1]["reason"]
    assert Customer.objects.count() == 0
    # start with options; the job runs in the background (here at once)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"{URL}/{job['id']}/start", {"on_duplicate": "update",
                                                         "save_mapping_as": "标准"})
    assert response.status_code == 202, response.content
    done = api.get(f"{URL}/{job['id']}").json()
    assert (done["status"], done["created"], done["rejected"], done["rows_done"]) == (
        "done", 1, 1, 2)
    assert done["batches"][0]["written"] == [[2, 2]] and done["has_report"]
    report = api.get(f"{URL}/{job['id']}/report")
    assert report.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(report.streaming_content)
                                           .decode("utf-8-sig"))))
    assert [(r["客户名称"], r["Row"]) for r in rows] == [("坏号码有限公司", "3")]
    assert ImportMapping.objects.get(name="标准").mapping == {"客户名称": "name", "手机": "phone",
                                                               "序号": ""}
    assert [j["id"] for j in api.get(URL).json()["items"]] == [job["id"]]


def test_a_wrong_mapping_is_refused_with_the_reasons(admin):
    api = english(admin)
    job = post_file(api).json()
    response = api.post(f"{URL}/{job['id']}/start", {"mapping": ["phone", "phone", ""]})
    assert response.status_code == 422
    assert "more than one column" in str(response.json()["error"]["fields"])


def test_old_excel_files_are_refused_with_advice(admin):
    response = post_file(english(admin), data=b"\xd0\xcf\x11\xe0", name="客户.xls")
    assert response.status_code == 422
    assert ".xlsx" in response.json()["error"]["message"]


def test_files_over_the_import_limit_are_refused(admin, settings):
    settings.KEHU_UPLOAD_MAX_BYTES = 10
    response = post_file(english(admin))
    assert response.status_code == 422
    assert "larger than" in str(response.json()["error"])


def test_cancel_before_it_runs(admin):
    api = english(admin)
    job = post_file(api).json()
    response = api.post(f"{URL}/{job['id']}/cancel")
    assert response.json()["status"] == "cancelled"
    assert api.post(f"{URL}/{job['id']}/start", {}).status_code == 409


def test_mappings_are_listed_and_saved(admin):
    api = english(admin)
    response = api.post(f"{URL}/mappings", {"name": "ERP", "mapping": {"单位": "name"}})
    assert response.status_code == 201
    assert [m["name"] for m in api.get(f"{URL}/mappings").json()] == ["ERP"]
    bad = api.post(f"{URL}/mappings", {"name": "x", "mapping": {"单位": "nonsense"}})
    assert bad.status_code == 422


def test_anonymous_users_and_users_without_the_permission_are_refused(org, admin):
    assert Client().post(URL, {"file": upload("a.csv", FILE)}).status_code == 401
    agent = api_client(member(org, "service_agent"))
    assert post_file(agent).status_code == 403


def test_another_users_or_organizations_import_is_not_found(org, admin):
    job = post_file(api_client(admin)).json()
    rep = api_client(member(org, "sales_rep"))
    assert rep.get(f"{URL}/{job['id']}").status_code == 404
    stranger = api_client(admin_of(OrganizationFactory()))
    assert stranger.get(f"{URL}/{job['id']}").status_code == 404
    assert stranger.post(f"{URL}/{job['id']}/cancel").status_code == 404
    assert ImportJob.objects.get().status == "pending"
