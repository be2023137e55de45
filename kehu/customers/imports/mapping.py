"""Which column of the file goes to which field: guessed from Chinese or English headers (and
custom-field labels and keys), adjustable by the user, saved as templates (导入模板).

A job's mapping is a list with one field key per column ("" leaves the column out). A template
maps normalized header texts to field keys, so it applies to any file with those headers.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kehu.core.customfields.models import FieldDefinition

CUSTOMERS, CONTACTS = "customers", "contacts"
CUSTOM_PREFIX = "custom."


@dataclass(frozen=True)
class Target:
    key: str
    label: Promise | str
    synonyms: tuple[str, ...] = ()
    required: bool = False
    group: str = "field"  # "field", "contact" (the customer's primary contact), "custom"


CUSTOMER_TARGETS = [
    Target("name", _("Customer name"), ("客户名称", "公司名称", "名称", "客户", "客户名",
                                        "企业名称", "单位名称", "公司", "公司全称", "客户全称",
                                        "name", "customer", "customername", "company",
                                        "companyname"), required=True),
    Target("short_name", _("Short name"), ("简称", "客户简称", "公司简称", "shortname")),
    Target("kind", _("Type (company or person)"), ("类型", "客户类型", "type", "kind")),
    Target("phone", _("Phone"), ("电话", "手机", "联系电话", "手机号", "手机号码", "电话号码",
                                 "联系方式", "座机", "客户电话", "phone", "mobile", "tel",
                                 "telephone", "phonenumber")),
    Target("email", _("Email"), ("邮箱", "电子邮箱", "邮件", "电子邮件", "email", "e-mail",
                                 "mail")),
    Target("website", _("Website"), ("网站", "网址", "官网", "公司网址", "website", "url",
                                     "web")),
    Target("province", _("Province"), ("省份", "省", "所在省份", "province")),
    Target("city", _("City"), ("城市", "市", "所在城市", "city")),
    Target("district", _("District"), ("区县", "区/县", "区", "县", "district", "county")),
    Target("address", _("Address"), ("地址", "详细地址", "联系地址", "公司地址", "address")),
    Target("industry", _("Industry"), ("行业", "所属行业", "industry")),
    Target("source", _("Source"), ("来源", "客户来源", "source", "leadsource")),
    Target("level", _("Level"), ("级别", "客户级别", "等级", "客户等级", "level", "grade")),
    Target("status", _("Status"), ("状态", "客户状态", "status")),
    Target("owner", _("Owner (name or email)"), ("负责人", "销售", "业务员", "所属销售",
                                                 "跟进人", "销售负责人", "owner", "salesrep")),
    Target("tags", _("Tags (comma-separated)"), ("标签", "tags", "tag")),
    Target("next_follow_up_on", _("Next follow-up"), ("下次跟进", "下次跟进时间", "下次跟进日期",
                                                      "下次联系", "nextfollowup")),
    Target("notes", _("Notes"), ("备注", "说明", "备注信息", "notes", "note", "remark",
                                 "remarks", "comment", "comments")),
    Target("contact_name", _("Contact: name"), ("联系人", "联系人姓名", "联系人名称", "contact",
                                                "contactname"), group="contact"),
    Target("contact_mobile", _("Contact: mobile"), ("联系人手机", "联系人电话", "联系人手机号",
                                                    "联系人手机号码", "联系人联系方式",
                                                    "contactmobile", "contactphone"),
           group="contact"),
    Target("contact_title", _("Contact: job title"), ("联系人职务", "职务", "职位", "联系人职位",
                                                      "title", "jobtitle", "contacttitle"),
           group="contact"),
    Target("contact_email", _("Contact: email"), ("联系人邮箱", "联系人邮件", "contactemail"),
           group="contact"),
]

CONTACT_TARGETS = [
    Target("customer", _("Customer name"), ("客户名称", "公司名称", "客户", "所属客户", "企业名称",
                                            "单位名称", "公司", "customer", "customername",
                                            "company", "companyname"), required=True),
    Target("name", _("Name"), ("姓名", "联系人", "联系人姓名", "名字", "name", "contact",
                               "contactname"), required=True),
    Target("title", _("Job title"), ("职务", "职位", "联系人职务", "title", "jobtitle")),
    Target("role", _("Role in the deal"), ("角色", "决策角色", "role")),
    Target("mobile", _("Mobile"), ("手机", "手机号", "手机号码", "联系人手机", "移动电话",
                                   "mobile", "cellphone")),
    Target("phone", _("Phone"), ("电话", "座机", "办公电话", "固定电话", "联系电话", "phone",
                                 "tel", "telephone")),
    Target("email", _("Email"), ("邮箱", "电子邮箱", "邮件", "email", "e-mail", "mail")),
    Target("wechat", _("WeChat ID"), ("微信", "微信号", "wechat", "weixin")),
    Target("is_primary", _("Primary contact (yes/no)"), ("主联系人", "首要联系人", "primary",
                                                         "isprimary")),
    Target("notes", _("Notes"), ("备注", "说明", "notes", "note", "remark", "remarks")),
]

OBJECT_TYPES = {CUSTOMERS: ("customers.customer", CUSTOMER_TARGETS),
                CONTACTS: ("customers.contact", CONTACT_TARGETS)}

_BRACKETED = re.compile(r"[(\[【<].*?[)\]】>]")
_NOT_WORD = re.compile(r"[\s*:：_\-./\\#]+")


def normalize_header(header: str) -> str:
    """Header text as compared: half-width, lower case, no spaces, stars or colons."""
    text = unicodedata.normalize("NFKC", header or "").lower().strip()
    return _NOT_WORD.sub("", text)


def _without_brackets(header: str) -> str:
    """"手机(必填)" → "手机": remarks in brackets after a column name."""
    return normalize_header(_BRACKETED.sub("", unicodedata.normalize("NFKC", header or "")))


def targets(*, object_type: str, definitions: Iterable[FieldDefinition] = ()) -> list[Target]:
    """The fields a column can go to: the built-in ones, then the custom fields."""
    built_in = OBJECT_TYPES[object_type][1]
    custom = [Target(f"{CUSTOM_PREFIX}{d.key}", d.label, (d.label, d.key), required=d.required,
                     group="custom")
              for d in definitions]
    return [*built_in, *custom]


def _lookup(all_targets: list[Target]) -> dict[str, str]:
    table: dict[str, str] = {}
    for target in all_targets:
        for synonym in (*target.synonyms, str(target.label)):
            table.setdefault(normalize_header(synonym), target.key)
    # custom-field labels and keys win over built-in synonyms (an organization's own
    # "等级" field is what its files mean by 等级)
    for target in all_targets:
        if target.group == "custom":
            for synonym in target.synonyms:
                table[normalize_header(synonym)] = target.key
    return table


def guess(headers: list[str], *, all_targets: list[Target],
          template: dict[str, str] | None = None) -> list[str]:
    """One field key per column ("" for none), each field used once (the first column wins).
    A template's entries come first, then the synonyms."""
    known = {t.key for t in all_targets}
    lookup = _lookup(all_targets)
    template = {k: v for k, v in (template or {}).items() if v in known or v == ""}
    result: list[str] = []
    used: set[str] = set()
    for header in headers:
        key = normalize_header(header)
        if key in template:
            choice = template[key]
        else:
            choice = lookup.get(key) or lookup.get(_without_brackets(header)) or ""
        if choice in used:
            choice = ""
        if choice:
            used.add(choice)
        result.append(choice)
    return result


