"""Forms of the targets page: the single-target editor and the team's monthly targets."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kehu.core.accounts.models import Membership, Team
from kehu.core.common import money
from kehu.targets.models import Metric, PeriodKind

AMOUNT = {"min_value": 0, "max_digits": money.AMOUNT_DIGITS,
          "decimal_places": money.AMOUNT_PLACES}


class TargetForm(forms.Form):
    """Set one target: for a person ("u:<id>") or a team ("t:<id>")."""

    subject = forms.ChoiceField(label=_("For"))
    metric = forms.ChoiceField(label=_("Metric"), choices=Metric.choices)
    period = forms.ChoiceField(label=_("Period"), choices=PeriodKind.choices)
    date = forms.DateField(label=_("Any day of the period"),
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    amount = forms.DecimalField(label=_("Target amount"), **AMOUNT,
                                widget=forms.NumberInput(attrs={"step": "0.01", "min": "0",
                                                                "inputmode": "decimal"}))
    currency = forms.ChoiceField(label=_("Currency"), choices=money.Currency.choices)

    def __init__(self, *args: Any, members: list[Membership], teams: list[Team],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = [(f"u:{m.user_id}", str(m.user)) for m in members]
        groups = [(f"t:{t.pk}", "— " * t.depth + str(t)) for t in teams]
        choices: list[Any] = [("", "—"), (_("People"), people)]
        if groups:
            choices.append((_("Teams"), groups))
        self.fields["subject"].choices = choices

    def values(self) -> dict[str, Any]:
        kind, _sep, pk = self.cleaned_data["subject"].partition(":")
        data = self.cleaned_data
        return {"user_id": int(pk) if kind == "u" else None,
                "team_id": int(pk) if kind == "t" else None,
                "period_kind": data["period"], "period_start": data["date"],
                "metric": data["metric"], "amount": data["amount"],
                "currency": data["currency"]}


class MonthlyTargetsForm(forms.Form):
    """One amount per member of a team for one month (blank leaves a member's target alone)."""

    month = forms.DateField(label=_("Month"), input_formats=["%Y-%m", "%Y-%m-%d"],
                            widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"))
    metric = forms.ChoiceField(label=_("Metric"), choices=Metric.choices)
    currency = forms.ChoiceField(label=_("Currency"), choices=money.Currency.choices)

    def __init__(self, *args: Any, members: list[Membership],
                 current: dict[int, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.members = members
        for m in members:
            self.fields[f"amount_{m.user_id}"] = forms.DecimalField(
                label=str(m.user), required=False, **AMOUNT,
                initial=(current or {}).get(m.user_id),
                widget=forms.NumberInput(attrs={"step": "0.01", "min": "0",
                                                "inputmode": "decimal"}))

    def rows(self) -> list[tuple[Membership, forms.BoundField]]:
        return [(m, self[f"amount_{m.user_id}"]) for m in self.members]

    def amounts(self) -> dict[int, Any]:
        return {m.user_id: self.cleaned_data.get(f"amount_{m.user_id}") for m in self.members}

    @property
    def month_start(self) -> datetime.date:
        return self.cleaned_data["month"].replace(day=1)
