"""Importing real files end to end: what is written, rejected (with the reason), skipped or
updated, and that audit log, search, permissions, tenancy, cancel and failures behave."""

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from kehu.core.audit import services as audit
from kehu.core.audit.models import ChangeRecord
from kehu.core.common.errors import PermissionDeniedError
from kehu.core.common.testing import OrganizationFactory, actor_for, admin_of, member
from kehu.core.customfields import services as field_services
from kehu.core.notifications.models import Notification
from kehu.customers import selectors as customer_selectors
from kehu.customers import services as customer_services
from kehu.customers.imports import bulk, services
from kehu.customers.imports.tests.files import csv_bytes, excel_date, upload, xlsx_bytes
from kehu.customers.models import Contact, Customer, ImportJob, Tag
from kehu.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

HEADER = ["客户名称", "手机", "邮箱", "省份", "城市", "客户级别", "客户状态", "负责人", "标签",
          "联系人", "联系人手机", "联系人职务", "备注", "会员等级"]


@pytest.fixture
def org():
    organization = OrganizationFactory()
    field_services.field_definition_create(
        actor=actor_for(admin_of(organization)), object_type="customers.customer",
        key="tier", label="会员等级", kind="select", choices=["金牌", "银牌"])
    return organization


@pytest.fixture
def admin(org):
    membership = admin_of(org)
    membership.user.name = "王经理"
    membership.user.language = "en"  # reports are in the importing user's language
    membership.user.save()
    return membership


def english_member(org, role: str):
    membership = member(org, role)
    membership.user.language = "en"
    membership.user.save()
    return membership


def run(actor, data: bytes, name: str = "客户.csv", **options):
    """Upload, keep the guessed mapping (or `mapping`), run; returns the finished job."""
    batch_size = options.pop("batch_size", bulk.BATCH_SIZE)
    object_type = options.pop("object_type", "customers")
    progress = options.pop("progress", None)
    parallel = options.pop("parallel_reading", False)
    job = services.import_job_create(actor=actor, file=upload(name, data),
                                     object_type=object_type)
    job = services.import_job_configure(
        actor=actor, job=job, mapping_keys=options.pop("mapping", job.mapping),
        on_duplicate=options.pop("on_duplicate", "skip"),
        dry_run=options.pop("dry_run", False))
    return services.import_job_run(actor=actor, job=job, batch_size=batch_size,
                                   progress=progress, parallel_reading=parallel)


def report_rows(job: ImportJob) -> list[dict[str, str]]:
    with job.report.open("rb") as handle:
        data = handle.read()
    if job.report.name.endswith(".xlsx"):
        sheet = load_workbook(io.BytesIO(data)).active
        rows = [[c if c is not None else "" for c in row]
                for row in sheet.iter_rows(values_only=True)]
        return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def chinese_excel_file(owner: str) -> bytes:
    """What a sales team's customer list looks like, saved as CSV by Chinese Excel (GBK)."""
    return csv_bytes([
        HEADER,
        ["深圳市星河科技有限公司", "13812345678", "info@xinghe-tech.cn", "广东省", "深圳市",
         "A类", "成交客户", owner, "重点,华南", "张伟", "13900001111", "总经理", "展会认识",
         "金牌"],
        ["  苏州鑫泰机械  有限公司 ", "１３８ ０００１ ２２２２", "", "江苏省", "苏州市", "",
         "潜在客户", "", "", "", "", "", "", ""],
        ["华为技术有限公司", "1.38123E+10", "", "", "", "", "", "", "", "", "", "", "", ""],
        ['=HYPERLINK("http://evil.example","点我")', "13812340000", "not-an-email", "", "",
         "", "", "", "", "", "", "", "", ""],
        ["杭州云帆网络有限公司", "13812341111", "", "", "", "", "", "", "", "", "", "", "",
         "钻石"],
        ["北京远航贸易有限公司", "13812342222", "", "", "", "", "", "不存在的人", "", "", "",
         "", "", ""],
        ["深圳市星河科技股份有限公司", "13812343333", "", "", "", "", "", "", "", "", "", "",
         "", ""],
        ["上海老客户有限公司", "137 0000 0000", "", "", "", "", "", "", "", "", "", "", "", ""],
    ], encoding="gbk")


