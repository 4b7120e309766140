from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    name = "wushe.volunteers"
    label = "volunteers"
    verbose_name = _("Volunteers")

    def ready(self) -> None:
        from wushe.core.navigation import NavItem, register_nav

        register_nav(NavItem("volunteers:list", _("Volunteers"), "volunteers.view", order=44))
