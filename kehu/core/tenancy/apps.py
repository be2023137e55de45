from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "kehu.core.tenancy"
    label = "tenancy"
    verbose_name = "Tenancy"
