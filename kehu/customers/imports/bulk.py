"""The bulk path of an import: validate rows, decide per row (create, update, skip, reject),
and write in batches — one transaction each — with the audit log and the search index.

The rules are the one-row services' rules (see rows.py for validation): duplicates are the
customers `dedup.find_duplicates` would report (same name key, phone — of the customer or of a
contact —, email or domain), looked up in key maps loaded once per import and extended with
every row the import creates, so duplicates within the file are found too. Updates touch only
customers the actor may edit; assigning another owner needs the assign permission; every
written record gets a ChangeRecord with via "import" and is put in the search index.

Each committed batch is recorded on the job (its row range and the rows it wrote) in the same
transaction, so when a batch fails the job still says exactly which rows are in the database.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import json
import logging
import operator
import queue
import threading
from collections import defaultdict, namedtuple
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core.audit import services as audit
from kehu.core.audit.models import ChangeRecord
from kehu.core.common import records
from kehu.core.common.errors import DomainError
from kehu.core.customfields.services import custom_data_clean
from kehu.core.permissions import scoping
from kehu.core.permissions.actor import Actor
from kehu.core.search import index as search_index
from kehu.customers import dedup, indexing
from kehu.customers.imports.rows import ParsedRow, RowParser, RowRejected
from kehu.customers.imports.tables import (
    IdReserve,
    RowWriter,
    allocate_ids,
    json_encoder,
    tune_for_import,
    tuned_for_import,
)
from kehu.customers.models import Contact, Customer, ImportJob, Tag
from kehu.customers.services import customers as customer_services
from kehu.customers.services import tags as tag_services

logger = logging.getLogger(__name__)

BATCH_SIZE = 5000
CREATE, UPDATE, UNCHANGED, SKIP, REJECT = "create", "update", "unchanged", "skip", "reject"
OnDuplicate = ImportJob.OnDuplicate
KEY_KINDS = ("name", "phone", "email", "domain")


class Cancelled(Exception):  # a stop, not a failure
    pass


class BatchFailed(Exception):
    def __init__(self, first_row: int, last_row: int, error: BaseException) -> None:
        super().__init__(str(error))
        self.first_row, self.last_row, self.error = first_row, last_row, error


@dataclass
class Outcome:
    """What happened (or, in a preview or dry run, would happen) to one row."""

    number: int
    action: str
    reason: str = ""
    target_id: int | None = None


def ranges(numbers: Iterable[int]) -> list[list[int]]:
    """[2, 3, 4, 7, 9, 10] → [[2, 4], [7, 7], [9, 10]]"""
    result: list[list[int]] = []
    for n in sorted(numbers):
        if result and n == result[-1][1] + 1:
            result[-1][1] = n
        else:
            result.append([n, n])
    return result


@dataclass
class Batch:
    number: int
    first_row: int = 0
    last_row: int = 0
    rows: int = 0
    creates: list[ParsedRow] = field(default_factory=list)
    updates: dict[int, ParsedRow] = field(default_factory=dict)
    skipped: int = 0
    would_update: int = 0  # dry run: updates of rows this file creates
    rejected: list[tuple[int, list[Any], str]] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)

    def add_row(self, number: int) -> None:
        self.first_row = self.first_row or number
        self.last_row = number
        self.rows += 1

    @property
    def size(self) -> int:
        return len(self.creates) + len(self.updates)


class KeyIndex:
    """Duplicate-check keys → customer id, for one organization (newest customer wins, as
    `find_duplicates` lists the newest first). Rows the import creates are added with a
    negative placeholder until their batch is written."""

    def __init__(self) -> None:
        self.maps: dict[str, dict[str, int]] = {kind: {} for kind in KEY_KINDS}

    @classmethod
    def load(cls, organization, *, only: list[dict[str, str]] | None = None) -> KeyIndex:
        """Every live customer's keys, or (`only`) just those equal to these rows' keys."""
        found = cls()
        customers = Customer.objects.filter(organization=organization, deleted_at__isnull=True)
        contacts = Contact.objects.filter(organization=organization,
                                          customer__deleted_at__isnull=True).exclude(mobile="")
        if only is not None:
            wanted = {kind: {k[kind] for k in only if k.get(kind)} for kind in KEY_KINDS}
            customers = customers.filter(
                Q(name_key__in=wanted["name"]) | Q(phone__in=wanted["phone"])
                | Q(email__in=wanted["email"]) | Q(domain_key__in=wanted["domain"]))
            contacts = contacts.filter(mobile__in=wanted["phone"])
        maps = found.maps
        for pk, name_key, phone, email, domain_key in (
                customers.order_by("pk").values_list("pk", "name_key", "phone", "email",
                                                     "domain_key").iterator(chunk_size=20_000)):
            if name_key:
                maps["name"][name_key] = pk
            if phone:
                maps["phone"][phone] = pk
            if email:
                maps["email"][email] = pk
            if domain_key:
                maps["domain"][domain_key] = pk
        phones = maps["phone"]
        for customer_id, mobile in contacts.values_list("customer_id", "mobile").iterator(
                chunk_size=20_000):
            if phones.get(mobile, 0) < customer_id:
                phones[mobile] = customer_id
        return found

    def find(self, keys: dict[str, str], exclude: int | None = None) -> tuple[int, str] | None:
        for kind in KEY_KINDS:
            value = keys.get(kind)
            if value:
                pk = self.maps[kind].get(value)
                if pk is not None and pk != exclude:
                    return pk, kind
        return None

    def add(self, keys: dict[str, str], pk: int, mobile: str = "") -> None:
        maps = self.maps
        for kind in KEY_KINDS:
            value = keys.get(kind)
            if value:
                maps[kind][value] = pk
        if mobile:
            maps["phone"][mobile] = pk


class CreateChanges:
    """`audit.diff(None, audit.snapshot(instance))` — the changes of a create record — for a
    row given as a dict of attribute values, without building a model instance: the fields
    audit.snapshot records, values made plain as it makes them (only dates, times and
    decimals change), keys sorted as audit.diff sorts them. tests/test_bulk.py checks that
    the result equals the real thing for imported rows."""

    CONVERTED = ("DateTimeField", "DateField", "TimeField", "DecimalField")

    def __init__(self, model: type[models.Model]) -> None:
        skipped = audit.SKIPPED_FIELDS | getattr(model, "audit_exclude", frozenset())
        fields = [f for f in model._meta.concrete_fields
                  if f.name not in skipped and f.name not in ("id", "organization")]
        self.custom = any(f.name == "custom_data" for f in fields)
        self.converted = frozenset(f.attname for f in fields
                                   if f.get_internal_type() in self.CONVERTED)
        # in the order audit.diff sorts keys (custom values, when any, are merged in)
        self.names = sorted(f.attname for f in fields if f.name != "custom_data")
        self._last: tuple[Any, Any] = (None, None)

    def _plain(self, value: Any) -> Any:
        last_value, last_plain = self._last  # the batch's `now` comes again and again
        if value is last_value:
            return last_plain
        plain = audit._plain(value)
        self._last = (value, plain)
        return plain

    def __call__(self, record: dict[str, Any]) -> dict[str, list]:
        converted = self.converted
        changes = {}
        for name in self.names:
            value = record[name]
            if value is not None:
                changes[name] = [None, self._plain(value) if name in converted else value]
        custom = record["custom_data"] if self.custom else None
        if custom:
            for key, value in custom.items():
                if value is not None:
                    changes[f"custom.{key}"] = [None, audit._plain(value)]
            return dict(sorted(changes.items()))
        return changes


_Searchable = namedtuple("_Searchable", "name short_name phone mobile email")


@contextlib.contextmanager
def collect_per_batch() -> Iterator[None]:
    """An import makes and drops millions of small objects, without reference cycles. The
    cycle collector, run every few hundred new objects, would spend more time looking at
    them than the import spends on them (it tripled the time of building a batch's rows):
    while the import runs, it runs once per batch instead (see Importer.flush)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class WriterThread:
    """Runs batch writes one after another in a thread with its own database connection.
    SQLite does its work with Python's lock released, so the next batch is read and
    validated meanwhile. At most one batch waits while one is written."""

    def __init__(self) -> None:
        self.error: BaseException | None = None
        self._queue: queue.Queue = queue.Queue(maxsize=1)
        self._thread = threading.Thread(target=self._loop, name="kehu-import-writer",
                                        daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        from django.db import connection

        tuned = False
        try:
            while True:
                task = self._queue.get()
                try:
                    if task is None:
                        return
                    if self.error is None:
                        if not tuned:
                            tune_for_import()  # closed with the connection below
                            tuned = True
                        task()
                except BaseException as exc:  # handed to the importing thread
                    self.error = exc
                finally:
                    self._queue.task_done()
        finally:
            connection.close()  # the settings go with it

    def raise_error(self) -> None:
        if self.error is not None:
            raise self.error

    def submit(self, task: Callable[[], Any]) -> None:
        self.raise_error()
        self._queue.put(task)

    def wait(self) -> None:
        self._queue.join()
        self.raise_error()

    def close(self) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()


class Importer:
    """Runs rows through a parser and writes them. Subclasses know the object type."""

    supports_writer_thread = False

    def __init__(self, *, actor: Actor, job: ImportJob, parser: RowParser,
                 report=None, batch_size: int = BATCH_SIZE, preview: bool = False,
                 progress=None) -> None:
        self.actor = actor
        self.job = job
        self.parser = parser
        self.report = report
        self.batch_size = batch_size
        self.preview = preview
        self.dry_run = job.dry_run or preview
        self.strategy = job.on_duplicate
        self.progress = progress
        self.organization = actor.organization
        self.user_id = actor.user.pk if actor.user else None
        self.can = {a: actor.can(a, "customers.customer")
                    for a in ("create", "edit", "assign")}
        self.counts = dict.fromkeys((CREATE, UPDATE, UNCHANGED, SKIP, REJECT), 0)
        self.rows_done = 0
        self.batches: list[dict[str, Any]] = list(job.batches or [])
        self.batch = Batch(number=len(self.batches) + 1)
        self.outcomes: list[Outcome] = []
        self.note = _("import #%(id)s %(file)s") % {"id": job.pk, "file": job.original_name}
        self.note = self.note[:200]
        self._placeholder = 0
        self._previous_row = 0
        self.writer: WriterThread | None = None
        self._reserves: dict[type, IdReserve] = {}
        self._unique_seen: dict[tuple[str, str], object] = {}

    # --- the loop ------------------------------------------------------------------------

    def prepare(self, parsed_rows: list[ParsedRow] | None = None) -> None:
        """Load what decisions need; `parsed_rows` (a preview) limits it to those rows."""

    def run(self, rows: Iterable[tuple[int, list[Any]]] = (),
            parsed_rows: Iterable[tuple[int, list[Any], ParsedRow | None, str]] | None = None
            ) -> None:
        """Import `rows` (number, cells), or rows parsed elsewhere (see parallel.py):
        (number, cells, the parsed row or None, the reason it was rejected)."""
        items = parsed_rows if parsed_rows is not None else self._parse(rows)
        with collect_per_batch(), tuned_for_import():
            self._run(items)

    def _run(self, items: Iterable[tuple[int, list[Any], ParsedRow | None, str]]) -> None:
        try:
            for number, cells, parsed, reason in items:
                self.batch.add_row(number)
                if parsed is None:
                    self.reject(number, cells, reason)
                    continue
                self.decide(parsed)
                self._previous_row = number
                if self.batch.size >= self.batch_size:
                    self.flush()
                    self.check_cancel()
            self.flush()
        finally:
            if self.writer is not None:
                self.writer.close()  # waits for the batch being written
        if self.writer is not None:
            self.writer.raise_error()

    def use_writer_thread(self) -> None:
        """Write batches in a thread of their own (large imports, see services)."""
        if not self.dry_run and self.supports_writer_thread:
            self.writer = WriterThread()

    def _parse(self, rows: Iterable[tuple[int, list[Any]]]
               ) -> Iterator[tuple[int, list[Any], ParsedRow | None, str]]:
        parse = self.parser.parse
        for number, cells in rows:
            try:
                yield number, cells, parse(number, cells), ""
            except RowRejected as exc:
                yield number, cells, None, exc.reason

    def reject(self, number: int, cells: list[Any], reason: str,
               batch: Batch | None = None) -> None:
        batch = batch or self.batch
        batch.rejected.append((number, cells, reason))
        batch.outcomes.append(Outcome(number, REJECT, reason))

    def flush_before(self, parsed: ParsedRow) -> None:
        """Write the batch so far without this row (it changes a record the batch creates
        or changes too), then decide the row again in a new batch."""
        self.batch.last_row = self._previous_row
        self.batch.rows -= 1
        self.flush()
        if self.writer is not None:
            self.writer.wait()
        self.check_cancel()
        self.batch.add_row(parsed.number)
        self.decide(parsed)

    def decide(self, parsed: ParsedRow) -> None:
        raise NotImplementedError

    def placeholder(self) -> int:
        self._placeholder -= 1
        return self._placeholder

    def check_cancel(self) -> None:
        if self.preview:
            return
        if ImportJob.objects.filter(pk=self.job.pk, cancel_requested=True).exists():
            raise Cancelled

    def flush(self) -> None:
        """Write the current batch in one transaction (or, in a dry run, count it) and record
        it on the job in the same transaction. With a writer thread, the batch's rows are
        built here and written there while this thread reads the next batch."""
        batch = self.batch
        self.batch = Batch(number=batch.number + 1)
        if not batch.first_row:
            return
        gc.collect(1)
        if self.dry_run:
            counts = {CREATE: len(batch.creates), UPDATE: len(batch.updates) + batch.would_update,
                      UNCHANGED: 0, SKIP: batch.skipped, REJECT: len(batch.rejected)}
            for row in batch.creates:
                batch.outcomes.append(Outcome(row.number, CREATE))
            for target, row in batch.updates.items():
                batch.outcomes.append(Outcome(row.number, UPDATE, target_id=target))
            self._committed(batch, counts, self._record(batch, counts, []))
            return
        now = timezone.now()
        if self.writer is None:
            created = self._execute(batch, now, None)
            self.after_write(created)
            return
        plan = self.plan(batch, now, self.reserved_ids)
        self.after_write(plan.created)
        self.writer.submit(functools.partial(self._execute, batch, now, plan))

    def _execute(self, batch: Batch, now, plan: Any) -> list:
        try:
            with transaction.atomic():
                if plan is None:
                    plan = self.plan(batch, now, allocate_ids)
                counts, written = self.write(batch, plan, now)
                counts[REJECT] = len(batch.rejected)
                changes = self._record(batch, counts, written)
        except (Cancelled, BatchFailed):
            raise
        except Exception as exc:
            raise BatchFailed(batch.first_row, batch.last_row, exc) from exc
        self._committed(batch, counts, changes)
        return plan.created

    def _record(self, batch: Batch, counts: dict[str, int],
                written: list[int]) -> dict[str, Any]:
        """Record the batch on the job (in the batch's transaction): its rows, what they did,
        the totals so far and, when it writes, the last row committed."""
        if self.preview:
            return {}
        totals = {key: self.counts[key] + counts[key] for key in self.counts}
        entry = {"batch": batch.number, "first_row": batch.first_row,
                 "last_row": batch.last_row, "written": ranges(written),
                 "created": counts[CREATE], "updated": counts[UPDATE],
                 "unchanged": counts[UNCHANGED], "skipped": counts[SKIP],
                 "rejected": counts[REJECT]}
        changes = {"rows_done": self.rows_done + batch.rows, "batches": [*self.batches, entry],
                   "created_count": totals[CREATE], "updated_count": totals[UPDATE],
                   "unchanged_count": totals[UNCHANGED], "skipped_count": totals[SKIP],
                   "rejected_count": totals[REJECT]}
        if not self.dry_run:
            changes["last_committed_row"] = batch.last_row
        ImportJob.objects.filter(pk=self.job.pk).update(**changes)
        return changes

    def _committed(self, batch: Batch, counts: dict[str, int], changes: dict[str, Any]) -> None:
        """Once the batch is committed: totals, the report of rejected rows, progress."""
        for key, value in counts.items():
            self.counts[key] += value
        self.rows_done += batch.rows
        if self.preview:
            self.outcomes.extend(sorted(batch.outcomes, key=lambda o: o.number))
            return
        self.batches = changes["batches"]
        if self.report is not None:
            for number, cells, reason in batch.rejected:
                self.report.add(number, cells, reason)
        for name, value in changes.items():
            setattr(self.job, name, value)
        if self.progress is not None:
            self.progress(self.job)

    def plan(self, batch: Batch, now, take_ids: Callable) -> Any:
        """What the batch's new rows will be, ready to insert (`take_ids(model, n)` gives
        their keys); built without touching the database, so it can run in this thread
        while the writer thread writes the batch before."""
        raise NotImplementedError

    def write(self, batch: Batch, plan: Any, now) -> tuple[dict[str, int], list[int]]:
        """Insert the plan and apply the batch's updates (inside its transaction)."""
        raise NotImplementedError

    def after_write(self, created: list) -> None:
        pass

    def reserved_ids(self, model: type[models.Model], count: int) -> list[int]:
        reserve = self._reserves.get(model)
        if reserve is None:
            remaining = max(self.batch_size, (self.job.total_rows or 0) - self.rows_done)
            reserve = self._reserves[model] = IdReserve(model, min(remaining, 100_000))
        return reserve.take(count)

    # --- shared rules --------------------------------------------------------------------

    def unique_clash(self, parsed: ParsedRow, instance_pk: int | None) -> str | None:
        """A unique custom field's value another record (or another row) already has."""
        for definition in self.parser.unique_definitions:
            key = definition.key
            if instance_pk is not None and key not in parsed.custom_input:
                continue
            value = parsed.custom.get(key)
            if value is None:
                continue
            marker = (key, json.dumps(value, sort_keys=True, default=str))
            holder = self._unique_seen.get(marker)
            me = instance_pk if instance_pk is not None else ("row", parsed.number)
            if holder is not None and holder != me:
                return _("Another record already has this %(label)s.") % {
                    "label": definition.label}
            try:
                custom_data_clean(organization=self.organization,
                                  object_type=self.parser.object_type, data={key: value},
                                  model=self.parser.model, instance_pk=instance_pk,
                                  definitions=[definition])
            except ValidationError as exc:
                return " ".join(m for ms in exc.message_dict.values() for m in ms)
            self._unique_seen[marker] = me
        return None

    def label(self, key: str) -> str:
        return self.parser.column_label(key)


@dataclass
class CreatePlan:
    """A batch's new customers as rows ready to insert, with their contacts, tag links,
    audit rows and search documents."""

    created: list[tuple[ParsedRow, int]] = field(default_factory=list)
    customers: list[tuple] = field(default_factory=list)
    contacts: list[tuple] = field(default_factory=list)
    tags: list[tuple[int, list[str]]] = field(default_factory=list)
    audit_rows: list[tuple] = field(default_factory=list)
    documents: list[tuple[int, int, set[str]]] = field(default_factory=list)


class CustomerImporter(Importer):
    supports_writer_thread = True

    def prepare(self, parsed_rows: list[ParsedRow] | None = None) -> None:
        only = None if parsed_rows is None else [r.keys for r in parsed_rows]
        self.index = KeyIndex.load(self.organization, only=only)
        self.editable: set[int] | None = None
        if self.strategy == OnDuplicate.UPDATE and (self.actor.data_scope != "org"
                                                    or not self.can["edit"]):
            ids = set(scoping.visible(self.actor, Customer.objects.all(), "edit")
                      .values_list("pk", flat=True))
            self.editable = ids
        self.tag_ids = dict(Tag.objects.filter(organization=self.organization)
                            .values_list("name", "pk"))
        self.members = self.parser.members
        self.contact_custom = {}
        if not self.dry_run:
            self.contact_custom = custom_data_clean(
                organization=self.organization, object_type="customers.contact", data={},
                model=Contact)
        concrete = [f for f in Customer._meta.concrete_fields if not f.primary_key]
        self.defaults = {f.attname: f.get_default() for f in concrete}
        self.columns = ["id", *self.defaults]
        # JSON is encoded while rows are planned (see RowWriter), with the fields' encoders
        self.customer_writer = RowWriter(Customer, self.columns, encoded=["custom_data"])
        self.encode_custom = json_encoder(Customer._meta.get_field("custom_data"))
        contact_fields = [f for f in Contact._meta.concrete_fields if not f.primary_key]
        self.contact_defaults = {f.attname: f.get_default() for f in contact_fields}
        self.contact_columns = ["id", *self.contact_defaults]
        self.contact_writer = RowWriter(Contact, self.contact_columns, encoded=["custom_data"])
        self.encode_contact_custom = json_encoder(Contact._meta.get_field("custom_data"))
        self.contact_custom_json = self.encode_contact_custom(self.contact_custom)
        self.audit_columns = ["organization_id", "created_at", "updated_at", "user_id", "via",
                              "action", "object_type", "object_id", "object_repr", "changes",
                              "note"]
        self.audit_writer = RowWriter(ChangeRecord, self.audit_columns, encoded=["changes"])
        self.encode_changes = json_encoder(ChangeRecord._meta.get_field("changes"))
        self.tag_writer = RowWriter(Customer.tags.through, ["customer_id", "tag_id"])
        self.customer_changes = CreateChanges(Customer)
        self.contact_changes = CreateChanges(Contact)
        self.customer_tuple = operator.itemgetter(*self.columns)
        self.contact_tuple = operator.itemgetter(*self.contact_columns)

    # --- deciding ------------------------------------------------------------------------

    def decide(self, parsed: ParsedRow) -> None:
        match = None if self.strategy == OnDuplicate.CREATE else self.index.find(parsed.keys)
        if match is None:
            self._create(parsed)
            return
        target, kind = match
        if self.strategy == OnDuplicate.SKIP:
            self.batch.skipped += 1
            self.batch.outcomes.append(Outcome(parsed.number, SKIP, self._duplicate_reason(
                kind, target), target_id=target if target > 0 else None))
            return
        if target < 0 or target in self.batch.updates:
            # the same record twice: an earlier row of this file created or changed it
            if self.dry_run:
                self.batch.would_update += 1
                self.batch.outcomes.append(Outcome(parsed.number, UPDATE,
                                                   target_id=target if target > 0 else None))
                return
            self.flush_before(parsed)
            return
        if self.editable is not None and target not in self.editable:
            self.reject(parsed.number, parsed.cells, _(
                "This is a customer you already have (%(reason)s), and you may not edit it.")
                % {"reason": dedup.REASONS[kind]})
            return
        self.batch.updates[target] = parsed

    def _duplicate_reason(self, kind: str, target: int) -> str:
        return _("duplicate (%(reason)s)") % {"reason": dedup.REASONS[kind]}

    def _create(self, parsed: ParsedRow) -> None:
        if not self.can["create"]:
            self.reject(parsed.number, parsed.cells, _("You may not create customers."))
            return
        owner_id = parsed.owner_id if parsed.owner_given else self.user_id
        if owner_id != self.user_id and not self.can["assign"]:
            self.reject(parsed.number, parsed.cells, _(
                "%(column)s: You may not give customers to other owners.")
                % {"column": self.label("owner")})
            return
        if (parsed.contact or parsed.tags) and not self.can["edit"]:
            self.reject(parsed.number, parsed.cells, _(
                "You may not add contacts or tags (that needs the right to edit customers)."))
            return
        if clash := self.unique_clash(parsed, None):
            self.reject(parsed.number, parsed.cells, clash)
            return
        if self.strategy != OnDuplicate.CREATE:
            mobile = (parsed.contact or {}).get("mobile", "")
            self.index.add(parsed.keys, self.placeholder(), mobile)
        self.batch.creates.append(parsed)

    # --- writing -------------------------------------------------------------------------

    def _ensure_tags(self, names: Iterable[str]) -> None:
        for name in names:
            if name not in self.tag_ids:
                tag = tag_services.tag_get_or_create(actor=self.actor, name=name)
                self.tag_ids[name] = tag.pk

    def write(self, batch: Batch, plan: CreatePlan, now) -> tuple[dict[str, int], list[int]]:
        self._ensure_tags({t for row in (*batch.creates, *batch.updates.values())
                           for t in row.tags})
        self._insert(plan)
        updated, unchanged = self._write_updates(batch, now)
        written = [row.number for row, _pk in plan.created] + updated
        counts = {CREATE: len(plan.created), UPDATE: len(updated), UNCHANGED: unchanged,
                  SKIP: batch.skipped}
        return counts, written

    def after_write(self, created: list) -> None:
        for row, pk in created:
            self.index.add(row.keys, pk, (row.contact or {}).get("mobile", ""))
        if self.editable is not None:
            self.editable.update(pk for _row, pk in created)

    def _audit_row(self, now, action: str, object_type: str, pk: int, name: str,
                   changes: dict) -> tuple:
        return (self.organization.pk, now, now, self.user_id, self.actor.via, action,
                object_type, pk, name[:200], self.encode_changes(changes), self.note)

    def plan(self, batch: Batch, now, take_ids: Callable) -> CreatePlan:
        rows = batch.creates
        plan = CreatePlan()
        if not rows:
            return plan
        org_id = self.organization.pk
        ids = take_ids(Customer, len(rows))
        contact_ids = iter(take_ids(Contact, sum(1 for row in rows if row.contact)))
        customers, contacts, audit_rows = plan.customers, plan.contacts, plan.audit_rows
        documents = plan.documents
        team_of = self.members.team
        for row, pk in zip(rows, ids, strict=True):
            owner_id = row.owner_id if row.owner_given else self.user_id
            record = {**self.defaults, **row.values, "id": pk, "organization_id": org_id,
                      "owner_id": owner_id, "team_id": team_of.get(owner_id),
                      "custom_data": row.custom, "created_at": now, "updated_at": now,
                      "owned_since": now if owner_id else None}
            changes = self.customer_changes(record)
            record["custom_data"] = self.encode_custom(row.custom)
            customers.append(self.customer_tuple(record))
            if row.tags:
                changes["tags"] = [None, sorted(row.tags)]
                plan.tags.append((pk, row.tags))
            audit_rows.append(self._audit_row(now, "create", "customers.customer", pk,
                                              record["name"], changes))
            contact = None
            if row.contact:
                contact_pk = next(contact_ids)
                contact = {**self.contact_defaults, **row.contact, "id": contact_pk,
                           "organization_id": org_id, "customer_id": pk, "is_primary": True,
                           "custom_data": self.contact_custom, "created_at": now,
                           "updated_at": now}
                contact_changes = self.contact_changes(contact)
                contact["custom_data"] = self.contact_custom_json
                contacts.append(self.contact_tuple(contact))
                audit_rows.append(self._audit_row(
                    now, "create", "customers.contact", contact_pk, contact["name"],
                    contact_changes))
            searchable = _Searchable(record["name"], record["short_name"], record["phone"],
                                     "", record["email"])
            documents.append((org_id, pk, indexing.customer_document(searchable, [_Searchable(
                contact["name"], "", contact["phone"], contact["mobile"], contact["email"])]
                if contact else ())))
        plan.created = list(zip(rows, ids, strict=True))
        return plan

    def _insert(self, plan: CreatePlan) -> None:
        self.customer_writer.insert(plan.customers)
        self.contact_writer.insert(plan.contacts)
        self.tag_writer.insert([(pk, self.tag_ids[name]) for pk, names in plan.tags
                                for name in names])
        self.audit_writer.insert(plan.audit_rows)
        # new customers: never indexed, nothing to replace
        search_index.upsert(indexing.OBJECT_TYPE, plan.documents, replace=False)

    def _write_updates(self, batch: Batch, now) -> tuple[list[int], int]:
        if not batch.updates:
            return [], 0
        ids = list(batch.updates)
        instances = (Customer.objects.select_for_update().filter(deleted_at__isnull=True)
                     .in_bulk(ids))
        contacts = defaultdict(list)
        for contact in Contact.objects.filter(customer_id__in=ids).order_by("pk"):
            contacts[contact.customer_id].append(contact)
        tags = defaultdict(set)
        for customer_id, name in Customer.tags.through.objects.filter(
                customer_id__in=ids).values_list("customer_id", "tag__name"):
            tags[customer_id].add(name)
        changed, audit_rows, links, new_contacts, changed_contacts = [], [], [], [], []
        written, unchanged, touched = [], 0, []
        for pk, row in batch.updates.items():
            customer = instances.get(pk)
            if customer is None:
                self.reject(row.number, row.cells, _("The customer this row matches was "
                                                     "deleted meanwhile."), batch)
                continue
            try:
                result = self._apply(customer, row, contacts[pk], tags[pk], now)
            except RowRejected as exc:
                self.reject(row.number, row.cells, exc.reason, batch)
                continue
            before, added_tags, contact_change = result
            after = audit.snapshot(customer)
            if after == before and not added_tags and contact_change is None:
                unchanged += 1
                batch.outcomes.append(Outcome(row.number, UNCHANGED, target_id=pk))
                continue
            changes = audit.diff(before, after)
            if after != before:
                customer.version += 1
                customer.updated_at = now
                changed.append(customer)
            if added_tags:
                changes["tags"] = [None, sorted(added_tags)]
                links.extend((pk, self.tag_ids[t]) for t in added_tags)
            if changes:
                audit_rows.append(self._audit_row(now, "update", "customers.customer", pk,
                                                  customer.name, changes))
            if contact_change is not None:
                contact, contact_before = contact_change
                if contact_before is None:
                    new_contacts.append(contact)
                else:
                    contact.version += 1
                    changed_contacts.append((contact, contact_before))
            written.append(row.number)
            touched.append(pk)
            batch.outcomes.append(Outcome(row.number, UPDATE, target_id=pk))
        if changed:
            fields = [f.name for f in Customer._meta.concrete_fields
                      if not f.primary_key and f.name not in ("organization", "created_at")]
            Customer.objects.bulk_update(changed, fields, batch_size=500)
        self._write_contacts(new_contacts, changed_contacts, audit_rows, now)
        self.tag_writer.insert(links)
        self.audit_writer.insert(audit_rows)
        indexing.reindex(touched)
        return written, unchanged

    def _apply(self, customer: Customer, row: ParsedRow, contacts: list[Contact],
               tag_names: set[str], now) -> tuple[dict, list[str], tuple | None]:
        """Apply the row to the customer as customer_update would; returns the snapshot
        before, the tags to add and the contact to create or change."""
        before = audit.snapshot(customer)
        values = {k: v for k, v in row.values.items() if k not in ("name_key", "domain_key")}
        merged = {f: values.get(f, getattr(customer, f)) for f in customer_services.DEDUP_FIELDS}
        dedup_changed = any(f in values and values[f] != getattr(customer, f)
                            for f in customer_services.DEDUP_FIELDS)
        keys = customer_services.dedup_keys(merged)
        if dedup_changed:
            other = self.index.find({"name": keys["name_key"], "phone": merged["phone"],
                                     "email": merged["email"], "domain": keys["domain_key"]},
                                    exclude=customer.pk)
            if other is not None:
                raise RowRejected({"": _("After this change the customer would look like "
                                         "another one you already have (%(reason)s).")
                                   % {"reason": dedup.REASONS[other[1]]}})
        for name, value in values.items():
            setattr(customer, name, value)
        customer.name_key, customer.domain_key = keys["name_key"], keys["domain_key"]
        if row.owner_given and row.owner_id != customer.owner_id:
            if not self.can["assign"]:
                raise RowRejected({self.label("owner"): _(
                    "You may not give customers to other owners.")})
            customer.owner_id = row.owner_id
            customer.team_id = self.members.team.get(row.owner_id)
            records.mark_owned_since(customer)
        if row.custom_input:
            if clash := self.unique_clash(row, customer.pk):
                raise RowRejected({"": clash})
            try:
                customer.custom_data = custom_data_clean(
                    organization=self.organization, object_type="customers.customer",
                    data=row.custom_input, current=customer.custom_data, model=Customer,
                    instance_pk=customer.pk, definitions=self.parser.clean_definitions)
            except ValidationError as exc:
                raise RowRejected({self.label(k): " ".join(v)
                                   for k, v in exc.message_dict.items()}) from exc
        added_tags = [t for t in row.tags if t not in tag_names]
        contact_change = self._contact_change(customer, row, contacts, now)
        return before, added_tags, contact_change

    def _contact_change(self, customer: Customer, row: ParsedRow, contacts: list[Contact],
                        now) -> tuple[Contact, dict | None] | None:
        """The row's contact: an existing one (same mobile, else same name) updated with
        the row's values, or a new one. None when nothing changes."""
        if not row.contact:
            return None
        values = row.contact
        existing = None
        if values.get("mobile"):
            existing = next((c for c in contacts if c.mobile == values["mobile"]), None)
        if existing is None:
            existing = next((c for c in contacts if c.name == values.get("name")), None)
        if existing is None:
            contact = Contact(organization=self.organization, customer_id=customer.pk,
                              custom_data=dict(self.contact_custom), created_at=now,
                              updated_at=now, is_primary=not contacts, **values)
            return contact, None
        before = audit.snapshot(existing)
        for name, value in values.items():
            setattr(existing, name, value)
        if audit.snapshot(existing) == before:
            return None
        existing.updated_at = now
        return existing, before

    def _write_contacts(self, new: list[Contact], changed: list[tuple[Contact, dict]],
                        audit_rows: list, now) -> None:
        if new:
            ids = allocate_ids(Contact, len(new))
            rows = []
            encode = self.encode_contact_custom
            for contact, pk in zip(new, ids, strict=True):
                contact.pk = pk
                rows.append(tuple(encode(contact.custom_data) if c == "custom_data"
                                  else getattr(contact, c) for c in self.contact_columns))
                audit_rows.append(self._audit_row(now, "create", "customers.contact", pk,
                                                  contact.name,
                                                  audit.diff(None, audit.snapshot(contact))))
            self.contact_writer.insert(rows)
        if changed:
            fields = ["name", "title", "mobile", "phone", "email", "wechat", "notes",
                      "version", "updated_at"]
            Contact.objects.bulk_update([c for c, _b in changed], fields, batch_size=500)
            for contact, before in changed:
                audit_rows.append(self._audit_row(now, "update", "customers.contact",
                                                  contact.pk, contact.name,
                                                  audit.diff(before, audit.snapshot(contact))))


@dataclass
class ContactPlan:
    ids: list[int]
    created: list[tuple[ParsedRow, int]] = field(default_factory=list)


class ContactImporter(Importer):
    """Contacts of existing customers, each row naming its customer."""

    def prepare(self, parsed_rows: list[ParsedRow] | None = None) -> None:
        customers = Customer.objects.filter(organization=self.organization,
                                            deleted_at__isnull=True)
        contacts = Contact.objects.filter(organization=self.organization,
                                          customer__deleted_at__isnull=True)
        if parsed_rows is not None:
            keys = {dedup.name_key(r.customer_name) for r in parsed_rows}
            customers = customers.filter(name_key__in=keys)
        self.customer_by_key: dict[str, int] = {}
        self.customer_name: dict[int, str] = {}
        for pk, name_key, name in customers.order_by("pk").values_list("pk", "name_key",
                                                                       "name").iterator():
            if name_key:
                self.customer_by_key[name_key] = pk
            self.customer_name[pk] = name
        if parsed_rows is not None:
            contacts = contacts.filter(customer_id__in=list(self.customer_name))
        self.editable: set[int] | None = None
        if self.actor.data_scope != "org" or not self.can["edit"]:
            editable = scoping.visible(self.actor, Customer.objects.all(), "edit")
            if parsed_rows is not None:
                editable = editable.filter(pk__in=list(self.customer_name))
            self.editable = set(editable.values_list("pk", flat=True))
        self.contact_keys: dict[tuple[int, str, str], int] = {}
        self.has_contacts: set[int] = set()
        for pk, customer_id, name, mobile, email in contacts.order_by("pk").values_list(
                "pk", "customer_id", "name", "mobile", "email").iterator(chunk_size=20_000):
            self._remember(customer_id, {"name": name, "mobile": mobile, "email": email}, pk)
        self.contact_custom_definitions = self.parser.clean_definitions
        self.audit_columns = ["organization_id", "created_at", "updated_at", "user_id", "via",
                              "action", "object_type", "object_id", "object_repr", "changes",
                              "note"]
        self.audit_writer = RowWriter(ChangeRecord, self.audit_columns)
        contact_fields = [f for f in Contact._meta.concrete_fields if not f.primary_key]
        self.contact_columns = ["id", *(f.attname for f in contact_fields)]
        self.contact_writer = RowWriter(Contact, self.contact_columns)

    def _remember(self, customer_id: int, keys: dict[str, str], pk: int) -> None:
        self.has_contacts.add(customer_id)
        for kind in ("mobile", "email", "name"):
            if keys.get(kind):
                self.contact_keys[(customer_id, kind, keys[kind])] = pk

    def _find(self, customer_id: int, keys: dict[str, str]) -> tuple[int, str] | None:
        for kind in ("mobile", "email", "name"):
            value = keys.get(kind)
            if value and (pk := self.contact_keys.get((customer_id, kind, value))) is not None:
                return pk, kind
        return None

    def decide(self, parsed: ParsedRow) -> None:
        customer_id = self.customer_by_key.get(dedup.name_key(parsed.customer_name))
        if customer_id is None:
            self.reject(parsed.number, parsed.cells, _(
                "%(column)s: There is no customer “%(name)s”. Import or create the customer "
                "first.") % {"column": self.label("customer"), "name": parsed.customer_name})
            return
        if not self.can["edit"] or (self.editable is not None
                                    and customer_id not in self.editable):
            self.reject(parsed.number, parsed.cells, _(
                "You may not edit the customer “%(name)s”.")
                % {"name": self.customer_name[customer_id]})
            return
        parsed.values["customer_id"] = customer_id
        match = None if self.strategy == OnDuplicate.CREATE else self._find(customer_id,
                                                                            parsed.keys)
        if match is None:
            if clash := self.unique_clash(parsed, None):
                self.reject(parsed.number, parsed.cells, clash)
                return
            self._remember(customer_id, parsed.keys, self.placeholder())
            self.batch.creates.append(parsed)
            return
        target, kind = match
        if self.strategy == OnDuplicate.SKIP:
            self.batch.skipped += 1
            self.batch.outcomes.append(Outcome(parsed.number, SKIP, _(
                "duplicate (same %(what)s at this customer)") % {"what": self.label(kind)}))
            return
        if target < 0 or target in self.batch.updates:
            if self.dry_run:
                self.batch.would_update += 1
                self.batch.outcomes.append(Outcome(parsed.number, UPDATE,
                                                   target_id=target if target > 0 else None))
                return
            self.flush_before(parsed)
            return
        self.batch.updates[target] = parsed

    def plan(self, batch: Batch, now, take_ids: Callable) -> ContactPlan:
        return ContactPlan(ids=take_ids(Contact, len(batch.creates)))

    def write(self, batch: Batch, plan: ContactPlan, now) -> tuple[dict[str, int], list[int]]:
        org_id = self.organization.pk
        audit_rows: list = []
        created = plan.created
        ids = plan.ids
        rows = []
        primary_for: dict[int, int] = {}
        new_contacts = []
        for parsed, pk in zip(batch.creates, ids, strict=True):
            customer_id = parsed.values["customer_id"]
            values = dict(parsed.values)
            if customer_id not in self.has_contacts:
                values.setdefault("is_primary", True)
            contact = Contact(organization_id=org_id, custom_data=parsed.custom,
                              created_at=now, updated_at=now, **values)
            contact.pk = pk
            self.has_contacts.add(customer_id)
            if contact.is_primary:
                if customer_id in primary_for:
                    next(c for c in new_contacts if c.pk == primary_for[customer_id]) \
                        .is_primary = False
                primary_for[customer_id] = pk
            new_contacts.append(contact)
            created.append((parsed, pk))
        for contact in new_contacts:
            rows.append(tuple(getattr(contact, c) for c in self.contact_columns))
            audit_rows.append((org_id, now, now, self.user_id, self.actor.via, "create",
                               "customers.contact", contact.pk, contact.name[:200],
                               audit.diff(None, audit.snapshot(contact)), self.note))
        self.contact_writer.insert(rows)
        updated, unchanged = self._write_updates(batch, now, audit_rows, primary_for)
        if primary_for:
            (Contact.objects.filter(customer_id__in=list(primary_for), is_primary=True)
             .exclude(pk__in=list(primary_for.values())).update(is_primary=False))
        self.audit_writer.insert(audit_rows)
        customers = {p.values["customer_id"] for p in batch.creates}
        customers |= {p.values["customer_id"] for p in batch.updates.values()}
        indexing.reindex(sorted(customers))
        written = [p.number for p, _pk in created] + updated
        counts = {CREATE: len(created), UPDATE: len(updated), UNCHANGED: unchanged,
                  SKIP: batch.skipped}
        return counts, written

    def after_write(self, created: list) -> None:
        for parsed, pk in created:
            self._remember(parsed.values["customer_id"], parsed.keys, pk)

    def _write_updates(self, batch: Batch, now, audit_rows: list,
                       primary_for: dict[int, int]) -> tuple[list[int], int]:
        if not batch.updates:
            return [], 0
        instances = (Contact.objects.select_for_update(of=("self",))
                     .filter(customer__deleted_at__isnull=True).in_bulk(list(batch.updates)))
        changed, written, unchanged = [], [], 0
        for pk, parsed in batch.updates.items():
            contact = instances.get(pk)
            if contact is None:
                self.reject(parsed.number, parsed.cells, _("The contact this row matches was "
                                                           "deleted meanwhile."), batch)
                continue
            before = audit.snapshot(contact)
            for name, value in parsed.values.items():
                setattr(contact, name, value)
            if parsed.custom_input:
                if clash := self.unique_clash(parsed, contact.pk):
                    self.reject(parsed.number, parsed.cells, clash, batch)
                    continue
                try:
                    contact.custom_data = custom_data_clean(
                        organization=self.organization, object_type="customers.contact",
                        data=parsed.custom_input, current=contact.custom_data, model=Contact,
                        instance_pk=contact.pk, definitions=self.contact_custom_definitions)
                except ValidationError as exc:
                    self.reject(parsed.number, parsed.cells, "; ".join(
                        f"{self.label(k)}: {' '.join(v)}" for k, v in exc.message_dict.items()),
                        batch)
                    continue
            after = audit.snapshot(contact)
            if after == before:
                unchanged += 1
                continue
            contact.version += 1
            contact.updated_at = now
            if contact.is_primary:
                primary_for[contact.customer_id] = contact.pk
            changed.append(contact)
            written.append(parsed.number)
            audit_rows.append((self.organization.pk, now, now, self.user_id, self.actor.via,
                               "update", "customers.contact", contact.pk, contact.name[:200],
                               audit.diff(before, after), self.note))
        if changed:
            fields = [f.name for f in Contact._meta.concrete_fields
                      if not f.primary_key and f.name not in ("organization", "created_at")]
            Contact.objects.bulk_update(changed, fields, batch_size=500)
        return written, unchanged


def importer_for(*, object_type: str, **kwargs: Any) -> Importer:
    from kehu.customers.imports.mapping import CONTACTS

    return (ContactImporter if object_type == CONTACTS else CustomerImporter)(**kwargs)


def failure_message(exc: BatchFailed, job: ImportJob) -> str:
    detail = exc.error.message if isinstance(exc.error, DomainError) else str(exc.error)
    if job.last_committed_row:
        return _("The import stopped at rows %(first)d–%(last)d: %(error)s. Nothing from those "
                 "rows on was saved; rows up to %(committed)d were imported (see the batches "
                 "below). Run the same file again with “update” to import the rest without "
                 "duplicates.") % {"first": exc.first_row, "last": exc.last_row,
                                   "error": detail, "committed": job.last_committed_row}
    return _("The import stopped at rows %(first)d–%(last)d: %(error)s. Nothing was saved.") % {
        "first": exc.first_row, "last": exc.last_row, "error": detail}


