"""Erasing one person's personal data on request: nothing readable keeps their name, phone,
email or WeChat id, the audit trail keeps its rows, business records keep their amounts."""

import datetime
import json
from collections import Counter
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from kehu.core.audit.models import ChangeRecord
from kehu.core.common.errors import DomainError, PermissionDeniedError
from kehu.core.common.testing import OrganizationFactory, actor_for, admin_of, member, team
from kehu.core.customfields.services import field_definition_create
from kehu.core.notifications.services import notify
from kehu.core.search.tokens import document
from kehu.customers import selectors, services
from kehu.customers.models import Attachment, Contact, Customer, FollowUp, MergeRecord
from kehu.customers.privacy import selectors as privacy_selectors
from kehu.customers.privacy import services as privacy
from kehu.leads import services as lead_services
from kehu.leads.models import Lead
from kehu.orders import services as order_services
from kehu.orders.models import Order, Payment

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
NAME, MOBILE, EMAIL, WECHAT = "司马懿然", "13912345678", "sima.yiran@example.com", "sima_wx_88"
LITERALS = [NAME, MOBILE, EMAIL, WECHAT]


@pytest.fixture
def org():
    return OrganizationFactory()


@pytest.fixture
def admin(org):
    return actor_for(admin_of(org))


@pytest.fixture
def scene(org, admin):
    """The person as a customer (with a duplicate merged into it, an order, a payment and a
    follow-up reminder), as a contact of a company (a follow-up with a photo), and as a lead."""
    field_definition_create(actor=admin, object_type="customers.contact", key="birthday",
                            label="Birthday", kind="date")
    field_definition_create(actor=admin, object_type="customers.contact", key="segment",
                            label="Segment", kind="select", choices=["vip", "normal"])
    person = services.customer_create(actor=admin, values={
        "kind": "person", "name": NAME, "phone": "139 0000 0000", "email": EMAIL,
        "address": "北京市朝阳区某路1号"})
    person = services.customer_update(actor=admin, customer=person,
                                      values={"phone": MOBILE}, allow_duplicates=True)
    twin = services.customer_create(actor=admin, values={"kind": "person", "name": NAME,
                                                         "phone": MOBILE},
                                    allow_duplicates=True)
    merge = services.customer_merge(actor=admin, survivor=person, merged=twin)
    services.follow_up_create(actor=admin, customer=person, values={
        "kind": "call", "content": f"给{NAME}打电话", "happened_at": "2026-03-01T10:00:00+08:00",
        "next_follow_up_on": datetime.date(2026, 12, 1)})
    order = order_services.order_create(actor=admin, values={
        "customer": person, "title": f"{NAME}的年度服务", "amount": Decimal("8800.00")})
    order = order_services.order_set_status(actor=admin, order=order, status="signed",
                                            signed_on=datetime.date(2026, 1, 5))
    payment = order_services.payment_create(actor=admin, order=order, values={
        "amount": Decimal("3000.00"), "received_on": datetime.date(2026, 2, 1),
        "method": "bank"})

    company = services.customer_create(actor=admin, values={"name": "甲乙科技有限公司"})
    contact = services.contact_create(actor=admin, customer=company, values={
        "name": NAME, "mobile": MOBILE, "email": EMAIL, "wechat": WECHAT, "title": "采购经理"},
        custom={"birthday": "1990-05-04", "segment": "vip"})
    colleague = services.contact_create(actor=admin, customer=company,
                                        values={"name": "王五", "mobile": "13700000001"})
    services.follow_up_create(
        actor=admin, customer=company, values={"kind": "visit", "contact": contact,
                                               "content": "拜访，看了样品", "location": "某路1号"},
        files=[SimpleUploadedFile("visit.png", PNG, content_type="image/png")])
    unrelated = services.follow_up_create(actor=admin, customer=company, values={
        "kind": "call", "content": f"王五说{NAME}下周回来", "contact": colleague})

    # a shop that once listed the person's mobile as its own number: only its history has it
    shop = services.customer_create(actor=admin, values={"name": "某某便利店", "phone": MOBILE},
                                    allow_duplicates=True)
    services.customer_update(actor=admin, customer=shop, values={"phone": "13600000002"},
                             allow_duplicates=True)

    lead = lead_services.lead_create(actor=admin, values={
        "name": NAME, "mobile": MOBILE, "wechat": WECHAT, "source": "web_form"})
    lead_services.activity_create(actor=admin, lead=lead, values={"content": f"{NAME}留言"})
    notify(organization=admin.organization, recipient=admin.user, kind="lead.assigned",
           title=f"新线索：{NAME}", body=f"手机 {MOBILE}")
    return {"person": person, "twin": twin, "merge": merge, "order": order,
            "payment": payment, "company": company, "contact": contact,
            "colleague": colleague, "unrelated": unrelated, "lead": lead}


