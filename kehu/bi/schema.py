"""The reporting schema: which views exist, their columns, types and meaning.

This list is the contract with BI tools (docs/bi.md is its reference): a column is only ever
added, never renamed or removed within a major version. The same list drives the SQL views
(ddl.py) and the CSV/Parquet export (export.py), so the two always agree.

Each view reads one organization's rows of one table plus the labels people filter and group
by (owner_name, stage_name, ...). Rows in the recycle bin, and rows inside them (contacts of a
deleted customer, payments of a deleted order), are left out, as the application does.

Column types are the logical types of docs/bi.md: bigint, integer, text, boolean, date,
timestamp (with time zone), numeric(p,s) and numeric (custom decimal fields).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.apps import apps


@dataclass(frozen=True)
class Column:
    name: str
    sql: str  # an expression over the aliases of the view's FROM clause
    type: str
    doc: str


@dataclass(frozen=True)
class View:
    name: str
    doc: str
    base: str  # the alias whose organization_id and id the view filters and pages on
    from_sql: str
    columns: tuple[Column, ...]
    where: str = ""  # extra conditions, ANDed with the organization filter
    custom_object_type: str = ""  # whose custom fields become cf_ columns


def _t(label: str) -> str:
    return f'"{apps.get_model(label)._meta.db_table}"'


MONEY = "numeric(18,2)"
QUANTITY = "numeric(14,3)"
RATE = "numeric(7,4)"


def _c(name: str, sql: str, type_: str, doc: str) -> Column:
    return Column(name, sql, type_, doc)


def _times(alias: str) -> list[Column]:
    return [_c("created_at", f"{alias}.created_at", "timestamp", "When the row was created."),
            _c("updated_at", f"{alias}.updated_at", "timestamp", "Last change.")]


def _owner(alias: str) -> list[Column]:
    return [_c("owner_id", f"{alias}.owner_id", "bigint",
               "Owner (负责人): users.id; empty when unowned."),
            _c("owner_name", "ou.name", "text", "The owner's name."),
            _c("team_id", f"{alias}.team_id", "bigint",
               "The owner's team when the record was assigned: teams.id."),
            _c("team_name", "otm.name", "text", "That team's name.")]


def _owner_joins(alias: str) -> str:
    return (f" LEFT JOIN {_t('accounts.User')} ou ON ou.id = {alias}.owner_id"
            f" LEFT JOIN {_t('accounts.Team')} otm ON otm.id = {alias}.team_id")


LIVE_CUSTOMER = "c.deleted_at IS NULL AND c.merged_into_id IS NULL"


@functools.cache
def views() -> tuple[View, ...]:
    return (
        View("customers", "Customers (客户): companies and people.", "t",
             f"{_t('customers.Customer')} t" + _owner_joins("t"),
             (
                 _c("id", "t.id", "bigint", "Customer id."),
                 _c("kind", "t.kind", "text", "company or person."),
                 _c("name", "t.name", "text", "Name."),
                 _c("short_name", "t.short_name", "text", "Short name."),
                 _c("industry", "t.industry", "text", "Industry."),
                 _c("source", "t.source", "text", "Where the customer came from."),
                 _c("level", "t.level", "text", "a, b, c, d, or empty."),
                 _c("status", "t.status", "text", "potential, active, dormant or lost."),
                 _c("province", "t.province", "text", "Province."),
                 _c("city", "t.city", "text", "City."),
                 _c("district", "t.district", "text", "District."),
                 _c("address", "t.address", "text", "Street address."),
                 _c("phone", "t.phone", "text", "Phone."),
                 _c("email", "t.email", "text", "Email."),
                 _c("website", "t.website", "text", "Website."),
                 *_owner("t"),
                 _c("in_pool", "CASE WHEN t.owner_id IS NULL THEN TRUE ELSE FALSE END",
                    "boolean", "True when unowned, i.e. in the customer pool (公海)."),
                 _c("previous_owner_id", "t.previous_owner_id", "bigint",
                    "Who owned it before it went into the pool: users.id."),
                 _c("owned_since", "t.owned_since", "timestamp",
                    "Since when the current owner has it."),
                 _c("pooled_at", "t.pooled_at", "timestamp", "When it last went into the pool."),
                 _c("next_follow_up_on", "t.next_follow_up_on", "date", "Next follow-up date."),
                 _c("last_contacted_at", "t.last_contacted_at", "timestamp",
                    "Last follow-up."),
                 _c("last_won_at", "t.last_won_at", "timestamp",
                    "When an opportunity of this customer was last won."),
                 _c("notes", "t.notes", "text", "Notes."),
                 *_times("t"),
             ),
             where="t.deleted_at IS NULL AND t.merged_into_id IS NULL",
             custom_object_type="customers.customer"),
        View("contacts", "Contacts (联系人) of customers.", "t",
             f"{_t('customers.Contact')} t"
             f" JOIN {_t('customers.Customer')} c ON c.id = t.customer_id",
             (
                 _c("id", "t.id", "bigint", "Contact id."),
                 _c("customer_id", "t.customer_id", "bigint", "customers.id."),
                 _c("customer_name", "c.name", "text", "The customer's name."),
                 _c("name", "t.name", "text", "Name."),
                 _c("title", "t.title", "text", "Job title."),
                 _c("role", "t.role", "text",
                    "decision_maker, influencer, purchaser, user, other, or empty."),
                 _c("mobile", "t.mobile", "text", "Mobile phone."),
                 _c("phone", "t.phone", "text", "Phone."),
                 _c("email", "t.email", "text", "Email."),
                 _c("wechat", "t.wechat", "text", "WeChat ID."),
                 _c("is_primary", "t.is_primary", "boolean", "The customer's primary contact."),
                 _c("notes", "t.notes", "text", "Notes."),
                 *_times("t"),
             ),
             where=LIVE_CUSTOMER, custom_object_type="customers.contact"),
        View("follow_ups", "Follow-ups (跟进记录) on customers.", "t",
             f"{_t('customers.FollowUp')} t"
             f" JOIN {_t('customers.Customer')} c ON c.id = t.customer_id"
             f" LEFT JOIN {_t('customers.Contact')} ct ON ct.id = t.contact_id"
             f" LEFT JOIN {_t('accounts.User')} au ON au.id = t.author_id",
             (
                 _c("id", "t.id", "bigint", "Follow-up id."),
                 _c("customer_id", "t.customer_id", "bigint", "customers.id."),
                 _c("customer_name", "c.name", "text", "The customer's name."),
                 _c("contact_id", "t.contact_id", "bigint", "contacts.id, if any."),
                 _c("contact_name", "ct.name", "text", "The contact's name."),
                 _c("author_id", "t.author_id", "bigint", "Who recorded it: users.id."),
                 _c("author_name", "au.name", "text", "Their name."),
                 _c("kind", "t.kind", "text", "call, visit, meeting, email, wechat or note."),
                 _c("content", "t.content", "text", "What was said or done."),
                 _c("happened_at", "t.happened_at", "timestamp", "When it happened."),
                 _c("next_follow_up_on", "t.next_follow_up_on", "date",
                    "Next follow-up date set with it."),
                 _c("location", "t.location", "text", "Where (check-in)."),
                 _c("latitude", "t.latitude", "numeric(9,6)", "Check-in latitude."),
                 _c("longitude", "t.longitude", "numeric(9,6)", "Check-in longitude."),
                 *_times("t"),
             ),
             where=LIVE_CUSTOMER, custom_object_type="customers.followup"),
        View("leads", "Leads (线索).", "t",
             f"{_t('leads.Lead')} t" + _owner_joins("t"),
             (
                 _c("id", "t.id", "bigint", "Lead id."),
                 _c("name", "t.name", "text", "Person's name."),
                 _c("company", "t.company", "text", "Company."),
                 _c("title", "t.title", "text", "Job title."),
                 _c("mobile", "t.mobile", "text", "Mobile phone."),
                 _c("phone", "t.phone", "text", "Phone."),
                 _c("email", "t.email", "text", "Email."),
                 _c("wechat", "t.wechat", "text", "WeChat ID."),
                 _c("province", "t.province", "text", "Province."),
                 _c("city", "t.city", "text", "City."),
                 _c("industry", "t.industry", "text", "Industry."),
                 _c("source", "t.source", "text", "manual, import, api, web_form or campaign."),
                 _c("status", "t.status", "text",
                    "new, contacted, qualified, disqualified or converted."),
                 _c("disqualify_reason", "t.disqualify_reason", "text",
                    "Why it was disqualified."),
                 *_owner("t"),
                 _c("assigned_at", "t.assigned_at", "timestamp", "When it got its owner."),
                 _c("converted_at", "t.converted_at", "timestamp", "When it was converted."),
                 _c("converted_customer_id", "t.converted_customer_id", "bigint",
                    "The customer it became: customers.id."),
                 _c("converted_contact_id", "t.converted_contact_id", "bigint",
                    "The contact it became: contacts.id."),
                 _c("converted_opportunity_id", "t.converted_opportunity_id", "bigint",
                    "The opportunity it became: opportunities.id."),
                 _c("notes", "t.notes", "text", "Notes."),
                 *_times("t"),
             ),
             where="t.deleted_at IS NULL", custom_object_type="leads.lead"),
        View("opportunities", "Opportunities (商机) with their stage and pipeline.", "t",
             f"{_t('sales.Opportunity')} t"
             f" JOIN {_t('customers.Customer')} c ON c.id = t.customer_id"
             f" JOIN {_t('sales.Stage')} s ON s.id = t.stage_id"
             f" JOIN {_t('sales.Pipeline')} p ON p.id = t.pipeline_id"
             f" LEFT JOIN {_t('sales.LostReason')} lr ON lr.id = t.lost_reason_id"
             + _owner_joins("t"),
             (
                 _c("id", "t.id", "bigint", "Opportunity id."),
                 _c("name", "t.name", "text", "Name."),
                 _c("customer_id", "t.customer_id", "bigint", "customers.id."),
                 _c("customer_name", "c.name", "text", "The customer's name."),
                 _c("contact_id", "t.contact_id", "bigint", "contacts.id, if any."),
                 _c("pipeline_id", "t.pipeline_id", "bigint", "Pipeline id."),
                 _c("pipeline_name", "p.name", "text", "Pipeline name."),
                 _c("stage_id", "t.stage_id", "bigint", "Current stage id."),
                 _c("stage_name", "s.name", "text", "Current stage name."),
                 _c("stage_kind", "s.kind", "text", "open, won or lost."),
                 _c("stage_position", "s.position", "integer",
                    "Order of the stage in its pipeline (sort stages by it)."),
                 _c("probability", "s.probability", "integer",
                    "Win probability of the stage, in percent (0-100)."),
                 _c("status", "t.status", "text", "open, won or lost."),
                 _c("amount", "t.amount", MONEY, "Amount."),
                 _c("currency", "t.currency", "text", "ISO 4217 code of amount (CNY, USD...)."),
                 _c("weighted_amount", "t.weighted_amount", MONEY,
                    "amount × probability / 100, rounded to the currency's minor unit."),
                 _c("expected_close_on", "t.expected_close_on", "date", "Expected close date."),
                 _c("closed_at", "t.closed_at", "timestamp", "When it was won or lost."),
                 _c("stage_entered_at", "t.stage_entered_at", "timestamp",
                    "When it entered its current stage."),
                 *_owner("t"),
                 _c("source", "t.source", "text", "Source."),
                 _c("next_step", "t.next_step", "text", "Next step."),
                 _c("competitors", "t.competitors", "text", "Competitors."),
                 _c("lost_reason_id", "t.lost_reason_id", "bigint", "Lost reason id."),
                 _c("lost_reason", "lr.name", "text", "Lost reason."),
                 _c("lost_note", "t.lost_note", "text", "Note on why it was lost."),
                 _c("description", "t.description", "text", "Description."),
                 *_times("t"),
             ),
             where="t.deleted_at IS NULL", custom_object_type="sales.opportunity"),
        View("stage_changes", "Every move of an opportunity between stages.", "t",
             f"{_t('sales.StageChange')} t"
             f" JOIN {_t('sales.Opportunity')} o ON o.id = t.opportunity_id"
             f" LEFT JOIN {_t('sales.Stage')} fs ON fs.id = t.from_stage_id"
             f" JOIN {_t('sales.Stage')} ts ON ts.id = t.to_stage_id"
             f" LEFT JOIN {_t('accounts.User')} u ON u.id = t.changed_by_id",
             (
                 _c("id", "t.id", "bigint", "Stage change id."),
                 _c("opportunity_id", "t.opportunity_id", "bigint", "opportunities.id."),
                 _c("opportunity_name", "o.name", "text", "The opportunity's name."),
                 _c("pipeline_id", "ts.pipeline_id", "bigint", "Pipeline id."),
                 _c("from_stage_id", "t.from_stage_id", "bigint",
                    "Stage before the move; empty for the first stage."),
                 _c("from_stage_name", "fs.name", "text", "Its name."),
                 _c("to_stage_id", "t.to_stage_id", "bigint", "Stage after the move."),
                 _c("to_stage_name", "ts.name", "text", "Its name."),
                 _c("to_stage_kind", "ts.kind", "text", "open, won or lost."),
                 _c("changed_by_id", "t.changed_by_id", "bigint", "Who moved it: users.id."),
                 _c("changed_by_name", "u.name", "text", "Their name."),
                 _c("changed_at", "t.changed_at", "timestamp", "When."),
                 _c("seconds_in_previous", "t.seconds_in_previous", "bigint",
                    "Seconds the opportunity spent in the stage before."),
                 _c("amount", "t.amount", MONEY, "The opportunity's amount at the move."),
                 _c("currency", "o.currency", "text", "Currency of amount."),
                 *_times("t"),
             ),
             where="o.deleted_at IS NULL"),
        View("orders", "Orders and contracts (订单/合同).", "t",
             f"{_t('orders.Order')} t"
             f" JOIN {_t('customers.Customer')} c ON c.id = t.customer_id"
             + _owner_joins("t"),
             (
                 _c("id", "t.id", "bigint", "Order id."),
                 _c("number", "t.number", "text", "Order number."),
                 _c("title", "t.title", "text", "Title."),
                 _c("customer_id", "t.customer_id", "bigint", "customers.id."),
                 _c("customer_name", "c.name", "text", "The customer's name."),
                 _c("opportunity_id", "t.opportunity_id", "bigint", "opportunities.id, if any."),
                 _c("quote_id", "t.quote_id", "bigint", "The quote it came from, if any."),
                 _c("status", "t.status", "text", "draft, signed, completed or cancelled."),
                 _c("signed_on", "t.signed_on", "date", "Signing date."),
                 _c("starts_on", "t.starts_on", "date", "Contract start."),
                 _c("ends_on", "t.ends_on", "date", "Contract end."),
                 _c("amount", "t.amount", MONEY, "Amount."),
                 _c("currency", "t.currency", "text", "ISO 4217 code of the amounts."),
                 _c("collected_amount", "t.collected_amount", MONEY, "Sum of its payments."),
                 _c("invoiced_amount", "t.invoiced_amount", MONEY, "Sum of its invoices."),
                 _c("outstanding_amount", "t.amount - t.collected_amount", MONEY,
                    "amount − collected_amount."),
                 *_owner("t"),
                 _c("notes", "t.notes", "text", "Notes."),
                 *_times("t"),
             ),
             where="t.deleted_at IS NULL", custom_object_type="orders.order"),
        View("order_lines", "Product lines of orders.", "t",
             f"{_t('orders.OrderLine')} t JOIN {_t('orders.Order')} o ON o.id = t.order_id",
             (
                 _c("id", "t.id", "bigint", "Line id."),
                 _c("order_id", "t.order_id", "bigint", "orders.id."),
                 _c("order_number", "o.number", "text", "The order's number."),
                 _c("product_id", "t.product_id", "bigint", "products.id, if any."),
                 _c("sku", "t.sku", "text", "SKU."),
                 _c("name", "t.name", "text", "Name."),
                 _c("unit", "t.unit", "text", "Unit."),
                 _c("quantity", "t.quantity", QUANTITY, "Quantity."),
                 _c("unit_price", "t.unit_price", MONEY, "Unit price, tax excluded."),
                 _c("discount_percent", "t.discount_percent", RATE, "Discount in percent."),
                 _c("tax_rate", "t.tax_rate", RATE, "Tax rate in percent (13 = 13%)."),
                 _c("total", "t.total", MONEY, "Line total, tax included."),
                 _c("currency", "o.currency", "text", "Currency of the order."),
                 _c("position", "t.position", "integer", "Order of the line."),
                 *_times("t"),
             ),
             where="o.deleted_at IS NULL"),
        View("instalments", "Payment plans (回款计划): the planned instalments of orders.", "t",
             f"{_t('orders.Instalment')} t JOIN {_t('orders.Order')} o ON o.id = t.order_id",
             (
                 _c("id", "t.id", "bigint", "Instalment id."),
                 _c("order_id", "t.order_id", "bigint", "orders.id."),
                 _c("order_number", "o.number", "text", "The order's number."),
                 _c("customer_id", "o.customer_id", "bigint", "The order's customer."),
                 _c("sequence", "t.sequence", "integer", "1 for the first instalment, ..."),
                 _c("due_on", "t.due_on", "date", "Due date."),
                 _c("amount", "t.amount", MONEY, "Planned amount."),
                 _c("collected_amount", "t.collected_amount", MONEY,
                    "Payments received for it."),
                 _c("outstanding_amount", "t.amount - t.collected_amount", MONEY,
                    "amount − collected_amount."),
                 _c("currency", "o.currency", "text", "Currency of the order."),
                 _c("notes", "t.notes", "text", "Notes."),
                 *_times("t"),
             ),
             where="o.deleted_at IS NULL"),
        View("payments", "Payments received (回款).", "t",
             f"{_t('orders.Payment')} t JOIN {_t('orders.Order')} o ON o.id = t.order_id"
             f" LEFT JOIN {_t('accounts.User')} u ON u.id = t.recorded_by_id",
             (
                 _c("id", "t.id", "bigint", "Payment id."),
                 _c("order_id", "t.order_id", "bigint", "orders.id."),
                 _c("order_number", "o.number", "text", "The order's number."),
                 _c("customer_id", "o.customer_id", "bigint", "The order's customer."),
                 _c("instalment_id", "t.instalment_id", "bigint", "instalments.id, if any."),
                 _c("amount", "t.amount", MONEY, "Amount received."),
                 _c("currency", "t.currency", "text", "Currency of amount."),
                 _c("received_on", "t.received_on", "date", "Date received."),
                 _c("method", "t.method", "text",
                    "bank, cash, alipay, wechat, cheque, bill or other."),
                 _c("reference", "t.reference", "text", "Bank reference."),
                 _c("notes", "t.notes", "text", "Notes."),
                 _c("recorded_by_id", "t.recorded_by_id", "bigint", "users.id."),
                 _c("recorded_by_name", "u.name", "text", "Their name."),
                 *_times("t"),
             ),
             where="o.deleted_at IS NULL"),
        View("invoices", "Invoices issued (开票).", "t",
             f"{_t('orders.Invoice')} t JOIN {_t('orders.Order')} o ON o.id = t.order_id",
             (
                 _c("id", "t.id", "bigint", "Invoice id."),
                 _c("order_id", "t.order_id", "bigint", "orders.id."),
                 _c("order_number", "o.number", "text", "The order's number."),
                 _c("customer_id", "o.customer_id", "bigint", "The order's customer."),
                 _c("number", "t.number", "text", "Invoice number."),
                 _c("kind", "t.kind", "text", "vat_special, vat_normal, electronic or other."),
                 _c("amount", "t.amount", MONEY, "Amount."),
                 _c("currency", "o.currency", "text", "Currency of the order."),
                 _c("issued_on", "t.issued_on", "date", "Date issued."),
                 _c("notes", "t.notes", "text", "Notes."),
                 *_times("t"),
             ),
             where="o.deleted_at IS NULL"),
        View("products", "Products (产品).", "t",
             f"{_t('catalog.Product')} t"
             f" LEFT JOIN {_t('catalog.ProductCategory')} pc ON pc.id = t.category_id",
             (
                 _c("id", "t.id", "bigint", "Product id."),
                 _c("sku", "t.sku", "text", "SKU."),
                 _c("name", "t.name", "text", "Name."),
                 _c("unit", "t.unit", "text", "Unit."),
                 _c("list_price", "t.list_price", MONEY, "List price, tax excluded."),
                 _c("currency", "t.currency", "text", "Currency of list_price."),
                 _c("tax_rate", "t.tax_rate", RATE, "Tax rate in percent."),
                 _c("category_id", "t.category_id", "bigint", "Category id."),
                 _c("category_name", "pc.name", "text", "Category name."),
                 _c("description", "t.description", "text", "Description."),
                 _c("is_active", "t.is_active", "boolean", "Still sold."),
                 *_times("t"),
             ),
             custom_object_type="catalog.product"),
        View("users", "Members of the organization (no passwords or other secrets).", "m",
             f"{_t('accounts.Membership')} m"
             f" JOIN {_t('accounts.User')} u ON u.id = m.user_id"
             f" JOIN {_t('permissions.Role')} r ON r.id = m.role_id"
             f" LEFT JOIN {_t('accounts.Team')} tm ON tm.id = m.team_id",
             (
                 _c("id", "u.id", "bigint",
                    "User id (what owner_id, author_id, ... point to)."),
                 _c("name", "u.name", "text", "Name."),
                 _c("email", "u.email", "text", "Email."),
                 _c("team_id", "m.team_id", "bigint", "teams.id."),
                 _c("team_name", "tm.name", "text", "Team name."),
                 _c("role_key", "r.key", "text", "Role key (admin, sales_rep, ...)."),
                 _c("role_name", "r.name", "text", "Role name."),
                 _c("is_active", "CASE WHEN m.is_active AND u.is_active THEN TRUE ELSE FALSE END",
                    "boolean", "Can still sign in to this organization."),
                 _c("joined_at", "m.created_at", "timestamp", "When they joined."),
             )),
        View("teams", "Teams (部门).", "t",
             f"{_t('accounts.Team')} t"
             f" LEFT JOIN {_t('accounts.Team')} pt ON pt.id = t.parent_id"
             f" LEFT JOIN {_t('accounts.User')} u ON u.id = t.manager_id",
             (
                 _c("id", "t.id", "bigint", "Team id."),
                 _c("name", "t.name", "text", "Name."),
                 _c("parent_id", "t.parent_id", "bigint", "Parent team, empty at the top."),
                 _c("parent_name", "pt.name", "text", "Parent team's name."),
                 _c("path", "t.path", "text",
                    "Ids from the top, e.g. /1/4/9/: a team and everything under it is "
                    "path LIKE '/1/4/%'."),
                 _c("manager_id", "t.manager_id", "bigint", "users.id of the manager."),
                 _c("manager_name", "u.name", "text", "The manager's name."),
                 *_times("t"),
             )),
    )
