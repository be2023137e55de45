"""Duplicate check (查重): the keys that make two customers "probably the same", and finding
existing customers that share one with a new or edited record.

A company name is compared without its legal-form suffix and punctuation, width and case:
"深圳市华为技术有限公司", "深圳市华为技术 (有限公司)" and "深圳市华为技术股份有限公司" share a key.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# Longest first, so "股份有限公司" is stripped whole rather than leaving "股份".
LEGAL_SUFFIXES = sorted([
    "股份有限公司", "有限责任公司", "集团有限公司", "集团股份有限公司", "有限公司", "集团公司",
    "集团", "公司", "分公司", "总公司", "工作室", "商行", "经营部", "门市部",
    "coltd", "companylimited", "corporation", "company", "limited", "ltd", "inc", "llc",
    "gmbh", "corp", "co", "plc", "sa", "ag",
], key=len, reverse=True)
FREE_MAIL_DOMAINS = {"qq.com", "163.com", "126.com", "sina.com", "sohu.com", "gmail.com",
                     "outlook.com", "hotmail.com", "foxmail.com", "yeah.net", "aliyun.com",
                     "139.com", "icloud.com", "yahoo.com", "live.com"}
_PUNCT = re.compile(r"[\W_]+", re.UNICODE)


def name_key(name: str) -> str:
    key = _PUNCT.sub("", unicodedata.normalize("NFKC", name or "").lower())
    changed = True
    while changed and key:
        changed = False
        for suffix in LEGAL_SUFFIXES:
            if key.endswith(suffix) and len(key) > len(suffix):
                key = key[: -len(suffix)]
                changed = True
                break
    return key


def domain_key(website: str = "", email: str = "") -> str:
    """The company's own domain, from its website or else a non-free-mail email address."""
    host = ""
    if website:
        url = website if "://" in website else f"http://{website}"
        host = (urlsplit(url).hostname or "").lower()
    elif email and "@" in email:
        host = email.rsplit("@", 1)[1].lower()
        if host in FREE_MAIL_DOMAINS:
            return ""
    return host.removeprefix("www.")


@dataclass
class Candidate:
    customer_id: int
    name: str
    owner: str
    reasons: list[str]


REASONS = {"name": _("same company name"), "phone": _("same phone"), "email": _("same email"),
           "domain": _("same website domain")}


def find_duplicates(*, organization, name: str = "", phone: str = "", email: str = "",
                    website: str = "", exclude_id: int | None = None,
                    limit: int = 10) -> list[Candidate]:
    """Existing customers (in the whole organization, pool and merged ones excluded) that
    share a key with these values. Deliberately not limited by the actor's data scope: a rep
    must learn that a colleague already has this customer, though not see its details."""
    from kehu.customers.models import Contact, Customer

    keys = {"name": name_key(name), "phone": phone, "email": (email or "").lower(),
            "domain": domain_key(website, email)}
    conditions = Q()
    if keys["name"]:
        conditions |= Q(name_key=keys["name"])
    if keys["phone"]:
        contact_phone = Contact.objects.filter(organization=organization, mobile=keys["phone"])
        conditions |= Q(phone=keys["phone"]) | Q(pk__in=contact_phone.values("customer_id"))
    if keys["email"]:
        conditions |= Q(email=keys["email"])
    if keys["domain"]:
        conditions |= Q(domain_key=keys["domain"])
    if not conditions:
        return []
    qs = (Customer.objects.filter(organization=organization, deleted_at__isnull=True)
          .filter(conditions).select_related("owner").order_by("-id"))
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    candidates = []
    for customer in qs[:limit]:
        reasons = [str(REASONS[k]) for k in ("name", "phone", "email", "domain")
                   if keys[k] and _matches(customer, k, keys[k])]
        candidates.append(Candidate(customer_id=customer.pk, name=customer.name,
                                    owner=str(customer.owner) if customer.owner else "",
                                    reasons=reasons or [str(REASONS["phone"])]))
    return candidates


def _matches(customer, key: str, value: str) -> bool:
    return {"name": customer.name_key, "phone": customer.phone, "email": customer.email,
            "domain": customer.domain_key}[key] == value

