from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "entekhab.hq.accounts"
    label = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self) -> None:
        from entekhab.hq.accounts.roles import sync_roles_after_migrate
        from entekhab.hq.accounts.scope import register_rules

        post_migrate.connect(sync_roles_after_migrate, sender=self)
        register_rules()