def _query(**kwargs):
    return privacy_selectors.person_query(**kwargs)


def _history(objects):
    return {(o._meta.label_lower, o.pk): [
        (r.pk, r.user_id, r.created_at, r.action, sorted(r.changes))
        for r in ChangeRecord.objects.filter(object_type=o._meta.label_lower, object_id=o.pk)
        .order_by("pk")] for o in objects}


def _rows_holding(literals):
    """Every table, every row, as the database returns it: (table, literal) pairs found.
    JSON columns on SQLite escape non-ASCII characters, so both spellings are looked for.
    FTS5's own shadow tables hold index segments, not readable rows (see operations.md)."""
    spellings = {lit: {lit.lower(), json.dumps(lit)[1:-1].lower()} for lit in literals}
    hits = set()
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if table.startswith("search_fts_"):
                continue
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - names from the schema
            for row in cursor.fetchall():
                text = " ".join(str(v) for v in row).lower()
                hits |= {(table, lit) for lit, forms in spellings.items()
                         if any(f in text for f in forms)}
    return hits


def test_preview_finds_every_record_of_the_person(admin, scene):
    preview = privacy_selectors.person_preview(actor=admin, query=_query(phone="139 1234 5678"))
    keys = {f.key for f in preview.records}
    assert keys == {f"customers.customer:{scene['person'].pk}",
                    f"customers.customer:{scene['twin'].pk}",
                    f"customers.contact:{scene['contact'].pk}", f"leads.lead:{scene['lead'].pk}"}
    by_key = {f.key: dict(f.related) for f in preview.records}
    assert by_key[f"customers.contact:{scene['contact'].pk}"] == {"follow_ups": 1, "files": 1}
    assert preview.history > 0 and preview.notifications == 1
    assert preview.mentions == 2  # the shop's creation and its phone change


def test_an_email_also_finds_the_records_sharing_its_phone(admin, scene):
    preview = privacy_selectors.person_preview(actor=admin, query=_query(email=EMAIL.upper()))
    assert f"leads.lead:{scene['lead'].pk}" in {f.key for f in preview.records}


def test_erasure_leaves_the_person_nowhere_and_keeps_the_trail(admin, scene,
                                                                django_capture_on_commit_callbacks):
    org_id = admin.organization.pk
    tokens = [f"o{org_id}x{t}" for t in document(texts=[NAME], phones=[MOBILE], emails=[EMAIL])]
    assert {lit for _t, lit in _rows_holding(LITERALS + tokens)} == {*LITERALS, *tokens}
    erased_objects = [scene["person"], scene["twin"], scene["contact"], scene["lead"]]
    history_before = _history(erased_objects)
    photo = Attachment.objects.get(follow_up__contact=scene["contact"]).file.name
    assert default_storage.exists(photo)

    with django_capture_on_commit_callbacks(execute=True):
        result = privacy.person_erase(actor=admin, query=_query(phone=MOBILE),
                                      reason="工单 PR-2026-001")

    assert _rows_holding(LITERALS) == set()
    for query in (MOBILE, NAME, EMAIL, MOBILE[-4:]):
        assert selectors.customer_search_ids(actor=admin, q=query) == []
    # nor any search token of theirs (bigrams of the name, the phone, the email hash)
    assert _rows_holding(tokens) == set()
    assert _history(erased_objects) == history_before
    contact = Contact.objects.get(pk=scene["contact"].pk)
    assert contact.name.endswith(f"#{contact.pk}")
    assert (contact.mobile, contact.email, contact.wechat) == ("", "", "")
    assert contact.title == "采购经理"
    assert contact.custom_data == {"segment": "vip"}
    assert not default_storage.exists(photo)
    assert not Attachment.objects.filter(follow_up__contact=contact).exists()
    visit = FollowUp.objects.get(contact=contact)
    assert (visit.content, visit.location) == ("[redacted]", "")
    unrelated = FollowUp.objects.get(pk=scene["unrelated"].pk)
    assert unrelated.content.startswith("王五说") and "下周回来" in unrelated.content
    assert Contact.objects.get(pk=scene["colleague"].pk).mobile == "+8613700000001"

    record = ChangeRecord.objects.get(pk=result.change_record_id)
    assert record.action == "erase" and record.user_id == admin.user.pk
    assert sorted(record.changes["records"][1]) == sorted(result.records)
    assert record.note == "工单 PR-2026-001"
    assert result.counts["files"] == 1


