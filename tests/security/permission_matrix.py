"""The permission matrix: for every API operation and every HTML view, what each built-in
role may do on a record it owns, on a teammate's, on another team's and on another
organization's.

The expectations come from the small tables below, written out by hand from the product's
rules (docs/architecture.md, "Permissions"): they are deliberately NOT read from
`kehu.core.permissions.builtin`, so a change to a role's grants or scope shows up here as a
failing row, and must be made in both places on purpose.

Each endpoint is one row: method, path (or URL name), a rule and, for writes, the body.
Rules:
    MEMBER                any member may (their own data, or lists and bulk actions filtered
                          to what they may see or change: they answer 200 with what was done)
    ADMIN                 organization admins only, 403 for everyone else
    MINE                  the member's own rows whatever the role (imports), all rows for
                          admins, 404 otherwise; PERSONAL: no exception for admins
    mine(type, action)    MINE, and the action needs the grant (403)
    gated(type, action)   403 without the grant whoever's record it is, else like record()
    APPROVER              a visible quote that only its approver or an admin may decide
    grant(type, action)   allowed when the role grants `action` on `type`, else 403
    record(type, action)  targets a record of the relation: 404 when the role cannot see
                          it (no view grant, outside its data scope, another organization),
                          403 when it sees it but lacks `action`, else allowed
    row(type, action)     targets an organization-wide row (product, pipeline…): visible
                          with the view grant, 404 in another organization
    report(action)        targets a saved report, which is seen by its owner, the people it
                          is shared with (the scene shares none) and admins, not by data scope:
                          404 unless the role may view reports and it is the member's own or
                          the member is an admin; then 403 without `action`
Outcomes: OK means the request passed the permission gate: 2xx, or a 409/422 from the
business rules behind the gate (a draft quote cannot be sent, a form posted empty is invalid;
the apps' own tests check those outcomes), and 3xx for HTML forms that redirect. 403 and 404
as above; another organization's rows are always 404.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

# --- The built-in roles, by hand -------------------------------------------------------------

ALL = frozenset({"view", "create", "edit", "delete", "import", "export", "assign"})
VIEW = frozenset({"view"})
NONE: frozenset[str] = frozenset()

SCOPE = {"admin": "org", "sales_manager": "subtree", "sales_rep": "own",
         "service_agent": "org", "marketing": "org", "read_only": "org"}
GRANTS = {  # role -> module -> actions
    "admin": {"customers": ALL, "sales": ALL, "catalog": ALL, "targets": ALL},
    "sales_manager": {"customers": ALL, "sales": ALL, "catalog": ALL, "targets": ALL},
    "sales_rep": {"customers": frozenset({"view", "create", "edit", "import"}),
                  "sales": frozenset({"view", "create", "edit"}), "catalog": VIEW,
                  "targets": VIEW},
    "service_agent": {"customers": frozenset({"view", "edit"}), "sales": NONE,
                      "catalog": VIEW, "targets": NONE},
    "marketing": {"customers": frozenset({"view", "export"}), "sales": VIEW, "catalog": VIEW,
                  "targets": VIEW},
    "read_only": {"customers": VIEW, "sales": VIEW, "catalog": VIEW, "targets": VIEW},
}
MODULE = {"customer": "customers", "lead": "sales", "opportunity": "sales", "quote": "sales",
          "order": "sales", "task": "sales", "product": "catalog", "target": "targets",
          "report": "sales"}
ROLES = tuple(SCOPE)

# Who owns the record an endpoint targets, seen from the acting member (who sits in team
# 华东 with a teammate; another rep sits in 华南; the last one is in another organization).
OWN, MATE, OTHER_TEAM, OTHER_ORG = "own", "teammate", "other team", "other organization"
RELATIONS = (OWN, MATE, OTHER_TEAM, OTHER_ORG)

OK, DENIED, HIDDEN = "ok", 403, 404


def can(role: str, object_type: str, action: str) -> bool:
    return action in GRANTS[role][MODULE[object_type]]


def sees(role: str, relation: str, object_type: str) -> bool:
    if relation == OTHER_ORG or not can(role, object_type, "view"):
        return False
    return {"org": True, "subtree": relation in (OWN, MATE), "own": relation == OWN}[
        SCOPE[role]]


# --- Rules -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    kind: str  # member | admin | grant | record | row | mine | gated | approver
    object_type: str = ""
    action: str = ""
    refers: str = ""  # grant: the body names a row of this type

    @property
    def relations(self) -> tuple[str, ...]:
        """The relations worth trying: records have four, org-wide rows live in one
        organization or another, the rest target nothing."""
        return {"record": RELATIONS, "mine": RELATIONS, "approver": RELATIONS,
                "gated": RELATIONS, "report": RELATIONS,
                "row": (OWN, OTHER_ORG)}.get(self.kind, (OWN,))

    def expect(self, role: str, relation: str) -> str | int:
        if self.kind == "member":
            return OK
        if self.kind == "admin":
            return OK if role == "admin" else DENIED
        if self.kind == "mine":
            admin_sees = role == "admin" and relation != OTHER_ORG and self.action != "personal"
            if relation != OWN and not admin_sees:
                return HIDDEN
            if self.object_type:
                return OK if can(role, self.object_type, self.action) else DENIED
            return OK
        if self.kind == "gated":
            if not can(role, self.object_type, self.action):
                return DENIED
            if self.refers == "mine":
                return Rule("mine").expect(role, relation)
            return OK if sees(role, relation, self.object_type) else HIDDEN
        if self.kind == "approver":
            if not sees(role, relation, self.object_type):
                return HIDDEN
            return OK if role == "admin" else DENIED
        if self.kind == "report":
            seen = relation == OWN or (role == "admin" and relation != OTHER_ORG)
            if not seen or not can(role, "report", "view"):
                return HIDDEN
            return OK if can(role, "report", self.action) else DENIED
        if self.kind == "grant":
            if self.refers and not can(role, self.refers, "view"):
                return HIDDEN  # the row the body names is invisible to the role
            return OK if can(role, self.object_type, self.action) else DENIED
        if self.kind == "row":
            if relation == OTHER_ORG or not can(role, self.object_type, "view"):
                return HIDDEN
        elif self.kind == "record" and not sees(role, relation, self.object_type):
            return HIDDEN
        return OK if can(role, self.object_type, self.action) else DENIED


MEMBER, ADMIN = Rule("member"), Rule("admin")
MINE = Rule("mine")  # the member's own rows (imports): admins see everyone's, others 404
PERSONAL = Rule("mine", action="personal")  # the member's own rows, 404 even for admins


def mine(object_type: str, action: str) -> Rule:
    """The member's own row (MINE), and the action needs a grant too."""
    return Rule("mine", object_type, action)


