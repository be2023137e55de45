"""What the sales module tells the customer archive about won deals (the sanctioned write
path: the customers app owns Customer, the sales module calls this)."""

from __future__ import annotations

import datetime

from django.db.models import Case, F, Q, Value, When

from kehu.customers.models import Customer


def customer_record_won(*, customer_id: int, won_at: datetime.datetime) -> int:
    """Remember the customer's latest won deal (for the pool's "no deal for N days" rule) and
    make a potential customer an active one. One UPDATE; returns the rows changed."""
    return (Customer.objects.filter(pk=customer_id)
            .filter(Q(last_won_at__isnull=True) | Q(last_won_at__lt=won_at)
                    | Q(status=Customer.Status.POTENTIAL))
            .update(last_won_at=Case(When(Q(last_won_at__isnull=True)
                                          | Q(last_won_at__lt=won_at), then=Value(won_at)),
                                     default=F("last_won_at")),
                    status=Case(When(status=Customer.Status.POTENTIAL,
                                     then=Value(Customer.Status.ACTIVE)),
                                default=F("status"))))
