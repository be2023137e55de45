from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """The report builder: saved report definitions, run for each viewer through the
    central scoping, so a shared report shows every viewer only the rows they may see."""

    name = "kehu.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from kehu.core.permissions import registry

        # "sales": reps build and edit their own reports, managers get every action, the
        # read-only roles may view (run) them.
        registry.register("reports.report", _("Reports"), module="sales")