def gated(object_type: str, action: str, *, mine: bool = False) -> Rule:
    """The grant is checked before the record is looked up: 403 without it, whoever's;
    then like record(), or like MINE."""
    return Rule("gated", object_type, action, "mine" if mine else "")
APPROVER = Rule("approver", "quote")  # visible quotes; only the approver or an admin decides


def grant(object_type: str, action: str, refers: str = "") -> Rule:
    return Rule("grant", object_type, action, refers)


def record(object_type: str, action: str = "view") -> Rule:
    return Rule("record", object_type, action)


def row(object_type: str, action: str = "view") -> Rule:
    return Rule("row", object_type, action)


def report(action: str = "view") -> Rule:
    return Rule("report", "report", action)


@dataclass(frozen=True)
class Endpoint:
    method: str
    target: str  # API path with {params}, or an HTML URL name
    rule: Rule
    body: Any = None  # dict, or callable(rows) -> dict, rows: param name -> row
    multipart: bool = False
    params: dict[str, str] = field(default_factory=dict)  # path param -> scene row name

    @property
    def id(self) -> str:
        return f"{self.method} {self.target}"


def E(method: str, target: str, rule: Rule, body: Any = None, **kwargs: Any) -> Endpoint:  # noqa: N802
    return Endpoint(method, target, rule, body, **kwargs)


def version(row_name: str, **values: Any):
    """A body with the targeted row's current version (optimistic concurrency)."""
    return lambda rows: {"version": rows[row_name].version, **values}


# --- The API ---------------------------------------------------------------------------------

C, L, OP, Q, R, T, P, G, RP = ("customer", "lead", "opportunity", "quote", "order", "task",
                              "product", "target", "report")
REPORT_DEFINITION = {"object": "customers", "measures": [{"fn": "count"}], "chart": "table"}
V1 = "/api/v1"
TODAY = "2026-02-01"