def test_a_gbk_csv_from_chinese_excel_imports_and_reports_each_rejected_row(org, admin):
    # given
    actor = actor_for(admin)
    customer_services.customer_create(actor=actor, values={"name": "上海某某公司",
                                                            "phone": "13700000000"})
    # when
    job = run(actor_for(admin, via="import"), chinese_excel_file(owner="王经理"))
    # then
    assert job.status == ImportJob.Status.DONE, job.error
    assert job.encoding == "gb18030"
    assert (job.created_count, job.skipped_count, job.rejected_count) == (2, 2, 4)
    xinghe = Customer.objects.get(name="深圳市星河科技有限公司")
    assert (xinghe.phone, xinghe.email, xinghe.level, xinghe.status, xinghe.city) == (
        "+8613812345678", "info@xinghe-tech.cn", "a", "active", "深圳市")
    assert xinghe.owner_id == admin.user_id and xinghe.custom_data == {"tier": "金牌"}
    assert sorted(xinghe.tags.values_list("name", flat=True)) == ["华南", "重点"]
    contact = Contact.objects.get(customer=xinghe)
    assert (contact.name, contact.mobile, contact.title, contact.is_primary) == (
        "张伟", "+8613900001111", "总经理", True)
    # stray spaces collapsed, full-width digits made plain
    assert Customer.objects.filter(name="苏州鑫泰机械 有限公司", phone="+8613800012222").exists()
    reasons = {int(r["Row"]): r["Reason"] for r in report_rows(job)}
    assert set(reasons) == {4, 5, 6, 7}
    assert "scientific notation" in reasons[4]
    assert reasons[5].startswith("邮箱:")
    assert "钻石" in reasons[6] and "金牌" in reasons[6]
    assert "不存在的人" in reasons[7]
    assert job.batches == [{"batch": 1, "first_row": 2, "last_row": 9, "written": [[2, 3]],
                            "created": 2, "updated": 0, "unchanged": 0, "skipped": 2,
                            "rejected": 4}]


def test_the_report_keeps_original_values_and_defuses_formulas(org, admin):
    job = run(actor_for(admin), chinese_excel_file(owner="王经理"))
    with job.report.open("rb") as handle:
        text = handle.read().decode("utf-8-sig")
    assert "'=HYPERLINK" in text  # shown as text by Excel, not run
    row = next(r for r in report_rows(job) if r["Row"] == "4")
    assert row["手机"] == "1.38123E+10" and row["客户名称"] == "华为技术有限公司"


def test_a_fixed_report_imports_again(org, admin):
    actor = actor_for(admin)
    job = run(actor, chinese_excel_file(owner="王经理"))
    rows = report_rows(job)
    header = list(rows[0])
    fixed = [header]
    for row in rows:
        row = dict(row)
        row["手机"] = {"4": "13812349999"}.get(row["Row"], row["手机"])
        row["邮箱"] = "" if row["邮箱"] == "not-an-email" else row["邮箱"]
        row["会员等级"] = "" if row["会员等级"] == "钻石" else row["会员等级"]
        row["负责人"] = ""
        fixed.append([row[h] for h in header])
    again = run(actor, csv_bytes(fixed), name="客户-rejected.csv")
    assert (again.created_count, again.rejected_count) == (4, 0), report_rows(again)
    assert Customer.objects.filter(name='=HYPERLINK("http://evil.example","点我")').exists()


