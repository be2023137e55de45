"""`kehu import` and `kehu export` on the command line."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from kehu.core.audit.models import ChangeRecord
from kehu.core.common.testing import OrganizationFactory, actor_for, admin_of, member
from kehu.customers import services as customer_services
from kehu.customers.imports import services
from kehu.customers.imports.tests.files import csv_bytes, xlsx_bytes
from kehu.customers.models import Contact, Customer
from kehu.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def org():
    organization = OrganizationFactory()
    admin = admin_of(organization).user
    admin.language = "en"
    admin.save()
    return organization


def test_import_customers_prints_counts_and_where_the_report_is(org, tmp_path):
    path = tmp_path / "客户.csv"
    path.write_bytes(csv_bytes([["客户名称", "手机"], ["星河科技有限公司", "13812345678"],
                                ["坏号码有限公司", "1.38123E+10"]], encoding="gbk"))
    out = run("import", "customers", str(path), "--org", org.slug)
    assert "1 created" in out and "1 rejected" in out
    report = tmp_path / "客户-rejected.csv"
    assert f"Rejected rows and reasons: {report}" in out
    assert "坏号码有限公司" in report.read_text(encoding="utf-8-sig")
    assert Customer.objects.get().phone == "+8613812345678"
    record = ChangeRecord.objects.get(object_type="customers.customer")
    assert (record.via, record.user_id) == ("import", admin_of(org).user_id)


def test_import_options_dry_run_update_and_a_saved_mapping(org, tmp_path):
    actor = actor_for(admin_of(org))
    CustomerFactory(organization=org, name="星河科技有限公司", city="广州市")
    services.import_mapping_save(actor=actor, object_type="customers", name="ERP",
                                 mapping_data={"单位": "name", "所在城市": "city"})
    path = tmp_path / "erp.xlsx"
    path.write_bytes(xlsx_bytes([["单位", "所在城市"], ["星河科技有限公司", "深圳市"]]))
    dry = run("import", "customers", str(path), "--mapping", "ERP", "--on-duplicate",
              "update", "--dry-run")
    assert dry.startswith("  单位 → name") and "Dry run" in dry and "1 updated" in dry
    assert Customer.objects.get().city == "广州市"
    run("import", "customers", str(path), "--mapping", "ERP", "--on-duplicate", "update")
    assert Customer.objects.get().city == "深圳市"
    with pytest.raises(CommandError, match="No saved mapping"):
        run("import", "customers", str(path), "--mapping", "nope")


def test_import_contacts_as_a_given_user(org, tmp_path):
    rep = member(org, "sales_rep")
    customer = customer_services.customer_create(actor=actor_for(rep),
                                                 values={"name": "星河科技有限公司"})
    path = tmp_path / "联系人.csv"
    path.write_bytes(csv_bytes([["客户名称", "姓名", "手机"],
                                ["星河科技有限公司", "张伟", "13900001111"]]))
    out = run("import", "contacts", str(path), "--user", rep.user.email)
    assert "1 created" in out
    assert Contact.objects.get().customer == customer


def test_a_mapping_without_the_name_column_is_refused(org, tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(csv_bytes([["序号", "手机"], ["1", "13812345678"]]))
    with pytest.raises(CommandError, match="Customer name"):
        run("import", "customers", str(path))


def test_export_customers_to_csv_and_xlsx_as_the_user_sees_them(org, tmp_path):
    rep = member(org, "marketing")
    CustomerFactory(organization=org, name="=HYPERLINK(\"http://x\")", city="深圳市")
    CustomerFactory(organization=org, name="星河科技有限公司", city="北京市")
    out = run("export", "customers", str(tmp_path / "all.xlsx"), "--user", rep.user.email)
    assert "Exported 2 customers" in out
    sheet = load_workbook(tmp_path / "all.xlsx").active
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "'=HYPERLINK(\"http://x\")" in names
    run("export", "customers", str(tmp_path / "all.csv"))
    assert "星河科技有限公司" in (tmp_path / "all.csv").read_text(encoding="utf-8-sig")


def test_export_a_segment_and_refuse_users_without_the_permission(org, tmp_path):
    admin = admin_of(org)
    CustomerFactory(organization=org, name="深圳客户", city="深圳市")
    CustomerFactory(organization=org, name="北京客户", city="北京市")
    segment = customer_services.segment_save(
        actor=actor_for(admin), segment=None, name="深圳",
        conditions=[{"field": "city", "op": "eq", "value": "深圳市"}])
    out = run("export", "customers", str(tmp_path / "sz.csv"), "--segment", str(segment.pk))
    assert "Exported 1 customers" in out
    assert "北京客户" not in (tmp_path / "sz.csv").read_text(encoding="utf-8-sig")
    rep = member(org, "sales_rep")
    with pytest.raises(CommandError, match="may not export"):
        run("export", "customers", str(tmp_path / "x.csv"), "--user", rep.user.email)
