from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "kehu.core.audit"
    label = "audit"
    verbose_name = "Audit"
