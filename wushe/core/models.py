"""Base model, the append-only action log and background jobs."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class ActionLog(models.Model):
    """One line of audit history: who did what to which object, and in which area.

    ``area_path`` copies the scope path of the object at the time, so the log can be scoped
    like everything else without core knowing any domain model. Rows are never updated, but
    for the path, which a move or merge of areas rewrites so that scoping follows the area.
    """

    action = models.CharField(_("action"), max_length=100)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    area_path = models.CharField(_("area path"), max_length=255, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    scope_path_field = "area_path"

    class Meta:
        verbose_name = _("action log entry")
        verbose_name_plural = _("action log")
        ordering = ["-created_at", "-id"]
        # One index per column, as the queries use it (db_index=True on a CharField would
        # add a LIKE twin on PostgreSQL to each, and every change of every app writes a row):
        # the action by equality and in order (the admin's filter), the area path only by
        # prefix (scoping, the re-path of a move or merge).
        indexes = [
            models.Index(fields=["action"], name="core_actionlog_action"),
            models.Index(
                fields=["area_path"],
                name="core_actionlog_area_path_like",
                opclasses=["varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"


class Job(TimeStampedModel):
    """A background job (an import, later a dispatch round) and its progress and result."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=50)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    area_path = models.CharField(_("area path"), max_length=255, blank=True, db_index=True)
    upload = models.FileField(_("file"), upload_to="jobs/%Y/%m/", blank=True)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    progress_done = models.PositiveIntegerField(_("rows done"), default=0)
    progress_total = models.PositiveIntegerField(_("rows in all"), null=True, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    scope_path_field = "area_path"
    scope_owner_field = "created_by"

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"


class AccessLog(models.Model):
    """One reveal of a protected value: who saw which field of whose record, when and why.

    Written only by ``wushe.core.privacy.reveal`` and ``log_access`` (a search by a whole
    number); append-only (an existing row cannot be saved again or deleted one by one).
    ``area_path`` is the record's scope path, so supervisors read the entries of their area
    through ``scoped()`` (a move or merge of areas rewrites it, as for the action log);
    ``actor_scope_path`` is the actor's own at the time, kept as it was.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_role = models.CharField(_("role"), max_length=30, blank=True)
    actor_scope_path = models.CharField(_("their area path"), max_length=255, blank=True)
    object_type = models.CharField(_("record type"), max_length=100)
    object_id = models.CharField(_("record id"), max_length=64)
    field = models.CharField(_("field"), max_length=100)
    reason = models.TextField(_("reason"))
    area_path = models.CharField(_("area path"), max_length=255, blank=True, db_index=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    scope_path_field = "area_path"

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="core_access_record")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.object_type}#{self.object_id}.{self.field}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("The access log is append-only: an entry cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("The access log is append-only: an entry cannot be deleted.")
