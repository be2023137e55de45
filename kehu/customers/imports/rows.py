"""One file row → the values to write, with the rules every other write path applies.

The parsers reuse the services' normalizers (`services.customers.normalized_values`,
`services.contacts.normalized_values`, `normalize_phone`), the model fields' own validation, the
custom-field validation (`custom_data_clean`) and the duplicate-check keys (`dedup_keys`);
only their order and caching differ, so that a million rows validate in seconds. A row that
breaks a rule raises RowRejected with a message per column, named by the file's header.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext as _

from kehu.core.accounts.models import Membership
from kehu.core.customfields.models import FieldDefinition
from kehu.core.customfields.services import active_definitions, custom_data_clean
from kehu.core.customfields.values import coerce_value
from kehu.core.permissions.actor import Actor
from kehu.customers.imports import cells
from kehu.customers.imports.mapping import CONTACTS, CUSTOM_PREFIX, normalize_header
from kehu.customers.models import Contact, Customer, Tag
from kehu.customers.services import contacts as contact_services
from kehu.customers.services import customers as customer_services

Kind = FieldDefinition.Kind
POOL_WORDS = {"公海", "公海池", "无", "pool", "none"}

# What people write in these columns, besides the values and labels themselves.
CHOICE_SYNONYMS: dict[str, dict[str, str]] = {
    "kind": {"企业": "company", "公司": "company", "单位": "company", "机构": "company",
             "组织": "company", "企业客户": "company", "个人": "person", "自然人": "person",
             "个人客户": "person"},
    "level": {"a类": "a", "a级": "a", "重点": "a", "重点客户": "a", "vip": "a", "key": "a",
              "b类": "b", "b级": "b", "普通": "b", "一般": "b", "normal": "b",
              "c类": "c", "c级": "c", "小客户": "c", "small": "c",
              "d类": "d", "d级": "d", "低价值": "d", "low": "d"},
    "status": {"潜在": "potential", "潜在客户": "potential", "意向": "potential",
               "意向客户": "potential", "新客户": "potential",
               "活跃": "active", "成交": "active", "已成交": "active", "成交客户": "active",
               "合作中": "active", "正式客户": "active",
               "沉睡": "dormant", "休眠": "dormant", "沉默": "dormant", "睡眠": "dormant",
               "流失": "lost", "已流失": "lost", "丢失": "lost"},
    "role": {"决策人": "decision_maker", "决策者": "decision_maker", "影响者": "influencer",
             "影响人": "influencer", "采购": "purchaser", "采购人": "purchaser",
             "使用者": "user", "用户": "user", "其他": "other"},
}
# Fields with few distinct values: their validation is remembered per value.
LOW_CARDINALITY = {"kind", "level", "status", "industry", "source", "province", "city",
                   "district", "role", "title"}
TEXT_LIMIT = 10_000


class RowRejected(Exception):  # an outcome, not a failure
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors

    @property
    def reason(self) -> str:
        return "; ".join(f"{column}: {message}" if column else message
                         for column, message in self.errors.items())


def _messages(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


class PhoneNormalizer:
    """`normalize_phone`, remembering for mainland mobile numbers (1, then 3–9, then nine
    digits) whether their first five digits make a valid number. Whether such a number is
    valid depends only on those digits (China's mobile ranges are defined by at most five
    leading digits, and no other kind of number has eleven digits starting 13–19;
    tests/test_cells.py checks this against phonenumbers' metadata), and parsing each of a
    million numbers would be the largest part of an import's time."""

    PREFIX = 5
    _MOBILE = re.compile(r"1[3-9]\d{9}")

    def __init__(self) -> None:
        self._prefixes: dict[str, bool] = {}

    def __call__(self, raw: str, field_name: str = "phone") -> str:
        if not raw:
            return ""
        if len(raw) == 11 and raw.isascii() and self._MOBILE.fullmatch(raw):
            prefix = raw[:self.PREFIX]
            known = self._prefixes.get(prefix)
            if known:
                return "+86" + raw
            if known is None:
                try:
                    result = customer_services.normalize_phone(raw, field_name)
                except ValidationError:
                    self._prefixes[prefix] = False
                    raise
                self._prefixes[prefix] = result == "+86" + raw
                return result
        return customer_services.normalize_phone(raw, field_name)


@dataclass
class Members:
    """The organization's active members, found by email, name or login phone."""

    by_email: dict[str, int]
    by_name: dict[str, list[int]]
    by_phone: dict[str, int]
    team: dict[int, int | None]
    names: dict[int, str]

    @classmethod
    def load(cls, organization) -> Members:
        members = cls({}, {}, {}, {}, {})
        for m in (Membership.objects.filter(organization=organization, is_active=True)
                  .select_related("user").order_by("pk")):
            user = m.user
            members.team[user.pk] = m.team_id
            members.names[user.pk] = str(user)
            members.by_email[user.email.lower()] = user.pk
            if user.name:
                members.by_name.setdefault(cells.text(user.name), []).append(user.pk)
            if user.phone:
                members.by_phone[user.phone] = user.pk
        return members

    def find(self, raw: Any) -> int | None:
        """The user a cell names (email, name, or login phone); ValueError if none or several.
        None for the pool (公海)."""
        text = cells.text(raw)
        if text.lower() in POOL_WORDS:
            return None
        if "@" in text:
            user_id = self.by_email.get(text.lower())
            if user_id is not None:
                return user_id
        else:
            ids = self.by_name.get(text, [])
            if len(ids) > 1:
                raise ValueError(_("Several users are called “%(name)s”; write their email "
                                   "instead.") % {"name": text})
            if ids:
                return ids[0]
            digits = re.sub(r"\D", "", text)
            if len(digits) == 11 and self.by_phone.get(f"+86{digits}"):
                return self.by_phone[f"+86{digits}"]
        raise ValueError(_("There is no active user “%(name)s” in this organization.")
                         % {"name": text})


def plain_text_limit(model_field: models.Field) -> int | None:
    """For a text field whose only rule is its length (no choices, no other validators,
    blank not allowed or allowed), that length; None when `clean` checks more."""
    if type(model_field) not in (models.CharField, models.TextField) or model_field.choices \
            or not model_field.editable:
        return None
    validators = model_field.validators
    if not validators:
        return 1 << 62
    if len(validators) == 1 and isinstance(validators[0], MaxLengthValidator) and \
            validators[0].limit_value == model_field.max_length:
        return model_field.max_length
    return None


def choice_table(model_field: models.Field, extra: dict[str, str]) -> dict[str, str]:
    from django.utils.translation import override

    table: dict[str, str] = {}
    for value, label in model_field.flatchoices:
        if value == "":
            continue
        names = [value, str(label)]
        for language in ("en", "zh-hans"):
            with override(language):
                names.append(str(label))
        for name in names:
            table[normalize_header(name)] = value
    table.update({normalize_header(k): v for k, v in extra.items()})
    return table


@dataclass(slots=True)
class ParsedRow:
    number: int
    cells: list[Any]
    values: dict[str, Any]              # model attribute values given in the file
    custom: dict[str, Any]              # custom_data for a new record (defaults applied)
    custom_input: dict[str, Any]        # the custom values the file gives (for updates)
    owner_given: bool = False
    owner_id: int | None = None
    tags: list[str] = field(default_factory=list)
    contact: dict[str, Any] | None = None
    keys: dict[str, str] = field(default_factory=dict)
    customer_name: str = ""             # contacts: the customer the row belongs to


class RowParser:
    """Shared by the customer and the contact parsers: columns, custom fields, caches."""

    model: type[models.Model]
    object_type: str
    choice_fields: tuple[str, ...] = ()

    def __init__(self, *, actor: Actor, headers: list[str], mapping: list[str],
                 epoch: Any = None) -> None:
        self.actor = actor
        self.organization = actor.organization
        self.epoch = epoch
        self.headers = headers
        self.columns = [(index, key) for index, key in enumerate(mapping) if key]
        self.header_of = {key: headers[index] for index, key in self.columns}
        self.definitions = active_definitions(organization=self.organization,
                                              object_type=self.object_type)
        self.definition = {d.key: d for d in self.definitions}
        # uniqueness needs to know whether the row creates or updates: checked when resolved
        self.unique_definitions = [d for d in self.definitions if d.unique]
        self.clean_definitions = []
        for definition in self.definitions:
            relaxed = copy.copy(definition)
            relaxed.unique = False
            self.clean_definitions.append(relaxed)
        self.members = Members.load(self.organization)
        self.phone = PhoneNormalizer()
        self.fields = {f.name: f for f in self.model._meta.concrete_fields}
        self.choices = {name: choice_table(self.fields[name], CHOICE_SYNONYMS.get(name, {}))
                        for name in self.choice_fields}
        self._validators: dict[tuple[type, str], Callable[[Any], Any]] = {}

    def __getstate__(self) -> dict[str, Any]:
        """Picklable (for the helper process that parses large files): the remembered
        validators are closures, rebuilt on the other side."""
        state = dict(self.__dict__)
        state["_validators"] = {}
        return state

    # --- pieces --------------------------------------------------------------------------

    def column_label(self, key: str) -> str:
        if key in self.header_of:
            return self.header_of[key]
        if key.startswith("custom."):
            definition = self.definition.get(key[len(CUSTOM_PREFIX):])
            return definition.label if definition else key
        model_key = key.removeprefix("contact_")
        model = Contact if key.startswith("contact_") else self.model
        try:
            return str(model._meta.get_field(model_key).verbose_name)
        except FieldDoesNotExist:
            return key

    def choice(self, name: str, raw: Any) -> str:
        text = cells.text(raw)
        value = self.choices[name].get(normalize_header(text))
        if value is None:
            options = ", ".join(str(label) for v, label in self.fields[name].flatchoices if v)
            raise ValueError(_("“%(value)s” is not one of the options: %(options)s.")
                             % {"value": text, "options": options})
        return value

    def clean_field(self, model: type[models.Model], name: str, value: Any) -> Any:
        """The model field's own validation (max length, choices, email, URL…)."""
        check = self._validators.get((model, name))
        if check is None:
            check = self._validators[(model, name)] = self._validator(model, name)
        return check(value)

    def _validator(self, model: type[models.Model], name: str) -> Callable[[Any], Any]:
        """`field.clean`, remembered per value for fields with few distinct values, and
        skipped for a text value within the length of a field whose only rule is length."""
        model_field = model._meta.get_field(name)
        clean = model_field.clean
        if name in LOW_CARDINALITY:
            memo: dict[Any, tuple[Any, list[str] | None]] = {}

            def full(value: Any) -> Any:
                cached = memo.get(value)
                if cached is None:
                    try:
                        cached = (clean(value, None), None)
                    except ValidationError as exc:
                        cached = (None, _messages(exc))
                    memo[value] = cached
                if cached[1]:
                    raise ValidationError(cached[1])
                return cached[0]
        else:
            def full(value: Any) -> Any:
                return clean(value, None)
        limit = plain_text_limit(model_field)
        if limit is None:
            return full

        def fast(value: Any) -> Any:
            if type(value) is str and value and len(value) <= limit:
                return value  # all that `clean` checks here: not blank, not too long
            return full(value)
        return fast

    def custom_cell(self, definition: FieldDefinition, raw: Any) -> Any:
        """A custom-field cell made ready for the field's coercer."""
        kind = definition.kind
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        if kind == Kind.DATE:
            day = cells.date(raw, epoch=self.epoch)
            return day.isoformat() if day else None
        if kind == Kind.DATETIME:
            return raw if hasattr(raw, "isoformat") and hasattr(raw, "hour") else cells.text(raw)
        if kind == Kind.PHONE:
            return cells.phone(raw)
        if kind == Kind.USER:
            return self.members.find(raw)
        if kind == Kind.MULTISELECT:
            return cells.items(raw)
        if kind in (Kind.INTEGER, Kind.DECIMAL, Kind.MONEY, Kind.BOOLEAN) and \
                isinstance(raw, int | float) and not isinstance(raw, bool):
            return raw
        if kind == Kind.BOOLEAN and isinstance(raw, bool):
            return raw
        return cells.text(raw, multiline=kind == Kind.LONG_TEXT)

    def clean_custom(self, inputs: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
        """custom_data for a new record, through the same validation as every write."""
        try:
            return custom_data_clean(organization=self.organization,
                                     object_type=self.object_type, data=inputs, current=None,
                                     model=self.model, instance_pk=None,
                                     definitions=self.clean_definitions)
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors[self.column_label(key)] = " ".join(messages)
            return {}

    def reject(self, errors: dict[str, str]) -> None:
        if errors:
            raise RowRejected(errors)


class CustomerRowParser(RowParser):
    model = Customer
    object_type = "customers.customer"
    choice_fields = ("kind", "level", "status")
    TEXT_FIELDS = {"name", "short_name", "industry", "source", "province", "city", "district",
                   "address", "email", "website"}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.tag_field = Tag._meta.get_field("name")

    def parse(self, number: int, row: list[Any]) -> ParsedRow:
        errors: dict[str, str] = {}
        values: dict[str, Any] = {}
        custom_input: dict[str, Any] = {}
        contact: dict[str, Any] = {}
        parsed = ParsedRow(number=number, cells=row, values=values, custom={},
                           custom_input=custom_input)
        for index, key in self.columns:
            raw = row[index]
            try:
                if key in self.TEXT_FIELDS:
                    text = cells.text(raw)
                    if text:
                        values[key] = text
                elif key == "phone":
                    text = cells.phone(raw)
                    if text:
                        values["phone"] = self.phone(text, "phone")
                elif key == "notes":
                    text = cells.text(raw, multiline=True)
                    if text:
                        values["notes"] = text
                elif key in self.choices:
                    if cells.text(raw):
                        values[key] = self.choice(key, raw)
                elif key == "next_follow_up_on":
                    day = cells.date(raw, epoch=self.epoch)
                    if day:
                        values[key] = day
                elif key == "owner":
                    if cells.text(raw):
                        parsed.owner_given = True
                        parsed.owner_id = self.members.find(raw)
                elif key == "tags":
                    parsed.tags = list(dict.fromkeys(cells.items(raw)))
                    for tag in parsed.tags:
                        self.tag_field.clean(tag, None)
                elif key == "contact_mobile":
                    text = cells.phone(raw)
                    if text:
                        contact["mobile"] = self.phone(text, "mobile")
                elif key.startswith("contact_"):
                    text = cells.text(raw)
                    if text:
                        contact[key[len("contact_"):]] = text
                elif key.startswith(CUSTOM_PREFIX):
                    definition = self.definition.get(key[len(CUSTOM_PREFIX):])
                    if definition is not None:
                        value = self.custom_cell(definition, raw)
                        if value is not None:
                            custom_input[definition.key] = value
            except ValidationError as exc:
                errors[self.header_of[key]] = " ".join(_messages(exc))
            except ValueError as exc:
                errors[self.header_of[key]] = str(exc)
        self._check_values(values, errors)
        parsed.custom = self.clean_custom(custom_input, errors)
        if contact:
            parsed.contact = self._contact(contact, errors)
        self.reject(errors)
        parsed.keys = {"name": values.get("name_key", ""), "phone": values.get("phone", ""),
                       "email": values.get("email", ""), "domain": values.get("domain_key", "")}
        return parsed

    def _check_values(self, values: dict[str, Any], errors: dict[str, str]) -> None:
        phone = values.pop("phone", None)
        normalized = customer_services.normalized_values(values)
        values.clear()
        values.update(normalized)
        if phone is not None:
            values["phone"] = phone
        if "name" not in values:
            values["name"] = ""
        for name, value in list(values.items()):
            try:
                values[name] = self.clean_field(Customer, name, value)
            except ValidationError as exc:
                errors[self.column_label(name)] = " ".join(_messages(exc))
        if not values["name"]:
            del values["name"]
        keys = customer_services.dedup_keys(values)
        values["name_key"], values["domain_key"] = keys["name_key"], keys["domain_key"]

    def _contact(self, contact: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
        mobile = contact.pop("mobile", None)
        contact = contact_services.normalized_values(contact)
        if mobile is not None:
            contact["mobile"] = mobile
        contact.setdefault("name", "")
        for name, value in contact.items():
            try:
                contact[name] = self.clean_field(Contact, name, value)
            except ValidationError as exc:
                errors[self.column_label(f"contact_{name}")] = " ".join(_messages(exc))
        return contact


class ContactRowParser(RowParser):
    """Rows of a contacts file: each names its customer (by name) and the person."""

    model = Contact
    object_type = "customers.contact"
    choice_fields = ("role",)
    TEXT_FIELDS = {"name", "title", "email", "wechat"}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.boolean = FieldDefinition(kind=Kind.BOOLEAN, key="is_primary", label="")

    def parse(self, number: int, row: list[Any]) -> ParsedRow:
        errors: dict[str, str] = {}
        values: dict[str, Any] = {}
        custom_input: dict[str, Any] = {}
        parsed = ParsedRow(number=number, cells=row, values=values, custom={},
                           custom_input=custom_input)
        for index, key in self.columns:
            raw = row[index]
            try:
                if key == "customer":
                    parsed.customer_name = cells.text(raw)
                elif key in self.TEXT_FIELDS:
                    text = cells.text(raw)
                    if text:
                        values[key] = text
                elif key in ("mobile", "phone"):
                    text = cells.phone(raw)
                    if text:
                        values[key] = self.phone(text, key)
                elif key == "notes":
                    text = cells.text(raw, multiline=True)
                    if text:
                        values["notes"] = text
                elif key == "role":
                    if cells.text(raw):
                        values["role"] = self.choice("role", raw)
                elif key == "is_primary":
                    value = coerce_value(self.boolean, raw if isinstance(raw, bool)
                                         else cells.text(raw))
                    if value is not None:
                        values["is_primary"] = value
                elif key.startswith(CUSTOM_PREFIX):
                    definition = self.definition.get(key[len(CUSTOM_PREFIX):])
                    if definition is not None:
                        value = self.custom_cell(definition, raw)
                        if value is not None:
                            custom_input[definition.key] = value
            except ValidationError as exc:
                errors[self.header_of[key]] = " ".join(_messages(exc))
            except ValueError as exc:
                errors[self.header_of[key]] = str(exc)
        if not parsed.customer_name:
            errors[self.column_label("customer")] = _("Give the customer's name.")
        phones = {k: values.pop(k) for k in ("mobile", "phone") if k in values}
        normalized = contact_services.normalized_values(values)
        values.clear()
        values.update(normalized, **phones)
        values.setdefault("name", "")
        for name, value in list(values.items()):
            if name == "is_primary":
                continue
            try:
                values[name] = self.clean_field(Contact, name, value)
            except ValidationError as exc:
                errors[self.column_label(name)] = " ".join(_messages(exc))
        parsed.custom = self.clean_custom(custom_input, errors)
        self.reject(errors)
        parsed.keys = {"name": values.get("name", ""), "mobile": values.get("mobile", ""),
                       "email": values.get("email", "")}
        return parsed


def parser_for(*, object_type: str, actor: Actor, headers: list[str], mapping: list[str],
               epoch: Any = None) -> RowParser:
    cls = ContactRowParser if object_type == CONTACTS else CustomerRowParser
    return cls(actor=actor, headers=headers, mapping=mapping, epoch=epoch)
