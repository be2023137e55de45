"""Rows of other modules that belong to a customer (contacts, follow-ups, tasks, and later
opportunities, orders, tickets…). Modules register them in `AppConfig.ready()`; merging two
customers moves every registered relation, and the 360° view can count them."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.db import models
from django.utils.functional import Promise


@dataclass(frozen=True)
class Relation:
    model_label: str  # "customers.Contact"
    field: str  # the ForeignKey to Customer
    label: Promise | str

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.model_label)

    @property
    def key(self) -> str:
        return f"{self.model_label.lower()}.{self.field}"


_relations: dict[str, Relation] = {}


def register(model_label: str, field: str, label: Promise | str) -> None:
    relation = Relation(model_label, field, label)
    _relations[relation.key] = relation


def all_relations() -> list[Relation]:
    return list(_relations.values())
