from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "kehu.core.notifications"
    label = "notifications"
    verbose_name = "Notifications"