def test_utf8_with_bom_and_xlsx_with_numbers_dates_and_widths(org, admin):
    actor = actor_for(admin)
    rows = [["客户名称", "电话", "下次跟进日期", "类型"],
            ["ＡＢＣ贸易有限公司", 13812345678, excel_date(2026, 3, 5), "企业"],
            ["晨光文具店", 13812345679.0, "2026年3月5日", "个人"],
            ["青岛海纳有限公司", 13812345680, "2026/3/5", ""],
            ["大连港湾有限公司", 13812345681, 46086, ""],
            ["旧数据有限公司", "1.38123E+10", "明天", ""]]
    job = run(actor, xlsx_bytes(rows, formats={"B": "0.00E+00"}), name="客户.xlsx")
    assert (job.created_count, job.rejected_count) == (4, 1)
    abc = Customer.objects.get(name="ABC贸易有限公司")
    assert (abc.phone, abc.next_follow_up_on, abc.kind) == ("+8613812345678",
                                                           date(2026, 3, 5), "company")
    assert Customer.objects.get(name="晨光文具店").kind == "person"
    # a date cell, two ways of writing it as text, and an Excel serial number
    assert set(Customer.objects.filter(next_follow_up_on=date(2026, 3, 5))
               .values_list("phone", flat=True)) == {"+8613812345678", "+8613812345679",
                                                     "+8613812345680", "+8613812345681"}
    (rejected,) = report_rows(job)
    assert "scientific notation" in rejected["Reason"] and "明天" in rejected["Reason"]
    bom = run(actor, csv_bytes([["name", "phone"], ["Acme Co., Ltd.", "+86 139 1234 5678"]]),
              name="en.csv")
    assert bom.encoding == "utf-8-sig" and bom.created_count == 1


def test_duplicates_skip_update_and_create(org, admin):
    actor = actor_for(admin)
    existing = customer_services.customer_create(actor=actor, values={
        "name": "深圳市星河科技有限公司", "city": "广州市", "phone": "13812345678"})
    data = csv_bytes([["客户名称", "城市", "行业"],
                      ["深圳市星河科技股份有限公司", "深圳市", "软件"],
                      ["新客户有限公司", "杭州市", ""],
                      ["新客户有限公司", "杭州市", ""]])
    # skip: the existing customer stays as it is; the in-file duplicate is skipped too
    skipped = run(actor, data)
    existing.refresh_from_db()
    assert (skipped.created_count, skipped.skipped_count) == (1, 2)
    assert (existing.city, existing.version) == ("广州市", 1)
    # update: fields with a value change, nothing is created, the update is audited
    updated = run(actor, data, on_duplicate="update")
    existing.refresh_from_db()
    assert (updated.created_count, updated.updated_count, updated.unchanged_count) == (0, 1, 2)
    assert (existing.name, existing.city, existing.industry, existing.phone) == (
        "深圳市星河科技股份有限公司", "深圳市", "软件", "+8613812345678")
    record = ChangeRecord.objects.filter(object_id=existing.pk, action="update").get()
    assert record.via == "ui" and record.changes["city"] == ["广州市", "深圳市"]
    # the same file again: no duplicates, nothing changes
    again = run(actor, data, on_duplicate="update")
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 3)
    assert Customer.objects.count() == 2
    # create anyway: twins
    twins = run(actor, data, on_duplicate="create")
    assert twins.created_count == 3
    assert Customer.objects.filter(name_key=existing.name_key).count() == 2


def test_a_later_row_updates_the_customer_an_earlier_row_created(org, admin):
    data = csv_bytes([["客户名称", "城市", "行业"], ["新客户有限公司", "杭州市", "文具"],
                      ["其他有限公司", "", ""], ["新客户有限公司", "宁波市", ""]])
    job = run(actor_for(admin), data, on_duplicate="update")
    assert (job.created_count, job.updated_count) == (2, 1)
    customer = Customer.objects.get(name="新客户有限公司")
    assert (customer.city, customer.industry, customer.version) == ("宁波市", "文具", 2)
    assert [b["written"] for b in job.batches] == [[[2, 3]], [[4, 4]]]


