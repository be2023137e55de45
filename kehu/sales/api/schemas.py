"""Schemas of the sales API."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema


class StageOut(Schema):
    id: int
    name: str
    kind: str
    probability: int
    position: int
    is_active: bool


class PipelineOut(Schema):
    id: int
    name: str
    is_default: bool
    is_active: bool
    position: int
    stages: list[StageOut]

    @staticmethod
    def resolve_stages(obj) -> list:
        return sorted(obj.stages.all(), key=lambda s: (s.position, s.pk))


class PipelineIn(Schema):
    name: str


class PipelinePatch(Schema):
    name: str | None = None
    is_active: bool | None = None
    is_default: bool | None = None
    position: int | None = Field(None, ge=0)


class StageIn(Schema):
    name: str
    kind: Literal["open", "won", "lost"] = "open"
    probability: int = Field(10, ge=0, le=100)
    position: int | None = Field(None, ge=0)


class StagePatch(Schema):
    name: str | None = None
    kind: Literal["open", "won", "lost"] | None = None
    probability: int | None = Field(None, ge=0, le=100)
    is_active: bool | None = None


class StageOrderIn(Schema):
    stage_ids: list[int]


class LostReasonOut(Schema):
    id: int
    name: str
    is_active: bool
    position: int


class LostReasonIn(Schema):
    name: str


class LostReasonPatch(Schema):
    name: str | None = None
    is_active: bool | None = None
    position: int | None = Field(None, ge=0)


class OpportunityOut(Schema):
    id: int
    version: int
    name: str
    customer_id: int
    contact_id: int | None
    pipeline_id: int
    stage_id: int
    stage: str
    status: str
    amount: Decimal
    currency: str
    weighted_amount: Decimal
    expected_close_on: date | None
    next_step: str
    competitors: str
    source: str
    description: str
    lost_reason_id: int | None
    lost_note: str
    closed_at: datetime | None
    stage_entered_at: datetime
    owner_id: int | None
    team_id: int | None
    custom: dict[str, Any]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_stage(obj) -> str:
        return obj.stage.name

    @staticmethod
    def resolve_custom(obj) -> dict[str, Any]:
        return obj.custom_data


class OpportunityFields(Schema):
    contact_id: int | None = None
    amount: Decimal | None = None
    currency: str | None = None
    expected_close_on: date | None = None
    next_step: str | None = None
    competitors: str | None = None
    source: str | None = None
    description: str | None = None
    owner_id: int | None = None
    custom: dict[str, Any] | None = None


class OpportunityIn(OpportunityFields):
    name: str
    customer_id: int
    pipeline_id: int | None = None
    stage_id: int | None = None
    lost_reason_id: int | None = None


class OpportunityPatch(OpportunityFields):
    name: str | None = None
    customer_id: int | None = None
    version: int | None = None


class OpportunityFilter(Schema):
    q: str = ""
    pipeline_id: int | None = None
    stage_id: int | None = None
    status: Literal["", "open", "won", "lost"] = ""
    owner_id: int | None = None
    customer_id: int | None = None
    close_from: date | None = None
    close_to: date | None = None
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None


class MoveIn(Schema):
    stage_id: int
    version: int | None = None
    before_id: int | None = None
    after_id: int | None = None
    lost_reason_id: int | None = None
    lost_note: str = ""


class VersionIn(Schema):
    version: int | None = None


class LoseIn(Schema):
    lost_reason_id: int | None = None
    note: str = ""
    version: int | None = None
    stage_id: int | None = None


class OpportunityLineOut(Schema):
    id: int
    product_id: int | None
    name: str
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    tax_rate: Decimal
    total: Decimal
    position: int


class OpportunityLineIn(Schema):
    product_id: int | None = None
    name: str = ""
    quantity: Decimal | None = None
    unit_price: Decimal | None = None
    discount_percent: Decimal | None = None
    tax_rate: Decimal | None = None
    position: int | None = Field(None, ge=0)


class OpportunityLinePatch(Schema):
    name: str | None = None
    quantity: Decimal | None = None
    unit_price: Decimal | None = None
    discount_percent: Decimal | None = None
    tax_rate: Decimal | None = None
    position: int | None = Field(None, ge=0)


class StageChangeOut(Schema):
    id: int
    from_stage_id: int | None
    to_stage_id: int
    to_stage: str
    changed_by_id: int | None
    changed_at: datetime
    seconds_in_previous: int
    amount: Decimal

    @staticmethod
    def resolve_to_stage(obj) -> str:
        return obj.to_stage.name


class ColumnTotalsOut(Schema):
    stage_id: int
    count: int
    amount: Decimal
    weighted_amount: Decimal


class CardOut(Schema):
    id: int
    version: int
    name: str
    customer_id: int
    customer: str
    amount: Decimal
    currency: str
    weighted_amount: Decimal
    expected_close_on: date | None
    owner_id: int | None
    board_rank: float

    @staticmethod
    def resolve_customer(obj) -> str:
        return obj.customer.name


class ColumnOut(Schema):
    stage: StageOut
    count: int
    amount: Decimal
    weighted_amount: Decimal
    cards: list[CardOut]
    more: bool


class BoardOut(Schema):
    pipeline_id: int
    columns: list[ColumnOut]


class MoveOut(Schema):
    opportunity: OpportunityOut
    totals: list[ColumnTotalsOut]
