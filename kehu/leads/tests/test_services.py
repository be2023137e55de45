"""Lead services: assignment (round robin, least loaded, idempotent, in bulk), the pool,
follow-ups and conversion."""

from collections import Counter
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kehu.core.audit.models import ChangeRecord
from kehu.core.common.errors import DomainError
from kehu.core.common.testing import OrganizationFactory, actor_for, admin_of, member, team
from kehu.core.notifications.models import Notification
from kehu.core.permissions.actor import Actor
from kehu.customers.models import Contact, Customer
from kehu.customers.services import customers as customer_services
from kehu.customers.tests.factories import CustomerFactory
from kehu.leads import services
from kehu.leads.models import AssignmentRule, Lead
from kehu.leads.tests.factories import LeadFactory, RuleFactory
from kehu.sales.models import Opportunity

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return OrganizationFactory()


@pytest.fixture
def admin(org):
    return actor_for(admin_of(org))


def test_round_robin_over_2000_leads_is_even_skips_inactive_and_is_idempotent(org, admin):
    # given
    east = team(org, "华东组")
    reps = [member(org, "sales_rep", team=east) for _ in range(3)]
    gone = member(org, "sales_rep", team=east)
    gone.is_active = False
    gone.save()
    RuleFactory(organization=org, members=[r.user for r in reps] + [gone.user])
    Lead.objects.bulk_create([Lead(organization=org, name=f"L{i}", source="import")
                              for i in range(2000)])
    # when
    result = services.leads_assign(actor=admin)
    # then
    assert (result.considered, result.assigned) == (2000, 2000)
    counts = Counter(Lead.objects.filter(organization=org).values_list("owner_id", flat=True))
    assert set(counts) == {r.user_id for r in reps}
    assert max(counts.values()) - min(counts.values()) <= 1
    assert Lead.objects.filter(organization=org, team=east).count() == 2000
    assert ChangeRecord.objects.filter(organization=org, object_type="leads.lead",
                                       action="assign").count() == 2000
    # a batch gives each owner one summary notification
    notes = Notification.objects.filter(organization=org, kind="lead.assigned")
    assert sorted(n.recipient_id for n in notes) == sorted(r.user_id for r in reps)
    # running again assigns nothing twice
    again = services.leads_assign(actor=admin)
    assert (again.considered, again.assigned) == (0, 0)
    assert ChangeRecord.objects.filter(organization=org, action="assign").count() == 2000


def test_round_robin_continues_where_the_last_run_stopped(org, admin):
    a, b = member(org), member(org)
    RuleFactory(organization=org, members=[a.user, b.user])
    first = LeadFactory(organization=org)
    services.leads_assign(actor=admin)
    second = LeadFactory(organization=org)
    services.leads_assign(actor=admin)
    first.refresh_from_db()
    second.refresh_from_db()
    assert {first.owner_id, second.owner_id} == {a.user_id, b.user_id}
    # a single lead gets its own notification, linking to it
    note = Notification.objects.get(recipient=a.user, kind="lead.assigned")
    assert note.url.endswith(f"/leads/{first.pk}/") or note.url.endswith(f"/leads/{second.pk}/")


def test_least_loaded_picks_the_rep_with_fewest_open_leads(org, admin):
    busy, free = member(org), member(org)
    for _ in range(3):
        LeadFactory(organization=org, owner=busy.user, status="new")
    LeadFactory(organization=org, owner=free.user, status="converted")  # not open: not counted
    LeadFactory(organization=org, owner=free.user, status="qualified")
    RuleFactory(organization=org, strategy=AssignmentRule.Strategy.LEAST_LOADED,
                members=[busy.user, free.user])
    new = [LeadFactory(organization=org) for _ in range(3)]
    services.leads_assign(actor=admin)
    owners = Counter(Lead.objects.filter(pk__in=[n.pk for n in new])
                     .values_list("owner_id", flat=True))
    # free had 1 open, busy 3: free gets two, then they are level and the lower id wins ties
    assert owners[free.user_id] >= 2
    assert sum(owners.values()) == 3


