"""Pipelines, their stages and the lost reasons (admin settings).

Every organization gets a default pipeline the first time one is needed, so organizations
created before the sales module have one too. The rules every change keeps:

- each pipeline has exactly one active won stage and at least one active lost stage;
- a stage that holds opportunities (or appears in their history) is never deleted, only
  deactivated; its kind does not change while it holds opportunities;
- changing a stage's probability re-weighs its opportunities in one UPDATE.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.functions import Round
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from kehu.core.audit import services as audit
from kehu.core.common import money
from kehu.core.common.errors import DomainError
from kehu.core.permissions import scoping
from kehu.core.permissions.actor import Actor
from kehu.core.tenancy.models import Organization
from kehu.sales.models import LostReason, Opportunity, Pipeline, Stage, StageChange


def _default_stages() -> list[tuple[str, str, int]]:
    return [
        (_("Initial contact"), Stage.Kind.OPEN, 10),
        (_("Needs analysis"), Stage.Kind.OPEN, 25),
        (_("Proposal"), Stage.Kind.OPEN, 50),
        (_("Negotiation"), Stage.Kind.OPEN, 75),
        (_("Won"), Stage.Kind.WON, 100),
        (pgettext("deal", "Lost"), Stage.Kind.LOST, 0),
    ]


def _default_lost_reasons() -> list[str]:
    return [_("Price too high"), _("Chose a competitor"), _("No budget"), _("No decision"),
            _("Requirements not met")]


def _create_stages(organization: Organization, pipeline: Pipeline) -> None:
    Stage.objects.bulk_create(
        Stage(organization=organization, pipeline=pipeline, name=name, kind=kind,
              probability=probability, position=position)
        for position, (name, kind, probability) in enumerate(_default_stages()))


def pipeline_default(*, organization: Organization) -> Pipeline:
    """The organization's default pipeline, created with the usual stages if it has none."""
    pipeline = Pipeline.objects.filter(organization=organization, is_default=True).first()
    if pipeline is not None:
        return pipeline
    try:
        with transaction.atomic():
            pipeline = Pipeline.objects.create(organization=organization, is_default=True,
                                               name=_("Sales pipeline"))
            _create_stages(organization, pipeline)
            if not LostReason.objects.filter(organization=organization).exists():
                LostReason.objects.bulk_create(
                    LostReason(organization=organization, name=name, position=position)
                    for position, name in enumerate(_default_lost_reasons()))
    except IntegrityError:  # another request created it first
        pipeline = Pipeline.objects.get(organization=organization, is_default=True)
    return pipeline


def first_open_stage(pipeline: Pipeline) -> Stage:
    return (pipeline.stages.filter(kind=Stage.Kind.OPEN, is_active=True)
            .order_by("position", "id").first())


def won_stage(pipeline: Pipeline) -> Stage | None:
    return pipeline.stages.filter(kind=Stage.Kind.WON, is_active=True).first()


def first_lost_stage(pipeline: Pipeline) -> Stage | None:
    return (pipeline.stages.filter(kind=Stage.Kind.LOST, is_active=True)
            .order_by("position", "id").first())


# --- pipelines -------------------------------------------------------------------------------

def _audit(actor: Actor, action: str, instance: Any, before: dict | None) -> None:
    after = None if action == "delete" else audit.snapshot(instance)
    audit.change_record(actor=actor, action=action, instance=instance, before=before,
                        after=after)


def _clean_name(name: str, field: str = "name") -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({field: _("Enter a name.")})
    return name


def _unique(qs, name: str, exclude_pk: int | None, message: str) -> None:
    if qs.filter(name=name).exclude(pk=exclude_pk).exists():
        raise ValidationError({"name": message})


@transaction.atomic
def pipeline_create(*, actor: Actor, name: str) -> Pipeline:
    """A new pipeline with the usual stages (rename and adjust them afterwards)."""
    scoping.require_admin(actor)
    pipeline_default(organization=actor.organization)
    name = _clean_name(name)
    org_pipelines = Pipeline.objects.filter(organization=actor.organization)
    _unique(org_pipelines, name, None, _("A pipeline with this name already exists."))
    last = org_pipelines.order_by("-position").values_list("position", flat=True).first()
    pipeline = Pipeline.objects.create(organization=actor.organization, name=name,
                                       position=(last or 0) + 1)
    _create_stages(actor.organization, pipeline)
    _audit(actor, "create", pipeline, None)
    return pipeline


