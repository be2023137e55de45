from django.apps import AppConfig


class SavedViewsConfig(AppConfig):
    name = "kehu.core.savedviews"
    label = "savedviews"
    verbose_name = "Saved views"
