"""Dispatch rounds: a snapshot of open tasks and volunteers on shift, the engine's proposal,
and what the dispatcher approved.

The proposed routes are not copied into rows: they are the round's ``solution`` document
(format ``wushe-dispatch-solution/1``), read together with the ``instance`` snapshot
(``wushe-dispatch/1``). Task ids there are ``t<Task.pk>``, volunteer ids ``v<User.pk>``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wushe.areas.models import Area
from wushe.core.models import Job, TimeStampedModel
from wushe.volunteers.models import TravelMode


class DispatchRound(TimeStampedModel):
    class Status(models.TextChoices):
        SOLVING = "solving", _("solving")
        PROPOSED = "proposed", _("proposed")
        APPROVED = "approved", _("approved")
        FAILED = "failed", _("failed")
        DISCARDED = "discarded", _("discarded")

    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="dispatch_rounds"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SOLVING
    )
    time_limit_s = models.PositiveSmallIntegerField(_("time limit (seconds)"), default=5)
    auto_approve = models.BooleanField(_("approve as soon as proposed"), default=False)
    instance = models.JSONField(_("instance snapshot"), default=dict, blank=True)
    report = models.JSONField(_("snapshot report"), default=dict, blank=True)
    solution = models.JSONField(_("solution"), null=True, blank=True)
    score_priority = models.IntegerField(_("priority served"), null=True, blank=True)
    score_assigned = models.IntegerField(_("tasks assigned"), null=True, blank=True)
    score_travel_s = models.IntegerField(_("travel time (seconds)"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    job = models.ForeignKey(
        Job, verbose_name=_("job"), on_delete=models.SET_NULL, null=True, blank=True
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approval = models.JSONField(_("approval report"), default=dict, blank=True)
    # Every change to the routes after the engine's proposal, oldest first: a dispatcher's
    # edit, a re-dispatch after a decline or a lapsed offer, an urgent task inserted.
    changes = models.JSONField(_("changes"), default=list, blank=True)

    scope_path_field = "area__path"
    scope_owner_field = "created_by"

    class Meta:
        verbose_name = _("dispatch round")
        verbose_name_plural = _("dispatch rounds")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.pk} {self.area} {self.status}"


class StreetTravel(TimeStampedModel):
    """A street's travel defaults for dispatch: how its volunteers get around unless their
    profile says otherwise, and how much longer than a straight line its streets make a
    trip (the detour factor). Without a row the settings' defaults apply."""

    area = models.OneToOneField(
        Area, verbose_name=_("street"), on_delete=models.CASCADE, related_name="dispatch_travel"
    )
    travel_mode = models.CharField(
        _("volunteers get around"), max_length=10, choices=TravelMode.choices
    )
    detour = models.DecimalField(_("detour factor"), max_digits=3, decimal_places=2)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    scope_path_field = "area__path"

    class Meta:
        verbose_name = _("street travel settings")
        verbose_name_plural = _("street travel settings")

    def __str__(self) -> str:
        return f"{self.area} {self.travel_mode} {self.detour}"
