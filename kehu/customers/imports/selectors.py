"""Reads of imports: the jobs a user may see, saved mappings, and the preview of a file."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from kehu.core.permissions.actor import Actor
from kehu.customers.imports import bulk, cells, mapping, services
from kehu.customers.imports.rows import RowRejected, parser_for
from kehu.customers.models import ImportJob, ImportMapping

PREVIEW_ROWS = 20


def import_job_list(*, actor: Actor) -> QuerySet[ImportJob]:
    """The organization's imports for admins; a user's own for everyone else."""
    qs = ImportJob.objects.filter(organization=actor.organization).select_related("user")
    if not actor.is_admin:
        qs = qs.filter(user_id=actor.user.pk if actor.user else None)
    return qs.order_by("-id")


def import_job_get(*, actor: Actor, job_id: int) -> ImportJob:
    job = import_job_list(actor=actor).filter(pk=job_id).first()
    if job is None:
        raise Http404
    return job


def import_mapping_list(*, actor: Actor, object_type: str | None = None
                        ) -> QuerySet[ImportMapping]:
    qs = ImportMapping.objects.filter(organization=actor.organization)
    if object_type:
        qs = qs.filter(object_type=object_type)
    return qs.order_by("name", "id")


def import_mapping_get(*, actor: Actor, mapping_id: int) -> ImportMapping:
    template = import_mapping_list(actor=actor).filter(pk=mapping_id).first()
    if template is None:
        raise Http404
    return template


@dataclass
class PreviewRow:
    number: int
    cells: list[str]
    action: str           # create, update, skip, reject
    reason: str = ""
    errors: dict[str, str] = field(default_factory=dict)  # column header → message
    target_id: int | None = None


@dataclass
class Preview:
    headers: list[str]
    mapping: list[str]
    rows: list[PreviewRow]
    targets: list[mapping.Target]
    problems: list[str] = field(default_factory=list)  # a mapping that cannot be used yet


def import_preview(*, actor: Actor, job: ImportJob, mapping_keys: list[str] | None = None,
                   on_duplicate: str | None = None, limit: int = PREVIEW_ROWS) -> Preview:
    """The first rows of the file as they would be imported with this mapping and option:
    what each row would do, and every problem of rejected rows. Writes nothing."""
    from django.core.exceptions import ValidationError

    all_targets = services.targets_for(organization=actor.organization,
                                       object_type=job.object_type)
    keys = list(mapping_keys if mapping_keys is not None else job.mapping)
    preview = Preview(headers=list(job.headers), mapping=keys, rows=[], targets=all_targets)
    try:
        mapping.validate(keys, headers=job.headers, all_targets=all_targets)
    except ValidationError as exc:
        preview.problems = [str(m) for m in exc.messages]
    with services.local_file(job) as path:
        table = services.open_job_table(job, path)
        rows = list(itertools.islice(table.rows(), limit))
        parser = parser_for(object_type=job.object_type, actor=actor, headers=job.headers,
                            mapping=[k if k in {t.key for t in all_targets} else ""
                                     for k in keys], epoch=table.epoch)
    parsed, errors = [], {}
    for number, row in rows:
        try:
            parsed.append(parser.parse(number, row))
        except RowRejected as exc:
            errors[number] = exc.errors
    options = ImportJob(organization=job.organization, on_duplicate=on_duplicate
                        or job.on_duplicate, dry_run=True, original_name=job.original_name)
    options.pk = job.pk
    importer = bulk.importer_for(object_type=job.object_type, actor=actor, job=options,
                                 parser=parser, preview=True)
    importer.prepare(parsed_rows=parsed)
    importer.run(iter(rows))
    outcomes = {o.number: o for o in importer.outcomes}
    for number, row in rows:
        outcome = outcomes.get(number) or bulk.Outcome(number, bulk.CREATE)
        preview.rows.append(PreviewRow(
            number=number, cells=[_display(c) for c in row], action=outcome.action,
            reason=outcome.reason, errors=errors.get(number, {}),
            target_id=outcome.target_id))
    return preview


def _display(value: Any) -> str:
    return cells.text(value, multiline=True) if value is not None else ""
