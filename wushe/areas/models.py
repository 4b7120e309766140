"""The jurisdiction tree and the history of its boundary changes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wushe.areas.levels import Level
from wushe.core.models import TimeStampedModel


class Area(TimeStampedModel):
    """One node of the tree. ``path`` is the chain of codes from the root, e.g.
    ``/310115000000/310115004000/310115004001/``; scoping is a prefix match on it."""

    code = models.CharField(_("code"), max_length=19, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("path"), max_length=255, unique=True, editable=False)
    lon = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    # Optional outline (GeoJSON Polygon/MultiPolygon, lon/lat): drawn on route maps.
    geometry = models.JSONField(_("outline (GeoJSON)"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
    )

    scope_path_field = "path"

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["path"]
        indexes = [
            models.Index(fields=["level", "path"], name="areas_area_level_path"),
            # Prefix (LIKE 'x%') scans on PostgreSQL need the pattern operator class.
            models.Index(
                fields=["path"], name="areas_area_path_like", opclasses=["varchar_pattern_ops"]
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(lon__isnull=True) & models.Q(lat__isnull=True))
                | (models.Q(lon__isnull=False) & models.Q(lat__isnull=False)),
                name="areas_area_lon_lat_together",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def depth(self) -> int:
        return self.path.count("/") - 1


class AreaChange(models.Model):
    """A boundary change, kept forever: a move to another parent, or a merge."""

    class Kind(models.TextChoices):
        MOVED = "moved", _("moved")
        MERGED = "merged", _("merged")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="changes"
    )
    from_parent = models.ForeignKey(
        Area, verbose_name=_("from"), on_delete=models.PROTECT, related_name="+", null=True
    )
    to_parent = models.ForeignKey(
        Area, verbose_name=_("to"), on_delete=models.PROTECT, related_name="+", null=True
    )
    merged_into = models.ForeignKey(
        Area, verbose_name=_("merged into"), on_delete=models.PROTECT, related_name="+", null=True
    )
    old_path = models.CharField(_("old path"), max_length=255)
    new_path = models.CharField(_("new path"), max_length=255)
    moved_descendants = models.PositiveIntegerField(_("areas carried along"), default=0)
    reason = models.CharField(_("reason"), max_length=255)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    scope_path_field = "area__path"

    class Meta:
        verbose_name = _("boundary change")
        verbose_name_plural = _("boundary changes")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.area.code}"