def test_business_records_and_amounts_do_not_change(admin, scene):
    before = (list(Order.objects.values_list("pk", "customer_id", "amount", "collected_amount")),
              list(Payment.objects.values_list("pk", "order_id", "amount")))
    privacy.person_erase(actor=admin, query=_query(phone=MOBILE), reason="PR-1")
    after = (list(Order.objects.values_list("pk", "customer_id", "amount", "collected_amount")),
             list(Payment.objects.values_list("pk", "order_id", "amount")))
    assert after == before
    assert after[0][0][2:] == (Decimal("8800.00"), Decimal("3000.00"))
    person = Customer.objects.get(pk=scene["person"].pk)
    assert (person.kind, person.phone, person.email, person.address) == ("person", "", "", "")
    assert Lead.objects.get(pk=scene["lead"].pk).source == "web_form"


def test_repeating_the_erasure_changes_nothing(admin, scene):
    first = privacy.person_erase(actor=admin, query=_query(phone=MOBILE), reason="PR-1")
    assert first.records
    audit_rows = ChangeRecord.objects.count()
    changes = list(ChangeRecord.objects.values_list("changes", flat=True).order_by("pk"))
    again = privacy.person_erase(actor=admin, query=_query(phone=MOBILE, name=NAME),
                                 reason="PR-1")
    assert again.records == [] and again.change_record_id is None
    assert ChangeRecord.objects.count() == audit_rows
    assert list(ChangeRecord.objects.values_list("changes", flat=True).order_by("pk")) == changes


def test_an_erased_merge_cannot_be_undone(admin, scene):
    privacy.person_erase(actor=admin, query=_query(phone=MOBILE), reason="PR-1")
    merge = MergeRecord.objects.get(pk=scene["merge"].pk)
    with pytest.raises(DomainError) as error:
        services.customer_merge_undo(actor=admin, record=merge)
    assert error.value.code == "erased"
    assert merge.survivor_before["fields"]["phone"] == "[redacted]"


def test_only_the_chosen_records_are_erased(admin, scene):
    key = f"leads.lead:{scene['lead'].pk}"
    result = privacy.person_erase(actor=admin, query=_query(phone=MOBILE), reason="PR-1",
                                  only={key})
    assert result.records == [key]
    assert Contact.objects.get(pk=scene["contact"].pk).name == NAME


def test_a_reason_is_required_and_only_admins_may_erase(org, admin, scene):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        privacy.person_erase(actor=admin, query=_query(phone=MOBILE), reason="  ")
    manager = actor_for(member(org, "sales_manager", team=team(org, "华北组")))
    with pytest.raises(PermissionDeniedError):
        privacy.person_erase(actor=manager, query=_query(phone=MOBILE), reason="PR-1")
    with pytest.raises(PermissionDeniedError):
        privacy_selectors.person_preview(actor=manager, query=_query(phone=MOBILE))
    assert Contact.objects.get(pk=scene["contact"].pk).mobile == "+86" + MOBILE


def test_the_audit_log_refuses_any_other_rewrite(admin, scene):
    from kehu.core.audit.models import AppendOnlyError

    rows = ChangeRecord.objects.filter(organization=admin.organization)
    with pytest.raises(AppendOnlyError):
        rows.redact(user=None)
    with pytest.raises(AppendOnlyError):
        rows.update(note="")


def test_export_holds_the_persons_data(admin, scene):
    data = privacy_selectors.person_export(actor=admin, query=_query(email=EMAIL))
    assert [c["mobile"] for c in data["contacts"]] == ["+86" + MOBILE]
    assert data["leads"][0]["name"] == NAME
    assert any(h["object"] == f"customers.contact:{scene['contact'].pk}"
               for h in data["history"])
    assert Counter(f["files"] != [] for f in data["follow_ups"])[True] == 1
