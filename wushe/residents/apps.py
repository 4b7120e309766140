from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResidentsConfig(AppConfig):
    name = "wushe.residents"
    label = "residents"
    verbose_name = _("Residents")

    def ready(self) -> None:
        from django.urls import reverse

        from wushe.core.jobs import register_job_page
        from wushe.core.navigation import NavItem, register_home_panel, register_nav
        from wushe.residents import panels
        from wushe.residents.tasks import JOB_KIND

        # An import's report names rows and people: it is read on the import page, which
        # needs the import permission, not on the generic job page that scope alone opens.
        register_job_page(
            JOB_KIND,
            lambda job: reverse("residents:import-result", args=[job.pk]),
            permission="residents.import",
        )

        register_nav(NavItem("residents:list", _("Residents"), "residents.view", order=30))
        register_nav(
            NavItem("residents:import", _("Import canvass sheet"), "residents.import", order=31)
        )
        register_home_panel(panels.KEY_POPULATIONS)