def test_a_duplicate_found_through_a_contacts_mobile_or_the_email_domain(org, admin):
    actor = actor_for(admin)
    customer = customer_services.customer_create(actor=actor, values={
        "name": "甲公司", "website": "https://www.jia.cn"})
    customer_services.contact_create(actor=actor, customer=customer,
                                     values={"name": "李四", "mobile": "13911112222"})
    job = run(actor, csv_bytes([["客户名称", "手机", "邮箱"],
                                ["乙公司", "13911112222", ""],
                                ["丙公司", "", "boss@jia.cn"],
                                ["丁公司", "", "boss@qq.com"]]))
    assert (job.created_count, job.skipped_count) == (1, 2)


def test_dry_run_writes_nothing_but_counts(org, admin):
    actor = actor_for(admin)
    before = ChangeRecord.objects.count()
    job = run(actor, chinese_excel_file(owner="王经理"), dry_run=True)
    assert job.status == ImportJob.Status.DONE
    assert (job.created_count, job.skipped_count, job.rejected_count) == (3, 1, 4)
    assert Customer.objects.count() == 0 and Tag.objects.count() == 0
    assert ChangeRecord.objects.count() == before + 1  # only the upload itself
    assert job.last_committed_row is None
    assert len(report_rows(job)) == 4


def test_imported_records_are_audited_as_import_exactly_like_a_create(org, admin):
    # given
    actor = actor_for(admin, via="import")
    job = run(actor, csv_bytes([["客户名称", "手机", "城市", "会员等级", "联系人", "联系人手机"],
                                ["星河科技有限公司", "13812345678", "深圳市", "银牌", "张伟",
                                 "13900001111"]]))
    customer = Customer.objects.get()
    contact = Contact.objects.get()
    # then
    records = {r.object_type: r for r in ChangeRecord.objects.filter(action="create",
                                                                    via="import",
                                                                    user=admin.user)}
    assert records["customers.customer"].changes == audit.diff(None, audit.snapshot(customer))
    assert records["customers.contact"].changes == audit.diff(None, audit.snapshot(contact))
    assert records["customers.customer"].note.startswith(f"import #{job.pk}")
    assert records["customers.importjob"].object_id == job.pk


def test_imported_customers_are_found_by_two_characters_and_phone_tail(org, admin):
    actor = actor_for(admin)
    run(actor, csv_bytes([["客户名称", "手机", "联系人", "联系人手机"],
                          ["星河科技有限公司", "13812345678", "欧阳娜娜", "13900001111"]]))
    customer = Customer.objects.get()
    for query in ("星河", "河科", "5678", "1111", "欧阳"):
        found = customer_selectors.customer_search(actor=actor, q=query)
        assert [c.pk for c in found] == [customer.pk], query


def test_updated_customers_are_reindexed(org, admin):
    actor = actor_for(admin)
    CustomerFactory(organization=org, name="旧名称有限公司", phone="+8613812345678")
    run(actor, csv_bytes([["手机", "客户名称"], ["13812345678", "星河科技有限公司"]]),
        on_duplicate="update")
    assert customer_selectors.customer_search(actor=actor, q="星河")


def test_a_user_without_the_import_permission_is_refused(org):
    agent = member(org, "service_agent")
    with pytest.raises(PermissionDeniedError):
        services.import_job_create(actor=actor_for(agent),
                                   file=upload("a.csv", csv_bytes([["客户名称"], ["甲"]])))


def test_a_rep_creates_own_customers_and_may_not_change_a_colleagues(org, admin):
    # given
    rep = english_member(org, "sales_rep")
    colleague = english_member(org, "sales_rep")
    CustomerFactory(organization=org, name="同事的客户有限公司", owner=colleague.user,
                    city="北京市")
    data = csv_bytes([["客户名称", "城市", "负责人"],
                      ["同事的客户有限公司", "上海市", ""],
                      ["我的新客户有限公司", "上海市", ""],
                      ["给别人的客户有限公司", "上海市", "王经理"]])
    # when
    job = run(actor_for(rep), data, on_duplicate="update")
    # then
    assert (job.created_count, job.updated_count, job.rejected_count) == (1, 0, 2)
    assert Customer.objects.get(name="我的新客户有限公司").owner_id == rep.user_id
    assert Customer.objects.get(name="同事的客户有限公司").city == "北京市"
    reasons = [r["Reason"] for r in report_rows(job)]
    assert "may not edit" in reasons[0] and "other owners" in reasons[1]