@transaction.atomic
def pipeline_update(*, actor: Actor, pipeline: Pipeline, values: dict[str, Any]) -> Pipeline:
    """`values`: name, is_active, is_default, position. The default pipeline stays active;
    making another one the default takes the flag from the current one."""
    scoping.require_admin(actor)
    pipeline = Pipeline.objects.select_for_update().get(pk=pipeline.pk)
    before = audit.snapshot(pipeline)
    if "name" in values:
        pipeline.name = _clean_name(values["name"])
        _unique(Pipeline.objects.filter(organization=actor.organization), pipeline.name,
                pipeline.pk, _("A pipeline with this name already exists."))
    if "position" in values and values["position"] is not None:
        pipeline.position = max(0, int(values["position"]))
    if values.get("is_default") and not pipeline.is_default:
        Pipeline.objects.filter(organization=actor.organization, is_default=True) \
            .update(is_default=False)
        pipeline.is_default = True
        pipeline.is_active = True
    elif values.get("is_default") is False and pipeline.is_default:
        raise DomainError("default_pipeline",
                          _("Make another pipeline the default instead."))
    if "is_active" in values and values["is_active"] is not None:
        if not values["is_active"] and pipeline.is_default:
            raise DomainError("default_pipeline",
                              _("The default pipeline cannot be deactivated. Make another "
                                "pipeline the default first."))
        pipeline.is_active = bool(values["is_active"])
    pipeline.save()
    _audit(actor, "update", pipeline, before)
    return pipeline


# --- stages ----------------------------------------------------------------------------------

def _check_kinds(pipeline: Pipeline) -> None:
    """Exactly one active won stage and at least one active lost stage."""
    active = pipeline.stages.filter(is_active=True)
    won = active.filter(kind=Stage.Kind.WON).count()
    lost = active.filter(kind=Stage.Kind.LOST).count()
    if won != 1:
        raise DomainError("won_stage_required",
                          _("A pipeline must have exactly one active won stage."),
                          status=422)
    if lost < 1:
        raise DomainError("lost_stage_required",
                          _("A pipeline must have at least one active lost stage."),
                          status=422)


def _clean_probability(value: Any) -> int:
    try:
        probability = int(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"probability": _("Enter a whole number from 0 to 100.")}) \
            from exc
    if not 0 <= probability <= 100:
        raise ValidationError({"probability": _("Enter a whole number from 0 to 100.")})
    return probability


def _clean_kind(value: Any) -> str:
    if value not in Stage.Kind.values:
        raise ValidationError({"kind": _("Choose open, won or lost.")})
    return value


def reweigh_stage(stage: Stage) -> int:
    """weighted_amount = amount × probability for every opportunity in `stage`, in SQL."""
    factor = money.Decimal(stage.probability) / money.HUNDRED
    rows = Opportunity.objects.filter(stage=stage)
    count = rows.exclude(currency="JPY").update(
        weighted_amount=Round(F("amount") * factor, 2))
    count += rows.filter(currency="JPY").update(weighted_amount=Round(F("amount") * factor, 0))
    return count


@transaction.atomic
def stage_create(*, actor: Actor, pipeline: Pipeline, name: str, kind: str = Stage.Kind.OPEN,
                 probability: Any = 10, position: int | None = None) -> Stage:
    """A new stage, by default just before the closed (won/lost) stages."""
    scoping.require_admin(actor)
    Pipeline.objects.select_for_update().filter(pk=pipeline.pk).first()
    name = _clean_name(name)
    kind = _clean_kind(kind)
    probability = _clean_probability(probability)
    _unique(pipeline.stages.all(), name, None, _("This pipeline already has a stage named so."))
    stages = list(pipeline.stages.order_by("position", "id"))
    if position is None:
        open_positions = [s.position for s in stages if s.kind == Stage.Kind.OPEN]
        position = (max(open_positions) + 1) if open_positions else 0
    for other in stages:  # make room
        if other.position >= position:
            other.position += 1
    Stage.objects.bulk_update(stages, ["position"])
    stage = Stage.objects.create(organization=actor.organization, pipeline=pipeline, name=name,
                                 kind=kind, probability=probability, position=position)
    _check_kinds(pipeline)
    _audit(actor, "create", stage, None)
    return stage


