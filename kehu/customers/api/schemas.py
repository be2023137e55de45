"""Schemas shared by the customer module's routers."""

from datetime import date, datetime
from typing import Any, Literal

from ninja import Schema


class CustomerOut(Schema):
    id: int
    version: int
    kind: str
    name: str
    short_name: str
    industry: str
    source: str
    level: str
    status: str
    province: str
    city: str
    district: str
    address: str
    phone: str
    email: str
    website: str
    owner_id: int | None
    team_id: int | None
    tags: list[str]
    next_follow_up_on: date | None
    last_contacted_at: datetime | None
    notes: str
    custom: dict[str, Any]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_custom(obj) -> dict[str, Any]:
        return obj.custom_data

    @staticmethod
    def resolve_tags(obj) -> list[str]:
        return [t.name for t in obj.tags.all()]


class CustomerFields(Schema):
    kind: Literal["company", "person"] | None = None
    short_name: str | None = None
    industry: str | None = None
    source: str | None = None
    level: Literal["", "a", "b", "c", "d"] | None = None
    status: Literal["potential", "active", "dormant", "lost"] | None = None
    province: str | None = None
    city: str | None = None
    district: str | None = None
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    website: str | None = None
    owner_id: int | None = None
    next_follow_up_on: date | None = None
    notes: str | None = None
    custom: dict[str, Any] | None = None
    confirm_duplicate: bool = False


class CustomerIn(CustomerFields):
    name: str


class CustomerPatch(CustomerFields):
    name: str | None = None
    version: int | None = None


class CustomerFilter(Schema):
    q: str = ""
    owner_id: int | None = None
    status: str = ""
    tag_id: int | None = None
    pool: bool | None = None
    segment_id: int | None = None


class IdsIn(Schema):
    customer_ids: list[int]


class CountOut(Schema):
    count: int


def split(payload: Schema) -> tuple[dict[str, Any], dict[str, Any] | None, bool]:
    """Model values, custom-field values and the duplicate confirmation of a payload."""
    data = payload.dict(exclude_unset=True)
    data.pop("version", None)
    confirm = bool(data.pop("confirm_duplicate", False))
    return data, data.pop("custom", None), confirm
