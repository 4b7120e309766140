from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AreasConfig(AppConfig):
    name = "wushe.areas"
    label = "areas"
    verbose_name = _("Areas")

    def ready(self) -> None:
        from wushe.areas import panels
        from wushe.core.navigation import NavItem, register_home_panel, register_nav

        register_nav(NavItem("areas:list", _("Areas"), "areas.view", order=20))
        register_nav(NavItem("areas:import", _("Import areas"), "areas.import", order=21))
        register_home_panel(panels.AREA_SUMMARY)
