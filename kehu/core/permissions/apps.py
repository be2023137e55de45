from django.apps import AppConfig


class PermissionsConfig(AppConfig):
    name = "kehu.core.permissions"
    label = "permissions"
    verbose_name = "Permissions"