def test_another_organizations_customers_are_never_matched_or_updated(org, admin):
    other = OrganizationFactory()
    theirs = CustomerFactory(organization=other, name="星河科技有限公司", city="北京市",
                             phone="+8613812345678")
    job = run(actor_for(admin), csv_bytes([["客户名称", "手机", "城市"],
                                           ["星河科技有限公司", "13812345678", "深圳市"]]),
              on_duplicate="update")
    assert job.created_count == 1
    theirs.refresh_from_db()
    assert theirs.city == "北京市"
    assert Customer.objects.get(organization=org).city == "深圳市"


def many(n: int, start: int = 0) -> bytes:
    return csv_bytes([["客户名称", "手机"]] + [[f"批量客户{i}有限公司", f"1381234{i:04d}"]
                                            for i in range(start, start + n)])


def test_cancel_stops_between_batches(org, admin):
    actor = actor_for(admin)

    def cancel_after_first_batch(job):
        if len(job.batches) == 1:
            ImportJob.objects.filter(pk=job.pk).update(cancel_requested=True)

    job = run(actor, many(10), batch_size=4, progress=cancel_after_first_batch)
    assert job.status == ImportJob.Status.CANCELLED
    assert (job.created_count, job.last_committed_row) == (4, 5)
    assert Customer.objects.count() == 4


def test_a_failure_partway_reports_the_rows_committed_before_it(org, admin, monkeypatch):
    # given: the third batch fails while it is written
    calls = []
    original = bulk.CustomerImporter._insert

    def failing(self, plan):
        calls.append(len(plan.created))
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return original(self, plan)

    monkeypatch.setattr(bulk.CustomerImporter, "_insert", failing)
    # when
    job = run(actor_for(admin), many(10), batch_size=3)
    # then
    assert job.status == ImportJob.Status.FAILED
    assert (job.created_count, job.last_committed_row) == (6, 7)
    assert [b["written"] for b in job.batches] == [[[2, 4]], [[5, 7]]]
    assert "8–10" in job.error and "disk full" in job.error and "7" in job.error
    assert sorted(Customer.objects.values_list("name", flat=True)) == [
        f"批量客户{i}有限公司" for i in range(6)]
    # and running the same file again with "update" completes it without duplicates
    monkeypatch.setattr(bulk.CustomerImporter, "_insert", original)
    again = run(actor_for(admin), many(10), on_duplicate="update")
    assert (again.created_count, again.unchanged_count) == (4, 6)
    assert Customer.objects.count() == 10


def test_the_user_is_notified_when_the_import_finishes(org, admin):
    job = run(actor_for(admin), many(3))
    notification = Notification.objects.get(recipient=admin.user, kind="import.finished")
    assert job.original_name in notification.title and "3" in notification.body


def test_tags_are_created_once_and_audited(org, admin):
    run(actor_for(admin), csv_bytes([["客户名称", "标签"], ["甲有限公司", "重点、VIP"],
                                     ["乙有限公司", "VIP;老客户"]]))
    assert sorted(Tag.objects.values_list("name", flat=True)) == ["VIP", "老客户", "重点"]
    assert ChangeRecord.objects.filter(object_type="customers.tag", action="create").count() == 3


def test_the_helper_process_reads_like_this_one(org, admin):
    actor = actor_for(admin)
    inline = run(actor, chinese_excel_file(owner="王经理"), dry_run=True)
    parallel = run(actor, chinese_excel_file(owner="王经理"), dry_run=True,
                   parallel_reading=True)
    assert report_rows(parallel) == report_rows(inline)
    assert (parallel.created_count, parallel.skipped_count) == (inline.created_count,
                                                                inline.skipped_count)


