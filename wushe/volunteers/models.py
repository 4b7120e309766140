"""A volunteer's profile (what they can do, whether they are on shift, where they live) and
their shifts: one row per shift, who started and ended it, for the hours ledger.

The needs and dispatch capabilities need only this slice; the volunteers capability grows it
(vetting, hours ledger, certificates)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from wushe.areas.models import Area
from wushe.core.models import TimeStampedModel


class Skill(models.TextChoices):
    DRIVER = "driver", _("driver")
    MEDICAL = "medical", _("medical")
    COUNSELLOR = "counsellor", _("counsellor")
    COMPANION = "companion", _("companion")
    DELIVERY = "delivery", _("delivery")
    SAMPLING = "sampling", _("sampling")
    INSTALLER = "installer", _("installer (door sensors)")


class TravelMode(models.TextChoices):
    WALKING = "walking", _("on foot")
    CYCLING = "cycling", _("by bicycle or e-bike")
    DRIVING = "driving", _("by car")


class VolunteerProfile(TimeStampedModel):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="volunteer_profile",
    )
    skills = models.JSONField(_("skills"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    on_shift = models.BooleanField(_("on shift"), default=False)
    home_area = models.ForeignKey(
        Area,
        verbose_name=_("home area"),
        on_delete=models.PROTECT,
        related_name="volunteer_profiles",
    )
    # Blank: the street's default (dispatch settings); dispatch turns it into a speed.
    travel_mode = models.CharField(
        _("gets around"), max_length=10, choices=TravelMode.choices, blank=True
    )

    scope_path_field = "home_area__path"
    scope_owner_field = "user"

    class Meta:
        verbose_name = _("volunteer profile")
        verbose_name_plural = _("volunteer profiles")
        ordering = ["home_area__path", "user__username"]

    def __str__(self) -> str:
        return str(self.user)

    def skill_labels(self) -> list[str]:
        return [str(Skill(s).label) for s in self.skills if s in Skill.values]


class Shift(models.Model):
    """One shift of a volunteer: open (``ended_at`` empty) while they are on shift."""

    volunteer = models.ForeignKey(
        VolunteerProfile,
        verbose_name=_("volunteer"),
        on_delete=models.CASCADE,
        related_name="shifts",
    )
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ended by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    scope_path_field = "volunteer__home_area__path"

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["-started_at"]
        constraints = [
            # Two taps at once (or a worker and the volunteer) cannot open two shifts.
            models.UniqueConstraint(
                fields=["volunteer"],
                condition=Q(ended_at__isnull=True),
                name="volunteers_shift_one_open",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("started_at")),
                name="volunteers_shift_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["volunteer", "started_at"])]

    def __str__(self) -> str:
        return f"{self.volunteer} {self.started_at:%Y-%m-%d %H:%M}"
