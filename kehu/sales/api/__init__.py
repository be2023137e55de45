"""/api/v1/sales: pipelines (and their stages and lost reasons), opportunities (with their
product lines, stage moves and history) and the board. Mounted by kehu/config/api.py."""

from ninja import Router

from kehu.sales.api import opportunities, pipelines

router = Router(tags=["sales"])
router.add_router("", pipelines.router)
router.add_router("", opportunities.router)

__all__ = ["router"]
