"""The kanban's column totals, kept as they change instead of summed on every board view."""

from __future__ import annotations

from django.db import models

from kehu.core.tenancy.models import organization_field
from kehu.sales.models.pipeline import Pipeline, Stage


class BoardTotal(models.Model):
    """How many live (not deleted) opportunities one owner has in one stage, and their amount
    and weighted amount in cents. Database triggers keep it (kehu.sales.board_totals), so every
    write path — a save, a bulk update, a merge, the demo generator's COPY — keeps it right;
    nothing in Python writes it. Amounts are summed whatever their currency, as the board
    always did."""

    organization = organization_field(indexed=False)
    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="+",
                                 db_index=False)
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="+",
                              db_index=False)
    owner_id = models.BigIntegerField()  # 0 when the opportunity has no owner
    count = models.BigIntegerField(default=0)
    amount_cents = models.BigIntegerField(default=0)
    weighted_cents = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["stage", "owner_id"],
                                               name="boardtotal_stage_owner")]
        indexes = [models.Index(fields=["organization", "pipeline", "stage"],
                                name="boardtotal_board")]

    def __str__(self) -> str:
        return f"stage {self.stage_id}, owner {self.owner_id}: {self.count}"
