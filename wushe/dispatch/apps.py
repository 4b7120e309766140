from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DispatchConfig(AppConfig):
    name = "wushe.dispatch"
    label = "dispatch"
    verbose_name = _("Dispatch")

    def ready(self) -> None:
        from django.urls import reverse

        from wushe.core.jobs import register_job_page
        from wushe.core.navigation import NavItem, register_nav
        from wushe.dispatch import receivers
        from wushe.needs.signals import offer_declined

        offer_declined.connect(
            receivers.redispatch_on_decline, dispatch_uid="dispatch.redispatch_on_decline"
        )

        register_job_page(
            "dispatch.round",
            lambda job: reverse("dispatch:round", args=[job.params["round"]])
            if job.params.get("round")
            else None,
            permission="dispatch.view",
            on_stalled=receivers.fail_round_of_stalled_job,
        )
        register_nav(NavItem("dispatch:rounds", _("Dispatch rounds"), "dispatch.view", order=45))
        register_nav(NavItem("dispatch:my_route", _("My route"), "needs.task_work", order=43))