def test_preview_shows_what_each_row_would_do(org, admin):
    from kehu.customers.imports import selectors

    actor = actor_for(admin)
    customer_services.customer_create(actor=actor, values={"name": "上海某某公司",
                                                            "phone": "13700000000"})
    job = services.import_job_create(actor=actor,
                                     file=upload("a.csv", chinese_excel_file("王经理")))
    preview = selectors.import_preview(actor=actor, job=job)
    assert [r.action for r in preview.rows] == ["create", "create", "reject", "reject",
                                                 "reject", "reject", "skip", "skip"]
    assert preview.rows[2].errors == {"手机": preview.rows[2].reason.split(": ", 1)[1]}
    assert Customer.objects.count() == 1


def test_contacts_import_to_existing_customers(org, admin):
    actor = actor_for(admin)
    customer = customer_services.customer_create(actor=actor, values={"name": "星河科技有限公司"})
    customer_services.contact_create(actor=actor, customer=customer,
                                     values={"name": "张伟", "mobile": "13900001111"})
    data = csv_bytes([["客户名称", "姓名", "手机", "职务", "邮箱"],
                      ["星河科技股份有限公司", "张伟", "13900001111", "总经理", ""],
                      ["星河科技有限公司", "李娜", "13900002222", "采购", "li@xinghe.cn"],
                      ["不存在公司", "王五", "13900003333", "", ""]])
    job = run(actor, data, object_type="contacts", on_duplicate="update")
    assert (job.created_count, job.updated_count, job.rejected_count) == (1, 1, 1)
    assert Contact.objects.get(name="张伟").title == "总经理"
    assert not Contact.objects.get(name="李娜").is_primary
    assert "不存在公司" in report_rows(job)[0]["Reason"]
    assert customer_selectors.customer_search(actor=actor, q="李娜")


@pytest.mark.django_db(transaction=True)
def test_batches_written_by_a_thread_of_their_own(monkeypatch):
    """Large imports write in a writer thread (its own connection), which an in-memory
    SQLite test database cannot share; CI runs this on PostgreSQL."""
    if services._in_memory_database():
        pytest.skip("the writer thread needs a database other connections can see")
    org = OrganizationFactory()
    admin = admin_of(org)
    admin.user.language = "en"
    admin.user.save()
    actor = actor_for(admin)
    data = csv_bytes([["客户名称", "手机", "联系人", "联系人手机", "标签"]]
                     + [[f"线程客户{i}有限公司", f"1381234{i:04d}", f"联系人{i}",
                         f"1391234{i:04d}", "重点"] for i in range(20)]
                     + [["线程客户3有限公司", "", "", "", ""]])
    job = services.import_job_create(actor=actor, file=upload("t.csv", data))
    job = services.import_job_run(actor=actor, job=job, batch_size=6, writer_thread=True)
    assert (job.status, job.created_count, job.skipped_count) == ("done", 20, 1), job.error
    assert [b["written"] for b in job.batches] == [[[2, 7]], [[8, 13]], [[14, 19]],
                                                   [[20, 21]]]
    assert Contact.objects.count() == 20 and Customer.objects.count() == 20
    assert ChangeRecord.objects.filter(via="ui", action="create").count() >= 40
    assert [c.name for c in customer_selectors.customer_search(actor=actor, q="0007")] == [
        "线程客户7有限公司"]
    # a batch failing in the thread stops the import where it failed
    original = bulk.CustomerImporter._insert

    def failing(self, plan):
        if any(row.number == 9 for row, _pk in plan.created):
            raise RuntimeError("disk full")
        return original(self, plan)

    monkeypatch.setattr(bulk.CustomerImporter, "_insert", failing)
    more = csv_bytes([["客户名称"]] + [[f"又一批{i}有限公司"] for i in range(12)])
    job = services.import_job_create(actor=actor, file=upload("u.csv", more))
    job = services.import_job_run(actor=actor, job=job, batch_size=4, writer_thread=True)
    assert (job.status, job.created_count, job.last_committed_row) == ("failed", 4, 5)
    assert "disk full" in job.error
    assert Customer.objects.filter(name__startswith="又一批").count() == 4
