"""Forms of the list pages: bulk actions, segments (saved filters and their conditions), and the
pool policy. They render and collect; the services validate and write."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kehu.customers.models import PoolPolicy


class BulkForm(forms.Form):
    """One action on the checked rows of the list."""

    ACTIONS = [("assign", _("Assign owner")), ("tag", _("Add tag")),
               ("untag", _("Remove tag")), ("pool", _("Move to pool")),
               ("delete", _("Delete"))]

    action = forms.ChoiceField(choices=ACTIONS)
    owner = forms.TypedChoiceField(label=_("New owner"), required=False, coerce=int,
                                   empty_value=None)
    tag = forms.CharField(label=_("Tag"), required=False, max_length=30)

    def __init__(self, *args: Any, members: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "—"), *members]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        action = data.get("action")
        if action == "assign" and not data.get("owner"):
            self.add_error("owner", _("Choose the new owner."))
        if action in ("tag", "untag") and not (data.get("tag") or "").strip():
            self.add_error("tag", _("Name the tag."))
        return data


class SegmentForm(forms.Form):
    """A segment's name and sharing, and its conditions as the builder posts them: one
    `conditions` field per row, each a JSON object {"field", "op", "value"}."""

    name = forms.CharField(label=_("Name"), max_length=100)
    is_shared = forms.BooleanField(label=_("Shared with everyone"), required=False)

    def conditions(self) -> list[dict[str, Any]]:
        rows = []
        for raw in self.data.getlist("conditions") if hasattr(self.data, "getlist") else []:
            try:
                row = json.loads(raw)
            except ValueError:
                continue
            if isinstance(row, dict) and row.get("field"):
                rows.append({"field": str(row["field"]), "op": str(row.get("op", "")),
                             "value": row.get("value")})
        return rows


class PoolPolicyForm(forms.ModelForm):
    class Meta:
        model = PoolPolicy
        fields = ["claim_limit", "no_follow_up_days", "no_deal_days", "warn_days_before"]
