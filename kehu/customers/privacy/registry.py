"""Where a person's personal data lives. Each module that stores people (customers and
contacts here, leads in kehu/leads/erasure.py) registers a `Source` in `AppConfig.ready()`;
finding, erasing and exporting one person's data then asks every source, so the customer
module does not import the modules that depend on it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from kehu.core.permissions.actor import Actor

if TYPE_CHECKING:
    from kehu.customers.privacy.personal import Scrubber


@dataclass
class PersonQuery:
    """Who to look for: exact phone numbers (E.164 and national digits), emails (lower
    case) and names, as the admin typed them or as found on the person's records."""

    phones: set[str] = field(default_factory=set)
    emails: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.phones or self.emails or self.names)


@dataclass(frozen=True)
class Found:
    """One record holding the person's data, with the identifying values it holds."""

    object_type: str  # "customers.contact"
    object_id: int
    name: str
    kind: str  # what it is, for people: "Contact of Acme", "Lead"
    url: str
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    others: tuple[str, ...] = ()  # WeChat ids and similar identifiers
    related: tuple[tuple[str, int], ...] = ()  # ("follow_ups" | "files", how many)

    @property
    def key(self) -> str:
        return f"{self.object_type}:{self.object_id}"


@dataclass
class Outcome:
    """What a source did: `redact` holds objects ({type: ids}) whose history has personal
    fields, `touched` objects whose history may mention the person in free text."""

    redact: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    touched: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, other: Outcome) -> None:
        for mine, theirs in ((self.redact, other.redact), (self.touched, other.touched)):
            for object_type, ids in theirs.items():
                mine[object_type] |= ids
        for key, n in other.counts.items():
            self.counts[key] += n


class Source(Protocol):
    # {object_type: field names whose values are personal}; custom fields are decided
    # by their kind (see personal.py)
    personal_fields: dict[str, frozenset[str]]

    def find(self, *, organization, query: PersonQuery) -> list[Found]: ...

    def erase(self, *, actor: Actor, found: list[Found], scrubber: Scrubber) -> Outcome: ...

    def export(self, *, organization, found: list[Found]) -> dict[str, list[dict[str, Any]]]: ...


_sources: list[Source] = []


def register(source: Source) -> None:
    _sources.append(source)


def sources() -> list[Source]:
    return list(_sources)


def personal_fields() -> dict[str, frozenset[str]]:
    merged: dict[str, frozenset[str]] = {}
    for source in _sources:
        merged.update(source.personal_fields)
    return merged
