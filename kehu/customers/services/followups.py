"""Follow-up records (跟进记录): logging one updates the customer's "last contacted", can set
the next follow-up date (which becomes a reminder task for the owner), and can carry files."""

from __future__ import annotations

import datetime
import os
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core.common import records, uploads
from kehu.core.permissions.actor import Actor
from kehu.customers.models import Attachment, Contact, Customer, FollowUp

MAX_FILES = 9


@transaction.atomic
def follow_up_create(*, actor: Actor, customer: Customer, values: dict[str, Any],
                     files: list[UploadedFile] = (),
                     custom: dict[str, Any] | None = None) -> FollowUp:
    files = list(files)
    if len(files) > MAX_FILES:
        raise ValidationError({"attachments": _("At most %(n)d files per follow-up.")
                               % {"n": MAX_FILES}})
    content_types = [uploads.check_upload(f) for f in files]
    contact = values.get("contact")
    if contact is not None and contact.customer_id != customer.pk:
        raise ValidationError({"contact": _("This contact belongs to another customer.")})
    if isinstance(contact, Contact):
        values = {**values, "contact_id": contact.pk}
        values.pop("contact")
    follow_up = records.create_record(
        actor=actor, model=FollowUp,
        values={**values, "customer": customer, "author": actor.user}, custom=custom)
    for upload, content_type in zip(files, content_types, strict=True):
        Attachment.objects.create(
            organization=actor.organization, follow_up=follow_up, file=upload,
            original_name=os.path.basename(upload.name)[:200], content_type=content_type,
            size=upload.size)
    _update_customer(customer, follow_up)
    if follow_up.next_follow_up_on:
        _schedule_reminder(actor, customer, follow_up.next_follow_up_on)
    return follow_up


def refresh_last_contacted(customer_ids: list[int]) -> None:
    """Derived fields only: no version bump, so nobody's open edit of the customer goes stale."""
    for customer_id in customer_ids:
        last = (FollowUp.objects.filter(customer_id=customer_id)
                .aggregate(Max("happened_at"))["happened_at__max"])
        Customer.objects.filter(pk=customer_id).update(last_contacted_at=last)


def _update_customer(customer: Customer, follow_up: FollowUp) -> None:
    refresh_last_contacted([customer.pk])
    if follow_up.next_follow_up_on:
        Customer.objects.filter(pk=customer.pk).update(
            next_follow_up_on=follow_up.next_follow_up_on, updated_at=timezone.now())
    customer.refresh_from_db(fields=["last_contacted_at", "next_follow_up_on"])


def _schedule_reminder(actor: Actor, customer: Customer, due_on: datetime.date) -> None:
    from kehu.tasks import services as tasks
    from kehu.tasks.models import Task

    owner_id = customer.owner_id or (actor.user.pk if actor.user else None)
    if owner_id is None:
        return
    # one open follow-up reminder per customer and owner: moving the date moves the task
    existing = Task.objects.filter(organization=actor.organization, customer=customer,
                                   owner_id=owner_id, kind=Task.Kind.FOLLOW_UP,
                                   done_at__isnull=True).first()
    title = _("Follow up with %(customer)s") % {"customer": customer.name}
    system = Actor.system(organization=actor.organization, via=actor.via)
    if existing:
        if existing.due_on != due_on:
            tasks.task_update(actor=system, task=existing,
                              values={"due_on": due_on, "reminded_at": None})
        return
    tasks.task_create(actor=system, values={"title": title, "due_on": due_on,
                                            "customer": customer, "owner_id": owner_id})


@transaction.atomic
def follow_up_delete(*, actor: Actor, follow_up: FollowUp) -> None:
    customer = follow_up.customer
    records.delete_record(actor=actor, instance=follow_up)
    refresh_last_contacted([customer.pk])
