from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "wushe.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from wushe.core.navigation import NavItem, register_nav
        from wushe.core.precompiled import let_psycopg_keep_long_statements
        from wushe.core.privacy.policy import ACCESS_LOG_PERMISSION

        let_psycopg_keep_long_statements()
        register_nav(
            NavItem("privacy:access_log", _("Access log"), ACCESS_LOG_PERMISSION, order=90)
        )
