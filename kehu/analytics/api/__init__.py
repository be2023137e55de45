"""The analytics API (/api/v1/analytics/): every dashboard figure, read-only."""

from ninja import Router

from kehu.analytics.api.customers import router as customers_router
from kehu.analytics.api.sales import router as sales_router

router = Router(tags=["analytics"])
router.add_router("/", sales_router)
router.add_router("/customers", customers_router)