@transaction.atomic
def stage_update(*, actor: Actor, stage: Stage, values: dict[str, Any]) -> Stage:
    """`values`: name, kind, probability, is_active."""
    scoping.require_admin(actor)
    Pipeline.objects.select_for_update().filter(pk=stage.pipeline_id).first()
    stage = Stage.objects.select_related("pipeline").get(pk=stage.pk)
    before = audit.snapshot(stage)
    if values.get("name") is not None:
        stage.name = _clean_name(values["name"])
        _unique(stage.pipeline.stages.all(), stage.name, stage.pk,
                _("This pipeline already has a stage named so."))
    if values.get("kind") is not None and values["kind"] != stage.kind:
        stage_kind = _clean_kind(values["kind"])
        if Opportunity.objects.filter(stage=stage).exists():
            raise DomainError("stage_in_use",
                              _("The kind of a stage that holds opportunities cannot change. "
                                "Add a new stage instead."))
        stage.kind = stage_kind
    reweigh = False
    if values.get("probability") is not None:
        probability = _clean_probability(values["probability"])
        reweigh = probability != stage.probability
        stage.probability = probability
    if values.get("is_active") is not None:
        stage.is_active = bool(values["is_active"])
    stage.save()
    _check_kinds(stage.pipeline)
    if reweigh:
        reweigh_stage(stage)
    _audit(actor, "update", stage, before)
    return stage


@transaction.atomic
def stages_reorder(*, actor: Actor, pipeline: Pipeline, stage_ids: Sequence[int]) -> None:
    """Positions follow `stage_ids`; stages not named keep their order after them."""
    scoping.require_admin(actor)
    stages = {s.pk: s for s in pipeline.stages.all()}
    ordered = [stages[pk] for pk in dict.fromkeys(stage_ids) if pk in stages]
    if len(ordered) != len(dict.fromkeys(stage_ids)):
        raise ValidationError({"stage_ids": _("Name only stages of this pipeline.")})
    rest = sorted((s for s in stages.values() if s not in ordered),
                  key=lambda s: (s.position, s.pk))
    for position, stage in enumerate([*ordered, *rest]):
        stage.position = position
    Stage.objects.bulk_update(stages.values(), ["position"])


@transaction.atomic
def stage_delete(*, actor: Actor, stage: Stage) -> None:
    """Only a stage nothing refers to; one with opportunities can only be deactivated."""
    scoping.require_admin(actor)
    used = (Opportunity.objects.filter(stage=stage).exists()
            or StageChange.objects.filter(Q(from_stage=stage) | Q(to_stage=stage)).exists())
    if used:
        raise DomainError("stage_in_use",
                          _("This stage has opportunities (or had them); deactivate it "
                            "instead of deleting it."))
    pipeline = stage.pipeline
    before = audit.snapshot(stage)
    pk = stage.pk
    stage.delete()
    stage.pk = pk
    _check_kinds(pipeline)
    audit.change_record(actor=actor, action="delete", instance=stage, before=before,
                        after=None)


# --- lost reasons ----------------------------------------------------------------------------

@transaction.atomic
def lost_reason_create(*, actor: Actor, name: str) -> LostReason:
    scoping.require_admin(actor)
    pipeline_default(organization=actor.organization)  # the default reasons come first
    name = _clean_name(name)
    reasons = LostReason.objects.filter(organization=actor.organization)
    _unique(reasons, name, None, _("This lost reason already exists."))
    last = reasons.order_by("-position").values_list("position", flat=True).first()
    reason = LostReason.objects.create(organization=actor.organization, name=name,
                                       position=(last or 0) + 1)
    _audit(actor, "create", reason, None)
    return reason


@transaction.atomic
def lost_reason_update(*, actor: Actor, reason: LostReason,
                       values: dict[str, Any]) -> LostReason:
    """`values`: name, is_active, position. Reasons are deactivated, never deleted (lost
    opportunities keep pointing at them)."""
    scoping.require_admin(actor)
    before = audit.snapshot(reason)
    if values.get("name") is not None:
        reason.name = _clean_name(values["name"])
        _unique(LostReason.objects.filter(organization=actor.organization), reason.name,
                reason.pk, _("This lost reason already exists."))
    if values.get("is_active") is not None:
        reason.is_active = bool(values["is_active"])
    if values.get("position") is not None:
        reason.position = max(0, int(values["position"]))
    reason.save()
    _audit(actor, "update", reason, before)
    return reason
