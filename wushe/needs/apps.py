from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NeedsConfig(AppConfig):
    name = "wushe.needs"
    label = "needs"
    verbose_name = _("Needs")

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_save

        from wushe.core.navigation import NavItem, register_home_panel, register_nav
        from wushe.needs import panels, receivers
        from wushe.residents.signals import resident_tags_changed
        from wushe.volunteers.models import VolunteerProfile

        resident_tags_changed.connect(
            receivers.rerank_on_tags_changed, dispatch_uid="needs.rerank_on_tags_changed"
        )
        post_save.connect(
            receivers.withdraw_on_user_saved,
            sender=get_user_model(),
            dispatch_uid="needs.withdraw_on_user_saved",
        )
        post_save.connect(
            receivers.withdraw_on_profile_saved,
            sender=VolunteerProfile,
            dispatch_uid="needs.withdraw_on_profile_saved",
        )

        register_nav(NavItem("needs:queue", _("Requests"), "needs.view", order=40))
        register_nav(NavItem("needs:intake", _("Take in a request"), "needs.intake", order=41))
        register_nav(NavItem("needs:my_tasks", _("My tasks"), "needs.task_work", order=42))
        register_home_panel(panels.NEEDS_SUMMARY)
        register_home_panel(panels.MY_TASKS)
