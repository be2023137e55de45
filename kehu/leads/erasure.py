"""A person's data in leads, for erasure and access requests (see kehu/customers/privacy/).
Registered in LeadsConfig.ready(). The lead row stays, pseudonymized, with its status,
source, owner and conversion links, so lead reports keep their numbers."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core.audit import services as audit
from kehu.customers.privacy.personal import REDACTED, Scrubber, is_erased, pseudonym
from kehu.customers.privacy.registry import Found, Outcome, PersonQuery
from kehu.leads.models import Lead, LeadActivity

LEAD = "leads.lead"
ACTIVITY = "leads.leadactivity"
LEAD_FIELDS = ("mobile", "phone", "email", "wechat", "notes")


class LeadSource:
    personal_fields = {
        LEAD: frozenset({"name", *LEAD_FIELDS}),
        ACTIVITY: frozenset({"content"}),
    }

    def find(self, *, organization, query: PersonQuery) -> list[Found]:
        if not query:
            return []
        leads = (Lead.objects.filter(organization=organization)
                 .filter(Q(mobile__in=query.phones) | Q(phone__in=query.phones)
                         | Q(email__in=query.emails) | Q(name__in=query.names))
                 .annotate(n_activities=Count("activities"))
                 .order_by("pk"))
        return [Found(object_type=LEAD, object_id=lead.pk, name=lead.name, kind=_("Lead"),
                      url=reverse("leads:lead-detail", args=[lead.pk]),
                      phones=tuple(v for v in (lead.mobile, lead.phone) if v),
                      emails=(lead.email,) if lead.email else (),
                      others=(lead.wechat,) if lead.wechat else (),
                      related=(("follow_ups", lead.n_activities),))
                for lead in leads
                if not is_erased(lead.name, lead.pk, *(getattr(lead, f) for f in LEAD_FIELDS))]

    def erase(self, *, actor, found: list[Found], scrubber: Scrubber) -> Outcome:
        outcome = Outcome()
        ids = {f.object_id for f in found if f.object_type == LEAD}
        now = timezone.now()
        for lead in Lead.objects.filter(organization=actor.organization, pk__in=ids):
            Lead.objects.filter(pk=lead.pk).update(
                name=pseudonym(lead.pk), custom_data=scrubber.kinds.keep(LEAD, lead.custom_data),
                disqualify_reason=scrubber.replace(lead.disqualify_reason),
                version=F("version") + 1, updated_at=now, **dict.fromkeys(LEAD_FIELDS, ""))
        activities = list(LeadActivity.objects.filter(organization=actor.organization,
                                                      lead_id__in=ids))
        for activity in activities:
            LeadActivity.objects.filter(pk=activity.pk).update(
                content=REDACTED, custom_data=scrubber.kinds.keep(ACTIVITY, activity.custom_data),
                version=F("version") + 1, updated_at=now)
        outcome.redact[LEAD] |= ids
        outcome.redact[ACTIVITY] |= {a.pk for a in activities}
        outcome.counts["records"] += len(ids)
        outcome.counts["follow_ups"] += len(activities)
        return outcome

    def export(self, *, organization, found: list[Found]) -> dict[str, list[dict[str, Any]]]:
        ids = [f.object_id for f in found if f.object_type == LEAD]
        leads = Lead.objects.filter(organization=organization, pk__in=ids)
        activities = LeadActivity.objects.filter(organization=organization, lead_id__in=ids)
        return {"leads": [{"id": lead.pk, **audit.snapshot(lead)} for lead in leads],
                "lead_follow_ups": [{"id": a.pk, **audit.snapshot(a)} for a in activities]}
