from django.apps import AppConfig


class CustomFieldsConfig(AppConfig):
    name = "kehu.core.customfields"
    label = "customfields"
    verbose_name = "Custom fields"
