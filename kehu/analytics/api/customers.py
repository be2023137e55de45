"""Customer analytics endpoints."""

from ninja import Router

router = Router(tags=["analytics"])
