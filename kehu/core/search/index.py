"""The search index: one entry per searchable record, holding its tokens (see tokens.py).

SQLite keeps entries in an FTS5 table, PostgreSQL in a table with a GIN-indexed tsvector built
straight from the token list (no text parser in between, so Chinese bigrams stay intact).
Either way an entry's id is `object_id * 16 + type code`, so one index serves every object
type and results come back newest first by walking ids downwards.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from kehu.core.search import tokens as tk

TYPE_CODES: dict[str, int] = {}
SLOTS = 16


def register(object_type: str, code: int) -> None:
    taken = code in TYPE_CODES.values() and TYPE_CODES.get(object_type) != code
    if not 0 < code < SLOTS or taken:
        raise ValueError(f"search type code {code} for {object_type} is taken or out of range")
    TYPE_CODES[object_type] = code


def _entry_id(object_type: str, object_id: int) -> int:
    return object_id * SLOTS + TYPE_CODES[object_type]


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _scoped(organization_id: int, token: str) -> str:
    """Tokens are namespaced by organization ("o12x华为"), so a query reads only its own
    organization's postings instead of intersecting with an organization-wide list."""
    return f"o{organization_id}x{token}"


def upsert(object_type: str, entries: Iterable[tuple[int, int, set[str]]], *,
           replace: bool = True) -> None:
    """Index (organization_id, object_id, tokens) triples, replacing what was there.
    `replace=False` skips looking for old entries: for rows that were never indexed."""
    rows = [(_entry_id(object_type, object_id), organization_id,
             sorted(_scoped(organization_id, t) for t in toks))
            for organization_id, object_id, toks in entries]
    if not rows:
        return
    with connection.cursor() as cursor:
        if _is_postgres():
            cursor.executemany(
                "INSERT INTO search_entry (id, organization_id, vector) "
                "VALUES (%s, %s, array_to_tsvector(%s::text[])) "
                "ON CONFLICT (id) DO UPDATE SET vector = EXCLUDED.vector",
                rows)
        else:
            if replace:
                cursor.executemany("DELETE FROM search_fts WHERE rowid = %s",
                                   [(row[0],) for row in rows])
            cursor.executemany("INSERT INTO search_fts (rowid, doc) VALUES (%s, %s)",
                               [(row[0], " ".join(row[2])) for row in rows])


def remove(object_type: str, object_ids: Iterable[int]) -> None:
    ids = [(_entry_id(object_type, object_id),) for object_id in object_ids]
    table = "search_entry WHERE id" if _is_postgres() else "search_fts WHERE rowid"
    with connection.cursor() as cursor:
        cursor.executemany(f"DELETE FROM {table} = %s", ids)  # noqa: S608 - fixed names


def _fts_query(organization_id: int, alternative: tuple[list[str], bool]) -> str:
    toks, prefix = alternative
    parts = [f'"{_scoped(organization_id, t)}"' for t in toks]
    if prefix:
        parts[-1] += "*"
    return " AND ".join(parts)


def _ts_query(organization_id: int, alternative: tuple[list[str], bool]) -> str:
    toks, prefix = alternative
    parts = [f"'{_scoped(organization_id, t)}'" for t in toks]
    if prefix:
        parts[-1] += ":*"
    return " & ".join(parts)


def search(*, organization_id: int, object_type: str, query: str, limit: int,
           before_id: int | None = None) -> list[int]:
    """Ids of matching records of one type, newest first, below `before_id` when given."""
    alternatives = tk.query_alternatives(query)
    if not alternatives:
        return []
    code = TYPE_CODES[object_type]
    upper = _entry_id(object_type, before_id) if before_id is not None else None
    with connection.cursor() as cursor:
        if _is_postgres():
            match = " | ".join(f"({_ts_query(organization_id, a)})" for a in alternatives)
            sql = "SELECT id FROM search_entry WHERE vector @@ %s::tsquery AND id %% 16 = %s"
        else:
            match = " OR ".join(f"({_fts_query(organization_id, a)})" for a in alternatives)
            sql = "SELECT rowid FROM search_fts WHERE search_fts MATCH %s AND rowid %% 16 = %s"
        params: list = [match, code]
        column = "id" if _is_postgres() else "rowid"
        if upper is not None:
            sql += f" AND {column} < %s"
            params.append(upper)
        sql += f" ORDER BY {column} DESC LIMIT %s"
        params.append(limit)
        cursor.execute(sql, params)
        return [row[0] // SLOTS for row in cursor.fetchall()]
