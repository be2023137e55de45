"""The search index: one entry per searchable record, holding its tokens (see tokens.py).

An entry's id is `object_id * 16 + type code`, so one index serves every object type and
results come back newest first by walking ids downwards.

SQLite keeps entries in an FTS5 table, whose doclists are in rowid order: "the newest 200
matches" stops after 200 whatever the number of matches.

PostgreSQL keeps postings in a B-tree table `search_posting (token, kind, entry_id)` (its
primary key; kind is the type code, the token in the "C" collation), so the newest matches of
one token are a backward index range scan that stops at the limit, even when the token matches
15% of a million customers (a GIN index cannot return rows in id order: all its matches were
fetched and sorted). A query of several tokens walks the rarest one's postings newest first
and probes the others' (each an index lookup). `search_entry (id, organization_id, vector)`
keeps each entry's own tokens, to find its postings again when it changes or leaves.
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


# Postings of the entries whose ids are in %s (an array), read from their stored tokens.
_OLD_POSTINGS = ("DELETE FROM search_posting WHERE (token, kind, entry_id) IN ("
                 "SELECT unnest(tsvector_to_array(vector)) COLLATE \"C\", id %% 16, id "
                 "FROM search_entry WHERE id = ANY(%s::bigint[]))")


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
            if replace:
                cursor.execute(_OLD_POSTINGS, [[row[0] for row in rows]])
            cursor.executemany(
                "INSERT INTO search_entry (id, organization_id, vector) "
                "VALUES (%s, %s, array_to_tsvector(%s::text[])) "
                "ON CONFLICT (id) DO UPDATE SET vector = EXCLUDED.vector",
                rows)
            tokens = [token for row in rows for token in row[2]]
            entry_ids = [row[0] for row in rows for _token in row[2]]
            cursor.execute(
                "INSERT INTO search_posting (token, kind, entry_id) "
                "SELECT t, e %% 16, e FROM unnest(%s::text[], %s::bigint[]) AS u(t, e) "
                "ON CONFLICT DO NOTHING", [tokens, entry_ids])
        else:
            if replace:
                cursor.executemany("DELETE FROM search_fts WHERE rowid = %s",
                                   [(row[0],) for row in rows])
            cursor.executemany("INSERT INTO search_fts (rowid, doc) VALUES (%s, %s)",
                               [(row[0], " ".join(row[2])) for row in rows])


def remove(object_type: str, object_ids: Iterable[int]) -> None:
    ids = [(_entry_id(object_type, object_id),) for object_id in object_ids]
    if not ids:
        return
    with connection.cursor() as cursor:
        if _is_postgres():
            cursor.execute(_OLD_POSTINGS, [[i for (i,) in ids]])
            cursor.execute("DELETE FROM search_entry WHERE id = ANY(%s::bigint[])",
                           [[i for (i,) in ids]])
        else:
            cursor.executemany("DELETE FROM search_fts WHERE rowid = %s", ids)


def _fts_query(organization_id: int, alternative: tuple[list[str], bool]) -> str:
    toks, prefix = alternative
    parts = [f'"{_scoped(organization_id, t)}"' for t in toks]
    if prefix:
        parts[-1] += "*"
    return " AND ".join(parts)


# How many postings of a token are counted to find the rarest of a query's tokens: past this,
# a token is "common" and which common token leads matters little.
RARITY_CAP = 5000
_LAST_CHAR = "\U0010ffff"


def _pg_alternative(cursor, organization_id: int, alternative: tuple[list[str], bool],
                    code: int, upper: int | None, limit: int) -> list[int]:
    """Entry ids matching one alternative (all its tokens), newest first, on PostgreSQL."""
    toks, prefix = alternative
    scoped = [_scoped(organization_id, t) for t in toks]
    bound, params = "", []
    if upper is not None:
        bound = " AND p.entry_id < %s"
        params = [upper]
    if prefix:
        # a single character: every token starting with it, a range of the primary key
        # (rare: one-character queries), sorted by id after the range is read
        others = scoped[:-1]
        where = "p.token >= %s AND p.token < %s"
        lead_params = [scoped[-1], scoped[-1] + _LAST_CHAR]
    else:
        if len(scoped) > 1:
            cursor.execute(
                "SELECT t, (SELECT count(*) FROM (SELECT 1 FROM search_posting "
                "WHERE token = t AND kind = %s LIMIT %s) s) FROM unnest(%s::text[]) AS u(t)",
                [code, RARITY_CAP, scoped])
            counts = dict(cursor.fetchall())
            if not all(counts.values()):
                return []
            scoped = sorted(scoped, key=lambda t: counts[t])
        where = "p.token = %s"
        lead_params = [scoped[0]]
        others = scoped[1:]
    exists = "".join(" AND EXISTS (SELECT 1 FROM search_posting q "
                     "WHERE q.token = %s AND q.kind = p.kind AND q.entry_id = p.entry_id)"
                     for _t in others)
    sql = (f"SELECT p.entry_id FROM search_posting p WHERE {where} "  # noqa: S608 - fixed
           f"AND p.kind = %s{bound}{exists} ORDER BY p.entry_id DESC LIMIT %s")
    cursor.execute(sql, [*lead_params, code, *params, *others, limit])
    return [row[0] for row in cursor.fetchall()]


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
            found: set[int] = set()
            for alternative in alternatives:
                found.update(_pg_alternative(cursor, organization_id, alternative, code, upper,
                                             limit))
            return [entry_id // SLOTS for entry_id in sorted(found, reverse=True)[:limit]]
        match = " OR ".join(f"({_fts_query(organization_id, a)})" for a in alternatives)
        sql = "SELECT rowid FROM search_fts WHERE search_fts MATCH %s AND rowid %% 16 = %s"
        params: list = [match, code]
        if upper is not None:
            sql += " AND rowid < %s"
            params.append(upper)
        sql += " ORDER BY rowid DESC LIMIT %s"
        params.append(limit)
        cursor.execute(sql, params)
        return [row[0] // SLOTS for row in cursor.fetchall()]