API = [
    # accounts, settings, audit, notifications
    E("GET", f"{V1}/me", MEMBER),
    E("GET", f"{V1}/members", MEMBER),
    E("GET", f"{V1}/teams", MEMBER),
    E("GET", f"{V1}/roles", MEMBER),
    E("GET", f"{V1}/tokens", MEMBER),
    E("POST", f"{V1}/tokens", MEMBER, {"name": "脚本"}),
    E("DELETE", f"{V1}/tokens/{{token_id}}", MINE),
    E("GET", f"{V1}/custom-fields", MEMBER),
    E("POST", f"{V1}/custom-fields", ADMIN, {"object_type": "customers.customer",
                                             "key": "region", "label": "区域", "kind": "text"}),
    E("PATCH", f"{V1}/custom-fields/{{definition_id}}", ADMIN, {"label": "所属行业"}),
    E("GET", f"{V1}/audit", ADMIN),
    E("GET", f"{V1}/notifications", MEMBER),
    E("POST", f"{V1}/notifications/read", MEMBER, {"ids": []}),
    # customers
    E("GET", f"{V1}/customers", MEMBER),
    E("POST", f"{V1}/customers", grant(C, "create"), {"name": "深圳新客户科技有限公司"}),
    E("GET", f"{V1}/customers/duplicates", MEMBER),
    E("GET", f"{V1}/customers/export", grant(C, "export")),
    E("GET", f"{V1}/customers/recycle-bin", MEMBER),
    E("POST", f"{V1}/customers/bulk/assign", grant(C, "assign"),
      lambda rows: {"customer_ids": [rows["customer_id"].pk],
                    "owner_id": rows["customer_id"].owner_id}),
    E("POST", f"{V1}/customers/bulk/delete", MEMBER,
      lambda rows: {"customer_ids": [rows["customer_id"].pk]}),
    E("POST", f"{V1}/customers/bulk/tag", MEMBER,
      lambda rows: {"customer_ids": [rows["customer_id"].pk], "tag_ids": [rows["tag_id"].pk]}),
    E("GET", f"{V1}/customers/{{customer_id}}", record(C)),
    E("PATCH", f"{V1}/customers/{{customer_id}}", record(C, "edit"),
      version("customer_id", city="杭州")),
    E("DELETE", f"{V1}/customers/{{customer_id}}", record(C, "delete")),
    E("POST", f"{V1}/customers/{{customer_id}}/restore", record(C, "delete"),
      params={"customer_id": "deleted_customer_id"}),
    E("GET", f"{V1}/customers/{{customer_id}}/history", record(C)),
    E("POST", f"{V1}/customers/{{customer_id}}/claim", record(C, "edit")),
    E("POST", f"{V1}/customers/release", MEMBER,
      lambda rows: {"customer_ids": [rows["customer_id"].pk]}),
    E("GET", f"{V1}/customers/pool-policy", MEMBER),
    E("PUT", f"{V1}/customers/pool-policy", ADMIN,
      {"claim_limit": 50, "no_follow_up_days": 30, "no_deal_days": 90}),
    E("POST", f"{V1}/customers/{{customer_id}}/merge", record(C, "delete"),
      lambda rows: {"merged_id": rows["spare_customer_id"].pk}),
    E("GET", f"{V1}/customers/{{customer_id}}/merges", record(C)),
    E("POST", f"{V1}/customers/merges/{{merge_id}}/undo", record(C, "delete")),
    E("POST", f"{V1}/customers/imports", grant(C, "import"),
      {"object_type": "customers"}, multipart=True),
    E("GET", f"{V1}/customers/imports", MEMBER),
    E("GET", f"{V1}/customers/imports/mappings", MEMBER),
    E("POST", f"{V1}/customers/imports/mappings", grant(C, "import"),
      {"name": "标准模板", "mapping": {"名称": "name"}}),
    E("GET", f"{V1}/customers/imports/{{job_id}}", MINE),
    E("POST", f"{V1}/customers/imports/{{job_id}}/start", mine(C, "import"), {"dry_run": True}),
    E("POST", f"{V1}/customers/imports/{{job_id}}/cancel", MINE),
    E("GET", f"{V1}/customers/imports/{{job_id}}/report", MINE),
    E("GET", f"{V1}/customers/{{customer_id}}/contacts", record(C)),
    E("POST", f"{V1}/customers/{{customer_id}}/contacts", record(C, "edit"), {"name": "王经理"}),
    E("GET", f"{V1}/contacts/{{contact_id}}", record(C)),
    E("PATCH", f"{V1}/contacts/{{contact_id}}", record(C, "edit"),
      version("contact_id", title="采购总监")),
    E("DELETE", f"{V1}/contacts/{{contact_id}}", record(C, "edit")),
    E("GET", f"{V1}/customers/{{customer_id}}/follow-ups", record(C)),
    E("POST", f"{V1}/customers/{{customer_id}}/follow-ups", record(C, "edit"),
      {"content": "上门拜访", "kind": "visit"}, multipart=True),
    E("DELETE", f"{V1}/follow-ups/{{follow_up_id}}", record(C, "edit")),
    E("GET", f"{V1}/follow-ups/attachments/{{attachment_id}}", record(C)),
    E("GET", f"{V1}/tags", MEMBER),
    E("POST", f"{V1}/tags", grant(C, "edit"), {"name": "新标签"}),
    E("DELETE", f"{V1}/tags/{{tag_id}}", ADMIN),
    E("GET", f"{V1}/segments", MEMBER),
    E("POST", f"{V1}/segments", MEMBER, {"name": "华南客户", "conditions": []}),
    E("PUT", f"{V1}/segments/{{segment_id}}", ADMIN, {"name": "深圳", "conditions": []}),
    E("DELETE", f"{V1}/segments/{{segment_id}}", ADMIN),
    E("GET", f"{V1}/segments/{{segment_id}}/customers", MEMBER),
    # tasks
    E("GET", f"{V1}/tasks", MEMBER),
    E("POST", f"{V1}/tasks", grant(T, "create"), {"title": "回电话", "due_on": TODAY}),
    E("PATCH", f"{V1}/tasks/{{task_id}}", record(T, "edit"), version("task_id", done=True)),
    # leads
    E("GET", f"{V1}/leads", MEMBER),
    E("POST", f"{V1}/leads", grant(L, "create"), {"name": "李先生"}),
    E("POST", f"{V1}/leads/assign", grant(L, "assign"), {}),
    E("POST", f"{V1}/leads/import", grant(L, "import"), {"dry_run": "true"}, multipart=True),
    E("GET", f"{V1}/leads/{{lead_id}}", record(L)),
    E("PATCH", f"{V1}/leads/{{lead_id}}", record(L, "edit"), version("lead_id", city="广州")),
    E("DELETE", f"{V1}/leads/{{lead_id}}", record(L, "delete")),
    E("GET", f"{V1}/leads/{{lead_id}}/activities", record(L)),
    E("POST", f"{V1}/leads/{{lead_id}}/activities", record(L, "edit"), {"content": "电话沟通"}),
    E("POST", f"{V1}/leads/{{lead_id}}/claim", record(L, "edit")),
    E("POST", f"{V1}/leads/{{lead_id}}/release", record(L, "edit"), {}),
    E("POST", f"{V1}/leads/{{lead_id}}/disqualify", record(L, "edit"), {"reason": "无预算"}),
    E("POST", f"{V1}/leads/{{lead_id}}/convert", record(L, "edit"), {"create_anyway": True}),
    # sales: pipelines and settings
    E("GET", f"{V1}/sales/pipelines", MEMBER),
    E("POST", f"{V1}/sales/pipelines", ADMIN, {"name": "渠道销售"}),
    E("GET", f"{V1}/sales/pipelines/{{pipeline_id}}", MEMBER),
    E("PATCH", f"{V1}/sales/pipelines/{{pipeline_id}}", ADMIN, {"name": "标准销售流程"}),
    E("POST", f"{V1}/sales/pipelines/{{pipeline_id}}/stages", ADMIN, {"name": "方案演示"}),
    E("POST", f"{V1}/sales/pipelines/{{pipeline_id}}/stages/order", ADMIN,
      lambda rows: {"stage_ids": list(rows["pipeline_id"].stages.order_by("position")
                                      .values_list("pk", flat=True))}),
    E("PATCH", f"{V1}/sales/stages/{{stage_id}}", ADMIN, {"probability": 15}),
    E("DELETE", f"{V1}/sales/stages/{{stage_id}}", ADMIN),
    E("GET", f"{V1}/sales/lost-reasons", MEMBER),
    E("POST", f"{V1}/sales/lost-reasons", ADMIN, {"name": "价格太高"}),
    E("PATCH", f"{V1}/sales/lost-reasons/{{reason_id}}", ADMIN, {"name": "预算不足"}),
    # sales: opportunities
    E("GET", f"{V1}/sales/board", MEMBER),
    E("GET", f"{V1}/sales/opportunities", MEMBER),
    E("POST", f"{V1}/sales/opportunities", grant(OP, "create"),
      lambda rows: {"name": "二期项目", "customer_id": rows["customer_id"].pk}),
    E("GET", f"{V1}/sales/opportunities/recycle-bin", MEMBER),
    E("GET", f"{V1}/sales/opportunities/{{opportunity_id}}", record(OP)),
    E("PATCH", f"{V1}/sales/opportunities/{{opportunity_id}}", record(OP, "edit"),
      version("opportunity_id", next_step="报价")),
    E("DELETE", f"{V1}/sales/opportunities/{{opportunity_id}}", record(OP, "delete")),
    E("POST", f"{V1}/sales/opportunities/{{opportunity_id}}/restore", record(OP, "delete"),
      params={"opportunity_id": "deleted_opportunity_id"}),
    E("POST", f"{V1}/sales/opportunities/{{opportunity_id}}/move", record(OP, "edit"),
      lambda rows: {"stage_id": rows["opportunity_id"].stage_id}),
    E("POST", f"{V1}/sales/opportunities/{{opportunity_id}}/win", record(OP, "edit"), {}),
    E("POST", f"{V1}/sales/opportunities/{{opportunity_id}}/lose", record(OP, "edit"),
      lambda rows: {"lost_reason_id": rows["reason_id"].pk}),
    E("POST", f"{V1}/sales/opportunities/{{opportunity_id}}/reopen", record(OP, "edit"), {}),
    E("GET", f"{V1}/sales/opportunities/{{opportunity_id}}/stage-history", record(OP)),
    E("GET", f"{V1}/sales/opportunities/{{opportunity_id}}/history", record(OP)),
    E("GET", f"{V1}/sales/opportunities/{{opportunity_id}}/lines", record(OP)),
    E("POST", f"{V1}/sales/opportunities/{{opportunity_id}}/lines", record(OP, "edit"),
      {"name": "培训", "unit_price": "500.00"}),
    E("PATCH", f"{V1}/sales/lines/{{line_id}}", record(OP, "edit"), {"quantity": "2"}),
    E("DELETE", f"{V1}/sales/lines/{{line_id}}", record(OP, "edit")),
    # catalog
    E("GET", f"{V1}/catalog/products", MEMBER),
    E("POST", f"{V1}/catalog/products", grant(P, "create"),
      {"sku": "NEW-1", "name": "新产品", "list_price": "10.00"}),
    E("GET", f"{V1}/catalog/products/{{product_id}}", row(P)),
    E("PATCH", f"{V1}/catalog/products/{{product_id}}", row(P, "edit"),
      version("product_id", name="改名产品")),
    E("DELETE", f"{V1}/catalog/products/{{product_id}}", row(P, "delete")),
    E("GET", f"{V1}/catalog/products/{{product_id}}/price", row(P)),
    E("GET", f"{V1}/catalog/categories", MEMBER),
    E("POST", f"{V1}/catalog/categories", grant(P, "edit"), {"name": "服务"}),
    E("PATCH", f"{V1}/catalog/categories/{{category_id}}", row(P, "edit"), {"name": "硬件"}),
    E("DELETE", f"{V1}/catalog/categories/{{category_id}}", row(P, "edit")),
    E("GET", f"{V1}/catalog/price-books", MEMBER),
    E("POST", f"{V1}/catalog/price-books", grant(P, "edit"), {"name": "VIP 价"}),
    E("GET", f"{V1}/catalog/price-books/{{pricebook_id}}", row(P)),
    E("PATCH", f"{V1}/catalog/price-books/{{pricebook_id}}", row(P, "edit"), {"name": "渠道价"}),
    E("DELETE", f"{V1}/catalog/price-books/{{pricebook_id}}", row(P, "edit")),
    E("GET", f"{V1}/catalog/price-books/{{pricebook_id}}/prices", row(P)),
    E("PUT", f"{V1}/catalog/price-books/{{pricebook_id}}/prices/{{product_id}}", row(P, "edit"),
      {"price": "88.00"}),
    # quotes
    E("GET", f"{V1}/quotes", MEMBER),
    E("POST", f"{V1}/quotes", grant(Q, "create", refers=OP),
      lambda rows: {"opportunity_id": rows["opportunity_id"].pk}),
    E("GET", f"{V1}/quotes/{{quote_id}}", record(Q)),
    E("PATCH", f"{V1}/quotes/{{quote_id}}", record(Q, "edit"), version("quote_id", notes="含税")),
    E("DELETE", f"{V1}/quotes/{{quote_id}}", record(Q, "delete")),
    E("GET", f"{V1}/quotes/{{quote_id}}/lines", record(Q)),
    E("POST", f"{V1}/quotes/{{quote_id}}/lines", record(Q, "edit"),
      {"name": "运维", "unit_price": "300.00"}),
    E("PATCH", f"{V1}/quotes/{{quote_id}}/lines/{{line_id}}", record(Q, "edit"),
      {"quantity": "3"}, params={"line_id": "quote_line_id"}),
    E("DELETE", f"{V1}/quotes/{{quote_id}}/lines/{{line_id}}", record(Q, "edit"),
      params={"line_id": "quote_line_id"}),
    E("POST", f"{V1}/quotes/{{quote_id}}/submit", record(Q, "edit")),
    E("POST", f"{V1}/quotes/{{quote_id}}/approve", APPROVER, {}),
    E("POST", f"{V1}/quotes/{{quote_id}}/reject", APPROVER, {"comment": "折扣太大"}),
    E("POST", f"{V1}/quotes/{{quote_id}}/send", record(Q, "edit")),
    E("POST", f"{V1}/quotes/{{quote_id}}/accept", record(Q, "edit")),
    E("POST", f"{V1}/quotes/{{quote_id}}/decline", record(Q, "edit")),
    E("POST", f"{V1}/quotes/{{quote_id}}/revise", record(Q, "edit")),
    E("GET", f"{V1}/quotes/{{quote_id}}/pdf", record(Q)),
    # orders
    E("GET", f"{V1}/orders", MEMBER),
    E("POST", f"{V1}/orders", grant(R, "create"),
      lambda rows: {"customer_id": rows["customer_id"].pk, "amount": "100.00"}),
    E("GET", f"{V1}/orders/overdue", MEMBER),
    E("GET", f"{V1}/orders/customers/{{customer_id}}/summary", record(C)),
    E("GET", f"{V1}/orders/{{order_id}}", record(R)),
    E("PATCH", f"{V1}/orders/{{order_id}}", record(R, "edit"), version("order_id", notes="加急")),
    E("DELETE", f"{V1}/orders/{{order_id}}", record(R, "delete")),
    E("POST", f"{V1}/orders/{{order_id}}/instalments", record(R, "edit"),
      {"due_on": TODAY, "amount": "100.00"}),
    E("POST", f"{V1}/orders/{{order_id}}/instalments/split", record(R, "edit"),
      {"count": 2, "first_due_on": TODAY}),
    E("DELETE", f"{V1}/orders/instalments/{{instalment_id}}", record(R, "edit")),
    E("POST", f"{V1}/orders/{{order_id}}/payments", record(R, "edit"), {"amount": "100.00"}),
    E("DELETE", f"{V1}/orders/payments/{{payment_id}}", record(R, "edit")),
    E("POST", f"{V1}/orders/{{order_id}}/invoices", record(R, "edit"),
      {"number": "FP-0001", "amount": "100.00"}),
    E("DELETE", f"{V1}/orders/invoices/{{invoice_id}}", record(R, "edit")),
    E("POST", f"{V1}/orders/{{order_id}}/attachments", record(R, "edit"), {}, multipart=True),
    E("GET", f"{V1}/orders/attachments/{{attachment_id}}", record(R),
      params={"attachment_id": "order_attachment_id"}),
    E("DELETE", f"{V1}/orders/attachments/{{attachment_id}}", record(R, "edit"),
      params={"attachment_id": "order_attachment_id"}),
    # targets
    E("GET", f"{V1}/targets", MEMBER),
    E("POST", f"{V1}/targets", grant(G, "create"),
      lambda rows: {"user_id": rows["customer_id"].owner_id, "period_start": "2026-03-01",
                    "amount": "1000.00"}),
    E("GET", f"{V1}/targets/progress", grant(G, "view")),
    E("GET", f"{V1}/targets/ranking", grant(G, "view")),
    E("GET", f"{V1}/targets/{{target_id}}", record(G)),
    E("PATCH", f"{V1}/targets/{{target_id}}", record(G, "edit"),
      version("target_id", amount="60000.00")),
    E("DELETE", f"{V1}/targets/{{target_id}}", record(G, "delete")),
    # analytics (read-only figures) and personal-data requests
    E("GET", f"{V1}/analytics/funnel", grant(OP, "view")),
    E("GET", f"{V1}/analytics/forecast", grant(OP, "view")),
    E("GET", f"{V1}/analytics/dashboard", MEMBER),
    E("GET", f"{V1}/analytics/adoption", ADMIN),
    E("GET", f"{V1}/analytics/customers/new", grant(C, "view")),
    E("GET", f"{V1}/analytics/customers/list", grant(C, "view")),
    E("GET", f"{V1}/analytics/customers/rfm", grant(C, "view")),
    E("GET", f"{V1}/analytics/customers/repurchase", grant(C, "view")),
    E("GET", f"{V1}/analytics/customers/churn", grant(C, "view")),
    E("GET", f"{V1}/privacy/preview", ADMIN),
    E("GET", f"{V1}/privacy/export", ADMIN),
    E("POST", f"{V1}/privacy/erase", ADMIN, {"reason": "客户要求删除"}),
    # reports
    E("GET", f"{V1}/reports/objects", grant(RP, "view")),
    E("POST", f"{V1}/reports/run", grant(RP, "view"), REPORT_DEFINITION),
    E("GET", f"{V1}/reports", MEMBER),  # like every API list: what the caller may see
    E("POST", f"{V1}/reports", grant(RP, "create"),
      {"name": "客户数", "definition": REPORT_DEFINITION}),
    E("GET", f"{V1}/reports/{{report_id}}", report()),
    E("PATCH", f"{V1}/reports/{{report_id}}", report("edit"), version("report_id", name="新名")),
    E("DELETE", f"{V1}/reports/{{report_id}}", report("delete")),
    E("PUT", f"{V1}/reports/{{report_id}}/shares", report("edit"),
      {"user_ids": [], "team_ids": [], "role_ids": []}),
    E("POST", f"{V1}/reports/{{report_id}}/pin", report()),
    E("DELETE", f"{V1}/reports/{{report_id}}/pin", report()),
    E("GET", f"{V1}/reports/{{report_id}}/result", report()),
]


