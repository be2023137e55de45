from django.apps import AppConfig
from django.db.models.signals import post_migrate, post_save, pre_migrate
from django.utils.translation import gettext_lazy as _


class BiConfig(AppConfig):
    name = "kehu.bi"
    label = "bi"
    verbose_name = _("BI access")

    def ready(self) -> None:
        from kehu.bi import hooks
        from kehu.core.customfields.models import FieldDefinition

        post_save.connect(hooks.field_definition_saved, sender=FieldDefinition,
                          dispatch_uid="kehu-bi-field-definition")
        pre_migrate.connect(hooks.before_migrate, sender=self, dispatch_uid="kehu-bi-pre")
        post_migrate.connect(hooks.after_migrate, sender=self, dispatch_uid="kehu-bi-post")
