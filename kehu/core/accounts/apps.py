from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "kehu.core.accounts"
    label = "accounts"
    verbose_name = "Accounts"