# --- The HTML views --------------------------------------------------------------------------
# Pages are requested with GET (showing a form is where the gate sits: the POST goes through
# the same check and the same service); views that only take POST are posted, mostly with an
# empty form. Path parameters come from the scene by name; "=x" is a literal.

HTML = [
    # customers
    E("GET", "customers:customer-list", MEMBER),
    E("GET", "customers:customer-export", grant(C, "export")),
    E("GET", "customers:customer-columns", MEMBER),
    E("POST", "customers:customer-bulk", MEMBER),
    E("POST", "customers:customer-export-selected", grant(C, "export")),
    E("GET", "customers:customer-create", grant(C, "create")),
    E("GET", "customers:pool", MEMBER),
    E("POST", "customers:pool-claim", grant(C, "edit")),
    E("GET", "customers:pool-policy", ADMIN),
    E("GET", "customers:segment-list", MEMBER),
    E("GET", "customers:segment-create", MEMBER),
    E("POST", "customers:segment-save-from-list", MEMBER),
    E("GET", "customers:segment-edit", ADMIN),
    E("POST", "customers:segment-delete", ADMIN),
    E("GET", "customers:segment-export", grant(C, "export")),
    E("GET", "customers:tag-list", MEMBER),
    E("POST", "customers:tag-delete", ADMIN),
    E("GET", "customers:recycle-bin", grant(C, "delete")),
    E("GET", "customers:contact-edit", record(C, "edit")),
    E("POST", "customers:contact-delete", record(C, "edit")),
    E("POST", "customers:follow-up-delete", record(C, "edit")),
    E("GET", "customers:attachment", record(C)),
    E("POST", "customers:merge-undo", gated(C, "delete")),
    E("GET", "customers:customer-detail", record(C)),
    E("GET", "customers:customer-section", record(C), params={"name": "=profile"}),
    E("GET", "customers:customer-edit", record(C, "edit")),
    E("GET", "customers:customer-delete", record(C, "delete")),
    E("POST", "customers:customer-restore", record(C, "delete"),
      params={"customer_id": "deleted_customer_id"}),
    E("POST", "customers:customer-claim", record(C, "edit")),
    E("POST", "customers:customer-release", record(C, "edit")),
    E("POST", "customers:customer-tag-add", record(C, "edit")),
    E("POST", "customers:customer-tag-remove", record(C, "edit")),
    E("GET", "customers:contact-create", record(C, "edit")),
    E("GET", "customers:follow-up-list", record(C)),
    E("POST", "customers:follow-up-create", record(C, "edit")),
    E("POST", "customers:customer-task-done", record(T, "edit")),
    E("GET", "customers:customer-merge", gated(C, "delete")),
    E("GET", "customers:customer-merge-compare", gated(C, "delete"),
      params={"other_id": "spare_customer_id"}),
    E("GET", "customers:import-list", grant(C, "import")),
    E("GET", "customers:import-upload", grant(C, "import")),
    E("GET", "customers:import-sample", grant(C, "import")),
    E("GET", "customers:import-detail", gated(C, "import", mine=True)),
    E("GET", "customers:import-progress", MINE),
    E("POST", "customers:import-cancel", MINE),
    E("POST", "customers:import-start", mine(C, "import")),
    E("GET", "customers:import-report", MINE),
    # leads
    E("GET", "leads:lead-list", grant(L, "view")),
    E("GET", "leads:lead-pool", grant(L, "view")),
    E("GET", "leads:lead-create", grant(L, "create")),
    E("GET", "leads:lead-import", grant(L, "import")),
    E("GET", "leads:lead-import-result", grant(L, "import")),
    E("GET", "leads:lead-import-rejected", grant(L, "import")),
    E("GET", "leads:webform-settings", ADMIN),
    E("GET", "leads:rule-list", ADMIN),
    E("GET", "leads:rule-create", ADMIN),
    E("POST", "leads:rules-run", ADMIN),
    E("POST", "leads:rules-reorder", ADMIN),
    E("GET", "leads:rule-edit", ADMIN),
    E("POST", "leads:rule-move", ADMIN),
    E("POST", "leads:rule-active", ADMIN),
    E("POST", "leads:rule-delete", ADMIN),
    E("GET", "leads:lead-detail", record(L)),
    E("GET", "leads:lead-edit", record(L, "edit")),
    E("GET", "leads:lead-delete", record(L, "delete")),
    E("POST", "leads:lead-claim", record(L, "edit")),
    E("POST", "leads:lead-release", record(L, "edit")),
    E("POST", "leads:lead-disqualify", record(L, "edit")),
    E("GET", "leads:lead-convert", record(L, "edit")),
    E("POST", "leads:activity-create", record(L, "edit")),
    # sales
    E("GET", "sales:opportunity-list", grant(OP, "view")),
    E("GET", "sales:board", grant(OP, "view")),
    E("GET", "sales:board-pipeline", grant(OP, "view")),
    E("GET", "sales:board-column", grant(OP, "view")),
    E("GET", "sales:lost-reason-options", grant(OP, "view")),
    E("GET", "sales:opportunity-create", grant(OP, "create")),
    E("GET", "sales:customer-options", MEMBER),
    E("GET", "sales:contact-options", MEMBER),
    E("GET", "sales:pipeline-settings", ADMIN),
    E("POST", "sales:pipeline-create", ADMIN),
    E("GET", "sales:pipeline-edit", ADMIN),
    E("POST", "sales:stage-create", ADMIN),
    E("POST", "sales:stage-reorder", ADMIN),
    E("POST", "sales:stage-update", ADMIN),
    E("POST", "sales:stage-delete", ADMIN),
    E("POST", "sales:lost-reason-create", ADMIN),
    E("POST", "sales:lost-reason-update", ADMIN),
    E("GET", "sales:line-edit", record(OP, "edit")),
    E("POST", "sales:line-delete", record(OP, "edit")),
    E("GET", "sales:opportunity-detail", record(OP)),
    E("GET", "sales:opportunity-edit", record(OP, "edit")),
    E("GET", "sales:opportunity-delete", record(OP, "delete")),
    E("POST", "sales:opportunity-move", record(OP, "edit"), lambda rows: {
        "stage": rows["opportunity_id"].stage_id, "version": rows["opportunity_id"].version}),
    E("POST", "sales:opportunity-stage", record(OP, "edit"), lambda rows: {
        "stage": rows["opportunity_id"].stage_id, "version": rows["opportunity_id"].version}),
    E("POST", "sales:opportunity-win", record(OP, "edit")),
    E("POST", "sales:opportunity-lose", record(OP, "edit")),
    E("POST", "sales:opportunity-reopen", record(OP, "edit")),
    E("POST", "sales:line-create", record(OP, "edit")),
    # catalog
    E("GET", "catalog:product-list", MEMBER),
    E("GET", "catalog:product-create", grant(P, "create")),
    E("GET", "catalog:category-list", MEMBER),
    E("POST", "catalog:category-delete", row(P, "edit")),
    E("GET", "catalog:pricebook-list", MEMBER),
    E("GET", "catalog:pricebook-detail", row(P)),
    E("POST", "catalog:pricebook-delete", row(P, "edit")),
    E("GET", "catalog:product-detail", row(P)),
    E("GET", "catalog:product-edit", row(P, "edit")),
    E("POST", "catalog:product-delete", row(P, "delete")),
    # quotes
    E("GET", "quotes:quote-list", MEMBER),
    E("GET", "quotes:quote-create", grant(Q, "create")),
    E("GET", "quotes:quote-settings", ADMIN),
    E("GET", "quotes:quote-detail", record(Q)),
    E("GET", "quotes:quote-edit", record(Q, "edit")),
    E("POST", "quotes:quote-delete", record(Q, "delete")),
    E("GET", "quotes:quote-print", record(Q)),
    E("GET", "quotes:quote-pdf", record(Q)),
    E("POST", "quotes:line-add", record(Q, "edit")),
    E("GET", "quotes:line-edit", record(Q, "edit"), params={"line_id": "quote_line_id"}),
    E("POST", "quotes:line-delete", record(Q, "edit"), params={"line_id": "quote_line_id"}),
    E("POST", "quotes:quote-action", record(Q, "edit"), params={"action": "=submit"}),
    # orders
    E("GET", "orders:order-list", grant(R, "view")),
    E("GET", "orders:order-create", grant(R, "create")),
    E("GET", "orders:overdue-list", grant(R, "view")),
    E("POST", "orders:instalment-delete", record(R, "edit")),
    E("POST", "orders:payment-delete", record(R, "edit")),
    E("POST", "orders:invoice-delete", record(R, "edit")),
    E("GET", "orders:attachment", record(R), params={"attachment_id": "order_attachment_id"}),
    E("POST", "orders:attachment-delete", record(R, "edit"),
      params={"attachment_id": "order_attachment_id"}),
    E("GET", "orders:order-detail", record(R)),
    E("GET", "orders:order-edit", record(R, "edit")),
    E("POST", "orders:order-status", record(R, "edit")),
    E("POST", "orders:order-delete", record(R, "delete")),
    E("GET", "orders:order-money", record(R)),
    E("POST", "orders:instalment-create", record(R, "edit")),
    E("POST", "orders:instalment-split", record(R, "edit")),
    E("POST", "orders:payment-create", record(R, "edit")),
    E("POST", "orders:invoice-create", record(R, "edit")),
    E("POST", "orders:attachment-upload", record(R, "edit")),
    # targets and tasks
    E("GET", "targets:target-page", grant(G, "view")),
    E("POST", "targets:target-set", grant(G, "edit")),
    E("GET", "targets:team-targets", grant(G, "edit")),
    E("POST", "targets:target-delete", record(G, "delete")),
    E("GET", "tasks:my-day", MEMBER),
    E("POST", "tasks:task-quick-add", grant(T, "create"),
      {"title": "回电话", "due_on": TODAY, "kind": "call"}),
    E("GET", "tasks:calendar", MEMBER),
    E("POST", "tasks:task-done", record(T, "edit")),
    # the shell and settings
    E("GET", "web:home", MEMBER),
    E("GET", "web:search", MEMBER),
    E("GET", "web:notifications", MEMBER),
    E("POST", "web:notifications-read", MEMBER),
    E("POST", "web:notification-open", PERSONAL, params={"pk": "notification_id"}),
    E("GET", "web:settings", MEMBER),
    E("GET", "web:settings-members", ADMIN),
    E("GET", "web:settings-member-invite", ADMIN),
    E("GET", "web:settings-member-edit", ADMIN, params={"pk": "membership_id"}),
    E("POST", "web:settings-member-active", ADMIN, params={"pk": "membership_id"}),
    E("GET", "web:settings-teams", ADMIN),
    E("GET", "web:settings-team-create", ADMIN),
    E("GET", "web:settings-team-edit", ADMIN, params={"pk": "team_id"}),
    E("POST", "web:settings-team-delete", ADMIN, params={"pk": "team_id"}),
    E("GET", "web:settings-roles", ADMIN),
    E("GET", "web:settings-role-create", ADMIN),
    E("GET", "web:settings-role-edit", ADMIN, params={"pk": "role_id"}),
    E("GET", "web:settings-fields", ADMIN),
    E("GET", "web:settings-field-create", ADMIN),
    E("GET", "web:settings-field-edit", ADMIN, params={"pk": "definition_id"}),
    E("POST", "web:settings-field-active", ADMIN, params={"pk": "definition_id"}),
    E("GET", "web:settings-tokens", MEMBER),
    E("POST", "web:settings-token-revoke", PERSONAL, params={"pk": "token_id"}),
    E("GET", "web:settings-audit", ADMIN),
    # analytics and personal-data requests
    E("GET", "analytics:funnel", grant(OP, "view")),
    E("GET", "analytics:forecast", grant(OP, "view")),
    E("GET", "analytics:customer-new", grant(C, "view")),
    E("GET", "analytics:customer-drill", grant(C, "view")),
    E("GET", "analytics:customer-rfm", grant(C, "view")),
    E("GET", "analytics:customer-repurchase", grant(C, "view")),
    E("GET", "analytics:customer-churn", grant(C, "view")),
    # reports
    E("GET", "reports:report-list", grant(RP, "view")),
    E("GET", "reports:report-create", grant(RP, "create")),
    E("POST", "reports:report-preview", grant(RP, "view"),
      {"definition": json.dumps(REPORT_DEFINITION)}),
    E("GET", "reports:adhoc-rows", grant(RP, "view"),
      {"d": json.dumps(REPORT_DEFINITION)}),
    E("GET", "reports:report-detail", report()),
    E("GET", "reports:report-edit", report("edit")),
    E("POST", "reports:report-delete", report("delete")),
    E("POST", "reports:report-share", report("edit")),
    E("POST", "reports:report-pin", report()),
    E("GET", "reports:report-rows", report()),
    E("GET", "reports:report-export", report(), params={"fmt": "=csv"}),
    E("GET", "customers:privacy", ADMIN),
    E("POST", "customers:privacy-erase", ADMIN),
    E("GET", "customers:privacy-export", ADMIN),
]

# URL patterns that are not a member's view of organization data, and why.
NOT_IN_MATRIX = {
    "healthz": "load balancer health check: no session, no data",
    "set_language": "Django's language switch: a cookie, no data",
    "javascript-catalog": "Django's JS translations: static strings",
    "web:login": "the sign-in page itself",
    "web:logout": "signing out acts on the caller's own session",
    "web:coming": "placeholder pages for modules not built yet",
    "leads:public-form": "the public web-to-lead form: acts for nobody (architecture.md)",
}
