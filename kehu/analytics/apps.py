from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    """Dashboards and metrics. Reads only: every figure comes from other apps' selectors or
    from queries that start from `scoping.visible`, so it respects the viewer's data scope."""

    name = "kehu.analytics"
    label = "analytics"
    verbose_name = _("Analytics")
