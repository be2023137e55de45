"""Sales analytics pages: dashboards, funnel, forecast, targets vs actual."""

urlpatterns: list = []
