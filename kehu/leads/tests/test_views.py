"""The lead pages and the public web form."""

import time

import pytest
from django.test import Client
from django.urls import reverse

from kehu.core.audit.models import ChangeRecord
from kehu.core.common.testing import OrganizationFactory, admin_of, member, web_client
from kehu.customers.tests.factories import CustomerFactory
from kehu.leads import services, spam
from kehu.leads.models import AssignmentRule, Lead
from kehu.leads.tests.factories import LeadFactory, RuleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return OrganizationFactory()


@pytest.fixture
def admin(org):
    return web_client(admin_of(org))


@pytest.fixture
def webform(org):
    form = services.webform_for(organization=org)
    form.enabled = True
    form.save()
    return form


def _submit(client, webform, *, started_ago=10.0, **fields):
    data = {"name": "访客", "mobile": "13800001234", "company": "访客公司",
            "started": spam.started_token(webform.token, at=time.time() - started_ago),
            **fields}
    return client.post(reverse("leads:public-form", args=[webform.token]), data)


# --- the public web form ---------------------------------------------------------------------

def test_public_form_is_standalone_embeddable_and_needs_no_login(webform):
    response = Client().get(reverse("leads:public-form", args=[webform.token]))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="started"' in body and 'name="website"' in body
    assert "sidebar" not in body
    assert "X-Frame-Options" not in response.headers


def test_other_pages_keep_x_frame_options(admin):
    assert admin.get(reverse("leads:lead-list")).headers["X-Frame-Options"] == "DENY"


def test_disabled_or_unknown_form_is_404(org, webform):
    webform.enabled = False
    webform.save()
    assert Client().get(reverse("leads:public-form", args=[webform.token])).status_code == 404
    assert Client().get(reverse("leads:public-form", args=["nope"])).status_code == 404


def test_submission_creates_a_lead_assigned_round_robin_skipping_an_inactive_rep(org, webform):
    # given two active reps and an inactive one on a round-robin rule
    a, b, gone = member(org), member(org), member(org)
    gone.is_active = False
    gone.save()
    RuleFactory(organization=org, members=[a.user, gone.user, b.user])
    client = Client(enforce_csrf_checks=True)
    # when three visitors send the form
    for i in range(3):
        response = _submit(client, webform, name=f"访客{i}")
        assert response.status_code == 200
        assert 'data-testid="thanks"' in response.content.decode()
    # then the leads alternate between the active reps
    leads = list(Lead.objects.filter(organization=org).order_by("id"))
    assert [lead.source for lead in leads] == ["web_form"] * 3
    assert [lead.owner_id for lead in leads] == [a.user_id, b.user_id, a.user_id]
    assert ChangeRecord.objects.filter(object_type="leads.lead", action="assign").count() == 3


def test_honeypot_silently_discards(org, webform):
    response = _submit(Client(), webform, website="http://spam.example")
    assert response.status_code == 200
    assert 'data-testid="thanks"' in response.content.decode()
    assert not Lead.objects.filter(organization=org).exists()


def test_too_fast_is_discarded_and_a_forged_timestamp_is_refused(org, webform):
    assert _submit(Client(), webform, started_ago=0.5).status_code == 200
    assert not Lead.objects.filter(organization=org).exists()
    forged = _submit(Client(), webform, started="1700000000")
    assert forged.status_code == 400
    assert not Lead.objects.filter(organization=org).exists()


def test_invalid_submission_shows_errors(org, webform):
    response = _submit(Client(), webform, mobile="", email="bad")
    assert response.status_code == 422
    assert "errorlist" in response.content.decode()
    assert not Lead.objects.filter(organization=org).exists()


def test_rate_limit_gives_429(org, webform):
    client = Client()
    for i in range(spam.RATE_LIMIT):
        assert _submit(client, webform, name=f"人{i}").status_code == 200
    blocked = _submit(client, webform, name="第十一个")
    assert blocked.status_code == 429
    assert 'data-testid="message"' in blocked.content.decode()
    assert Lead.objects.filter(organization=org).count() == spam.RATE_LIMIT


# --- lead pages ------------------------------------------------------------------------------

