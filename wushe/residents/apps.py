from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResidentsConfig(AppConfig):
    name = "wushe.residents"
    label = "residents"
    verbose_name = _("Residents")

    def ready(self) -> None:
        from wushe.core.navigation import NavItem, register_home_panel, register_nav
        from wushe.residents import panels

        register_nav(NavItem("residents:list", _("Residents"), "residents.view", order=30))
        register_nav(
            NavItem("residents:import", _("Import canvass sheet"), "residents.import", order=31)
        )
        register_home_panel(panels.KEY_POPULATIONS)
