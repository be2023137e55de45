"""The REST API: one NinjaAPI under /api/v1/ that mounts each app's router."""

from kehu.analytics.api import router as analytics_router
from kehu.catalog.api import router as catalog_router
from kehu.core.accounts.api import router as accounts_router
from kehu.core.audit.api import router as audit_router
from kehu.core.common.api import KehuAPI, SessionAuth, TokenAuth, register_error_handlers
from kehu.core.customfields.api import router as customfields_router
from kehu.core.notifications.api import router as notifications_router
from kehu.customers.api import customer_routers, root_routers
from kehu.leads.api import router as leads_router
from kehu.orders.api import router as orders_router
from kehu.quotes.api import router as quotes_router
from kehu.reports.api import router as reports_router
from kehu.sales.api import router as sales_router
from kehu.targets.api import router as targets_router
from kehu.tasks.api import router as tasks_router

api = KehuAPI(
    title="Kehu CRM API",
    version="1",
    description="Authenticate with `Authorization: Bearer <token>` (create one under "
                "Settings → API tokens or with `kehu token EMAIL`). Errors always look like "
                '`{"error": {"code": ..., "message": ..., "fields": {...}}}`. Updates need the '
                "record's `version` (or an `If-Match` header); a stale one gets 409.",
    auth=[TokenAuth(), SessionAuth(csrf=True)],
    urls_namespace="api",
)
register_error_handlers(api)

api.add_router("/", accounts_router)
api.add_router("/custom-fields", customfields_router)
api.add_router("/audit", audit_router)
api.add_router("/notifications", notifications_router)
for router in customer_routers:
    api.add_router("/customers", router)
for router in root_routers:
    api.add_router("/", router)
api.add_router("/tasks", tasks_router)
api.add_router("/leads", leads_router)
api.add_router("/sales", sales_router)
api.add_router("/catalog", catalog_router)
api.add_router("/quotes", quotes_router)
api.add_router("/orders", orders_router)
api.add_router("/targets", targets_router)
api.add_router("/analytics", analytics_router)
api.add_router("/reports", reports_router)
