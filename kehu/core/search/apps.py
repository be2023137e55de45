from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "kehu.core.search"
    label = "search"
    verbose_name = "Search"
