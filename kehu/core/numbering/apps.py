from django.apps import AppConfig


class NumberingConfig(AppConfig):
    name = "kehu.core.numbering"
    label = "numbering"
