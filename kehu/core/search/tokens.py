"""Turning names, phone numbers and emails into the tokens the search index stores, and a
query into the tokens it must match.

Chinese has no spaces, and a user types any two characters of a name (张伟, 华为), so text is
indexed as overlapping character pairs (bigrams): 华为技术 → 华为 为技 技术. A query of n ≥ 2
characters matches when all of its bigrams are present. Latin text works the same way
("huawei" → hu ua aw we ei). Phones are indexed by their last four digits and their whole
national number, emails by a hash of the whole address (tokens must be letters and digits).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)
_DIGITS = re.compile(r"\d+")


def normalize(text: str) -> str:
    """Full-width to half-width, lower case, letters and digits only."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", text or "").lower())


def bigrams(text: str) -> set[str]:
    norm = normalize(text)
    if len(norm) == 1:
        return {norm}
    return {norm[i:i + 2] for i in range(len(norm) - 1)}


def phone_digits(phone: str) -> str:
    """National digits: +8613812345678 → 13812345678; 010-88886666 → 1088886666."""
    digits = "".join(_DIGITS.findall(unicodedata.normalize("NFKC", phone or "")))
    if digits.startswith("86") and len(digits) > 11:
        digits = digits[2:]
    return digits.lstrip("0")


def phone_tokens(phone: str) -> set[str]:
    digits = phone_digits(phone)
    if len(digits) < 4:
        return set()
    return {f"t{digits[-4:]}", f"n{digits}"}


def email_token(email: str) -> str:
    return "m" + hashlib.sha1(email.strip().lower().encode()).hexdigest()[:16]  # noqa: S324


def document(*, texts: Iterable[str] = (), phones: Iterable[str] = (),
             emails: Iterable[str] = ()) -> set[str]:
    tokens: set[str] = set()
    for text in texts:
        tokens |= bigrams(text)
    for phone in phones:
        tokens |= phone_tokens(phone)
    for email in emails:
        if email and "@" in email:
            tokens.add(email_token(email))
    return tokens


# No name, phone or email is longer; a pasted page of text would AND thousands of tokens.
MAX_QUERY_CHARS = 100


def query_alternatives(query: str) -> list[tuple[list[str], bool]]:
    """The ways `query` can match: each a list of tokens that must all be present, and
    whether the last one is a prefix. An empty list means the query is too short to search."""
    query = query.strip()[:MAX_QUERY_CHARS]
    if not query:
        return []
    if "@" in query:
        return [([email_token(query)], False)]
    norm = normalize(query)
    if not norm:
        return []
    alternatives: list[tuple[list[str], bool]] = []
    compact = re.sub(r"[\s\-+()（）]", "", unicodedata.normalize("NFKC", query))
    if compact.isdigit():
        digits = phone_digits(compact)
        if len(compact) == 4:
            alternatives.append(([f"t{compact}"], False))
        elif len(digits) >= 7:
            alternatives.append(([f"n{digits}"], False))
    if len(norm) == 1:
        alternatives.append(([norm], True))
    else:
        alternatives.append((sorted(bigrams(norm)), False))
    return alternatives
