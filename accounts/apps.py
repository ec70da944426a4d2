from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and responsibility")

    def ready(self):
        from accounts import audit
        from accounts.roles import sync_role_groups
        from hunan_safety.middleware import IdleSessionMiddleware

        # After every migrate, so that permissions of models added later reach their roles.
        post_migrate.connect(sync_role_groups, dispatch_uid="accounts.sync_role_groups")
        # A new session starts its idle clock at sign-in, in the write that sign-in makes anyway.
        user_logged_in.connect(IdleSessionMiddleware.signed_in, dispatch_uid="accounts.idle_session_start")
        audit.connect()