def test_first_matching_rule_wins_and_fallback_takes_the_rest(org, admin):
    gd, other = member(org), member(org)
    RuleFactory(organization=org, name="广东", match_province="广东, 广西", members=[gd.user])
    RuleFactory(organization=org, name="fallback", members=[other.user])
    canton = LeadFactory(organization=org, province="广东")
    beijing = LeadFactory(organization=org, province="北京")
    result = services.leads_assign(actor=admin)
    canton.refresh_from_db()
    beijing.refresh_from_db()
    assert (canton.owner_id, beijing.owner_id) == (gd.user_id, other.user_id)
    assert result.assigned == 2


def test_custom_field_and_source_criteria(org, admin):
    vip_rep, rep = member(org), member(org)
    RuleFactory(organization=org, match_source="web_form", match_custom_key="level",
                match_custom_value="VIP", members=[vip_rep.user])
    RuleFactory(organization=org, members=[rep.user])
    vip = LeadFactory(organization=org, source="web_form", custom_data={"level": "vip"})
    imported_vip = LeadFactory(organization=org, source="import", custom_data={"level": "VIP"})
    services.leads_assign(actor=admin)
    vip.refresh_from_db()
    imported_vip.refresh_from_db()
    assert (vip.owner_id, imported_vip.owner_id) == (vip_rep.user_id, rep.user_id)


def test_a_rule_whose_members_are_all_inactive_passes_leads_on(org, admin):
    gone, rep = member(org), member(org)
    gone.is_active = False
    gone.save()
    RuleFactory(organization=org, members=[gone.user])
    RuleFactory(organization=org, members=[rep.user])
    lead = LeadFactory(organization=org)
    services.leads_assign(actor=admin)
    lead.refresh_from_db()
    assert lead.owner_id == rep.user_id


def test_team_strategy_uses_the_active_team_members(org, admin):
    east = team(org, "华东组")
    a = member(org, team=east)
    off = member(org, team=east)
    off.is_active = False
    off.save()
    RuleFactory(organization=org, team=east)
    leads = [LeadFactory(organization=org) for _ in range(2)]
    services.leads_assign(actor=admin)
    assert {Lead.objects.get(pk=lead.pk).owner_id for lead in leads} == {a.user_id}


def test_a_rep_may_not_run_the_rules(org):
    rep = actor_for(member(org))
    with pytest.raises(DomainError):
        services.leads_assign(actor=rep)


def test_rule_needs_members_or_a_team(org, admin):
    with pytest.raises(ValidationError) as exc:
        services.rule_save(actor=admin, values={"name": "x"}, members=[])
    assert "members" in exc.value.message_dict


def test_rules_reorder_and_move(org, admin):
    rep = member(org)
    one = services.rule_save(actor=admin, values={"name": "one"}, members=[rep.user])
    two = services.rule_save(actor=admin, values={"name": "two"}, members=[rep.user])
    services.rule_move(actor=admin, rule=two, step=-1)
    assert list(AssignmentRule.objects.filter(organization=org)
                .values_list("name", flat=True)) == ["two", "one"]
    services.rules_reorder(actor=admin, rule_ids=[one.pk, two.pk])
    assert list(AssignmentRule.objects.filter(organization=org)
                .values_list("name", flat=True)) == ["one", "two"]


def test_assignment_benchmark_entry_point(org):
    figures = services.assignment_benchmark(org, 300, reps=3)
    assert figures["assigned"] == 300


def test_activity_moves_a_new_lead_to_contacted(org):
    rep = member(org)
    actor = actor_for(rep)
    lead = services.lead_create(actor=actor, values={"name": "王五", "mobile": "13812345678"})
    assert (lead.owner_id, lead.mobile) == (rep.user_id, "+8613812345678")
    services.activity_create(actor=actor, lead=lead, values={"kind": "call",
                                                             "content": "打了电话"})
    lead.refresh_from_db()
    assert lead.status == "contacted"


def test_disqualify_needs_a_reason(org, admin):
    lead = services.lead_create(actor=admin, values={"name": "王五"})
    with pytest.raises(ValidationError) as exc:
        services.lead_disqualify(actor=admin, lead=lead, reason=" ")
    assert "disqualify_reason" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.lead_update(actor=admin, lead=lead, values={"status": "disqualified"})
    lead = services.lead_disqualify(actor=admin, lead=lead, reason="没有预算")
    assert lead.status == "disqualified"


