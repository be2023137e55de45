from django.apps import AppConfig


class CustomFieldsConfig(AppConfig):
    name = "kehu.core.customfields"
    label = "customfields"
    verbose_name = "Custom fields"

    def ready(self) -> None:
        # connects the signals that invalidate the cached field definitions in every process
        from kehu.core.customfields import services  # noqa: F401
