from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    name = "kehu.tasks"
    label = "tasks"
    verbose_name = _("Tasks")

    def ready(self) -> None:
        from kehu.core.permissions import registry
        from kehu.customers import relations

        registry.register("tasks.task", _("Tasks"), module="sales")
        relations.register("tasks.Task", "customer", _("tasks"))
