"""Next document number, taken inside the caller's transaction so a rolled-back document
gives its number back (no gaps, no two documents with one number)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from kehu.core.numbering.models import Sequence
from kehu.core.tenancy.models import Organization


def next_number(*, organization: Organization, key: str, prefix: str) -> str:
    """E.g. `next_number(organization=o, key="quote", prefix="QT")` → "QT-2026-00042"."""
    period = str(timezone.localdate().year)
    with transaction.atomic():
        updated = Sequence.objects.filter(organization=organization, key=key,
                                          period=period).update(last_value=F("last_value") + 1)
        if not updated:
            try:
                with transaction.atomic():
                    Sequence.objects.create(organization=organization, key=key, period=period,
                                            last_value=1)
            except IntegrityError:  # created concurrently: take the next one instead
                Sequence.objects.filter(organization=organization, key=key,
                                        period=period).update(last_value=F("last_value") + 1)
        value = Sequence.objects.get(organization=organization, key=key,
                                     period=period).last_value
    return f"{prefix}-{period}-{value:05d}"