def test_claim_and_release_are_audited(org):
    rep = actor_for(member(org))
    lead = LeadFactory(organization=org)
    services.lead_claim(actor=rep, lead=lead)
    with pytest.raises(DomainError):
        services.lead_claim(actor=actor_for(member(org)), lead=lead)
    lead.refresh_from_db()
    services.lead_release(actor=rep, lead=lead)
    lead.refresh_from_db()
    assert lead.owner_id is None
    notes = list(ChangeRecord.objects.filter(object_type="leads.lead", object_id=lead.pk)
                 .values_list("changes", flat=True))
    assert {"owner_id": [None, rep.user.pk]} in notes and {"owner_id": [rep.user.pk, None]} in notes


def test_conversion_creates_customer_contact_and_opportunity_once(org):
    rep = member(org)
    actor = actor_for(rep)
    lead = services.lead_create(actor=actor, values={
        "name": "李雷", "company": "星辰科技有限公司", "mobile": "13900001111",
        "email": "li@xingchen.cn", "title": "采购经理", "status": "qualified"})
    result = services.lead_convert(actor=actor, lead=lead, amount=Decimal("50000"))
    lead.refresh_from_db()
    assert lead.status == "converted" and lead.converted_at is not None
    customer = Customer.objects.get(pk=lead.converted_customer_id)
    assert (customer.name, customer.owner_id) == ("星辰科技有限公司", rep.user_id)
    contact = Contact.objects.get(pk=lead.converted_contact_id)
    assert (contact.name, contact.mobile, contact.customer_id) == ("李雷", "+8613900001111",
                                                                  customer.pk)
    opportunity = Opportunity.objects.get(pk=lead.converted_opportunity_id)
    assert (opportunity.customer_id, opportunity.amount) == (customer.pk, Decimal("50000"))
    assert result.customer_created
    with pytest.raises(DomainError) as exc:
        services.lead_convert(actor=actor, lead=lead)
    assert exc.value.code == "already_converted"


def test_conversion_with_a_duplicate_rolls_back_and_can_attach(org, admin):
    existing = CustomerFactory(organization=org, name="星辰科技有限公司")
    lead = services.lead_create(actor=admin, values={"name": "李雷", "company": "星辰科技"})
    with pytest.raises(customer_services.DuplicateFound) as exc:
        services.lead_convert(actor=admin, lead=lead)
    assert [c.customer_id for c in exc.value.candidates] == [existing.pk]
    lead.refresh_from_db()
    assert lead.status == "new" and Contact.objects.count() == 0
    result = services.lead_convert(actor=admin, lead=lead, existing_customer=existing)
    assert result.customer == existing and not result.customer_created
    assert Customer.objects.filter(organization=org).count() == 1


def test_webform_submission_as_the_system_actor_gets_assigned(org):
    a, b = member(org), member(org)
    RuleFactory(organization=org, members=[a.user, b.user])
    form = services.webform_for(organization=org)
    lead = services.webform_submit(form=form, values={"name": "访客", "email": "V@x.cn"})
    assert (lead.source, lead.email) == ("web_form", "v@x.cn")
    assert lead.owner_id == a.user_id
    assert ChangeRecord.objects.filter(object_type="leads.lead", object_id=lead.pk,
                                       action="create", user=None).exists()


def test_webform_default_owner_takes_what_no_rule_matches(org, admin):
    rep = member(org)
    services.webform_update(actor=admin, values={"enabled": True, "default_owner_id":
                                                 rep.user_id})
    form = services.webform_for(organization=org)
    lead = services.webform_submit(form=form, values={"name": "访客", "mobile": "13700001111"})
    assert lead.owner_id == rep.user_id


def test_system_actor_lead_goes_to_the_pool():
    org = OrganizationFactory()
    lead = services.lead_create(actor=Actor.system(organization=org), values={"name": "x"})
    assert lead.owner_id is None and lead.assigned_at is None


def test_benchmark_command_prints_json(org):
    import io
    import json

    from django.core.management import call_command

    out = io.StringIO()
    call_command("leads_assign_benchmark", "--leads", "50", "--org", org.slug, stdout=out)
    assert json.loads(out.getvalue())["assigned"] == 50