def test_rep_sees_own_and_pool_leads_but_not_a_colleagues(org):
    rep, other = member(org), member(org)
    mine = LeadFactory(organization=org, owner=rep.user, name="自己跟的张先生")
    pooled = LeadFactory(organization=org, name="没人跟的李女士")
    theirs = LeadFactory(organization=org, owner=other.user, name="同事跟的王总")
    client = web_client(rep)
    page = client.get(reverse("leads:lead-list")).content.decode()
    assert "自己跟的张先生" in page and "没人跟的李女士" in page and "同事跟的王总" not in page
    pool = client.get(reverse("leads:lead-pool")).content.decode()
    assert "没人跟的李女士" in pool and "自己跟的张先生" not in pool
    assert client.get(reverse("leads:lead-detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("leads:lead-detail", args=[pooled.pk])).status_code == 200
    assert client.get(reverse("leads:lead-detail", args=[mine.pk])).status_code == 200


def test_other_organization_lead_is_404(org):
    lead = LeadFactory(organization=org)
    stranger = web_client(admin_of(OrganizationFactory()))
    assert stranger.get(reverse("leads:lead-detail", args=[lead.pk])).status_code == 404
    assert stranger.post(reverse("leads:lead-claim", args=[lead.pk])).status_code == 404


def test_list_filters(org, admin):
    LeadFactory(organization=org, name="网站来的", source="web_form")
    LeadFactory(organization=org, name="导入的", source="import", status="qualified")
    page = admin.get(reverse("leads:lead-list"), {"source": "web_form"}).content.decode()
    assert "网站来的" in page and "导入的" not in page
    page = admin.get(reverse("leads:lead-list"), {"status": "qualified"}).content.decode()
    assert "导入的" in page and "网站来的" not in page


def test_create_form_422_then_created(org):
    rep = member(org)
    client = web_client(rep)
    bad = client.post(reverse("leads:lead-create"), {"name": "x", "email": "bad",
                                                     "source": "manual", "status": "new"})
    assert bad.status_code == 422
    good = client.post(reverse("leads:lead-create"), {"name": "张三", "source": "manual",
                                                      "status": "new",
                                                      "mobile": "13811112222"})
    assert good.status_code == 302
    lead = Lead.objects.get(organization=org)
    assert (lead.owner_id, lead.mobile) == (rep.user_id, "+8613811112222")
    edit = client.post(reverse("leads:lead-edit", args=[lead.pk]), {
        "name": "张三", "source": "manual", "status": "disqualified", "version": lead.version})
    assert edit.status_code == 422


def test_detail_activity_claim_release_disqualify(org):
    rep = member(org)
    client = web_client(rep)
    lead = LeadFactory(organization=org, name="公海线索")
    assert client.post(reverse("leads:lead-claim", args=[lead.pk])).status_code == 302
    lead.refresh_from_db()
    assert lead.owner_id == rep.user_id
    client.post(reverse("leads:activity-create", args=[lead.pk]),
                {"kind": "call", "content": "聊了十分钟"})
    page = client.get(reverse("leads:lead-detail", args=[lead.pk])).content.decode()
    assert "聊了十分钟" in page
    lead.refresh_from_db()
    assert lead.status == "contacted"
    no_reason = client.post(reverse("leads:lead-disqualify", args=[lead.pk]), {"reason": ""})
    assert no_reason.status_code == 422
    client.post(reverse("leads:lead-release", args=[lead.pk]))
    lead.refresh_from_db()
    assert lead.owner_id is None


def test_convert_page_shows_duplicates_and_attaches(org, admin):
    existing = CustomerFactory(organization=org, name="星辰科技有限公司")
    lead = LeadFactory(organization=org, name="李雷", company="星辰科技", status="qualified")
    url = reverse("leads:lead-convert", args=[lead.pk])
    page = admin.get(url).content.decode()
    assert 'data-testid="duplicates"' in page and "星辰科技有限公司" in page
    refused = admin.post(url, {"create_opportunity": "on"})
    assert refused.status_code == 409
    done = admin.post(url, {"existing_customer": existing.pk, "create_opportunity": "on",
                            "opportunity_name": "星辰 ERP"})
    assert done.status_code == 302
    lead.refresh_from_db()
    assert (lead.status, lead.converted_customer_id) == ("converted", existing.pk)
    assert lead.converted_opportunity.name == "星辰 ERP"
    again = admin.post(url, {})
    assert again.status_code == 302  # back to the lead, with the message


# --- settings --------------------------------------------------------------------------------

def test_settings_pages_are_for_admins_only(org):
    rep = web_client(member(org))
    for name in ("leads:webform-settings", "leads:rule-list", "leads:rule-create"):
        assert rep.get(reverse(name)).status_code == 403


def test_webform_settings_show_the_url_and_embed(org, admin):
    response = admin.post(reverse("leads:webform-settings"), {
        "enabled": "on", "title": "联系我们", "intro": "留下信息", "thank_you": "谢谢"})
    assert response.status_code == 302
    page = admin.get(reverse("leads:webform-settings")).content.decode()
    form = services.webform_for(organization=org)
    assert form.enabled and f"/leads/f/{form.token}/" in page
    assert "&lt;iframe" in page


def test_rule_pages_create_reorder_deactivate_and_run(org, admin):
    rep = member(org)
    bad = admin.post(reverse("leads:rule-create"), {"name": "无人", "strategy": "round_robin"})
    assert bad.status_code == 422
    for name in ("第一", "第二"):
        response = admin.post(reverse("leads:rule-create"), {
            "name": name, "is_active": "on", "strategy": "round_robin",
            "members": [rep.user_id]})
        assert response.status_code == 302
    second = AssignmentRule.objects.get(organization=org, name="第二")
    admin.post(reverse("leads:rule-move", args=[second.pk]), {"direction": "up"})
    assert list(AssignmentRule.objects.filter(organization=org)
                .values_list("name", flat=True)) == ["第二", "第一"]
    admin.post(reverse("leads:rule-active", args=[second.pk]), {"active": "0"})
    second.refresh_from_db()
    assert not second.is_active
    LeadFactory(organization=org)
    admin.post(reverse("leads:rules-run"))
    assert Lead.objects.get(organization=org).owner_id == rep.user_id
    page = admin.get(reverse("leads:rule-list")).content.decode()
    assert "第一" in page


def test_every_page_renders_for_an_admin(org, admin):
    rep = member(org)
    lead = LeadFactory(organization=org, owner=rep.user)
    rule = RuleFactory(organization=org, members=[rep.user])
    for name, args in [("leads:lead-list", []), ("leads:lead-pool", []),
                       ("leads:lead-create", []), ("leads:lead-detail", [lead.pk]),
                       ("leads:lead-edit", [lead.pk]), ("leads:lead-delete", [lead.pk]),
                       ("leads:lead-convert", [lead.pk]), ("leads:rule-list", []),
                       ("leads:rule-create", []), ("leads:rule-edit", [rule.pk]),
                       ("leads:webform-settings", [])]:
        assert admin.get(reverse(name, args=args)).status_code == 200, name
    assert admin.post(reverse("leads:lead-delete", args=[lead.pk])).status_code == 302
    lead.refresh_from_db()
    assert lead.deleted_at is not None
