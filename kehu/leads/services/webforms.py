"""The public web-to-lead form: its settings, and turning a submission into an assigned lead."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kehu.core import rls
from kehu.core.accounts.models import Membership
from kehu.core.audit import services as audit
from kehu.core.permissions import scoping
from kehu.core.permissions.actor import Actor, Via
from kehu.leads.models import Lead, WebForm, new_form_token
from kehu.leads.services import assignment
from kehu.leads.services.leads import lead_create

SETTINGS_FIELDS = ("enabled", "title", "intro", "thank_you", "default_owner_id")
SUBMITTED_FIELDS = ("name", "company", "title", "mobile", "phone", "email", "wechat",
                    "province", "city", "industry", "notes")


def webform_for(*, organization) -> WebForm:
    """The organization's form (created, switched off, on first use)."""
    form, _created = WebForm.objects.get_or_create(
        organization=organization,
        defaults={"title": _("Contact us"),
                  "intro": _("Leave your details and we will get back to you shortly."),
                  "thank_you": _("Thank you! We will contact you soon.")})
    return form


@transaction.atomic
def webform_update(*, actor: Actor, values: dict[str, Any],
                   new_token: bool = False) -> WebForm:
    scoping.require_admin(actor)
    form = webform_for(organization=actor.organization)
    before = audit.snapshot(form)
    for name in SETTINGS_FIELDS:
        if name in values:
            setattr(form, name, values[name])
    if form.default_owner_id and not Membership.objects.filter(
            organization=actor.organization, user_id=form.default_owner_id,
            is_active=True).exists():
        raise ValidationError({"default_owner": _("Choose an active user of this "
                                                  "organization.")})
    if new_token:
        form.token = new_form_token()
    form.full_clean(exclude=["organization"])
    form.save()
    after = audit.snapshot(form)
    audit.change_record(actor=actor, action="update", instance=form, before=before,
                        after=after)
    return form


def webform_by_token(token: str) -> WebForm | None:
    """The enabled form behind a public URL, or None."""
    # The link is what tells which organization the page is for: a read across them.
    with rls.bypass():
        return (WebForm.objects.select_related("organization")
                .filter(token=token, enabled=True, organization__is_active=True).first())


@transaction.atomic
def webform_submit(*, form: WebForm, values: dict[str, Any]) -> Lead:
    """Create the lead as Kehu itself (nobody signed in), run the assignment rules on it and,
    when none matched, give it to the form's default owner."""
    actor = Actor.system(organization=form.organization, via=Via.UI)
    values = {k: v for k, v in values.items() if k in SUBMITTED_FIELDS}
    lead = lead_create(actor=actor, values={**values, "source": Lead.Source.WEB_FORM,
                                            "owner_id": None})
    result = assignment.leads_assign(actor=actor, lead_ids=[lead.pk])
    if not result.assigned and form.default_owner_id:
        active = assignment.active_members(form.organization)
        if form.default_owner_id in active:
            assignment.apply_owners(
                actor=actor, assignments=[(lead, form.default_owner_id,
                                           _("default owner of the web form"))],
                active_teams=active)
    lead.refresh_from_db()
    return lead