def header_score(cells: list[str], *, all_targets: list[Target]) -> int:
    """How many cells of a row read as column names (to find the header row)."""
    lookup = _lookup(all_targets)
    return sum(1 for cell in cells
               if cell and (normalize_header(cell) in lookup
                            or _without_brackets(cell) in lookup))


def validate(mapping: list[str], *, headers: list[str], all_targets: list[Target]) -> list[str]:
    """The mapping, checked: one entry per column, known fields, each at most once, the
    required fields present. Raises ValidationError({"mapping": [...]})."""
    by_key = {t.key: t for t in all_targets}
    errors = []
    mapping = [(m or "").strip() for m in mapping]
    if len(mapping) != len(headers):
        raise ValidationError({"mapping": gettext("Give one field (or none) for each column.")})
    for key in mapping:
        if key and key not in by_key:
            errors.append(gettext("Unknown field “%(key)s”.") % {"key": key})
    seen: set[str] = set()
    for column, key in enumerate(mapping):
        if key and key in seen:
            errors.append(gettext("“%(field)s” is chosen for more than one column (%(column)s).")
                          % {"field": by_key[key].label, "column": headers[column]})
        seen.add(key)
    for target in all_targets:
        if target.required and target.group != "custom" and target.key not in seen:
            errors.append(gettext("Choose the column that holds “%(field)s”.")
                          % {"field": target.label})
    if errors:
        raise ValidationError({"mapping": errors})
    return mapping


def template_from(headers: list[str], mapping: list[str]) -> dict[str, str]:
    """What to save as a template: normalized header → field key (columns left out too, so
    the template also remembers to leave them out)."""
    return {normalize_header(h): key for h, key in zip(headers, mapping, strict=True)
            if normalize_header(h)}
