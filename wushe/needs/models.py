"""Requests for help (``Need``), the tasks that answer them, each volunteer's part, the
status history, per-street triage weights and stored idempotency keys.

The model is called ``Need`` (not ``Request``) so it never shadows an HTTP request in views.
Caller name, phone and address are protected fields (docs/privacy.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wushe.areas.models import Area
from wushe.core.models import TimeStampedModel
from wushe.core.privacy import (
    BlindIndexField,
    EncryptedJSONField,
    EncryptedTextField,
    ProtectedFieldsMixin,
)


class Category(models.TextChoices):
    MEDICINE = "medicine", _("medicine pickup")
    GROCERIES = "groceries", _("groceries and supplies")
    ESCORT = "escort", _("escort or transport to hospital")
    PSYCHOLOGICAL = "psychological", _("psychological support")
    ANTIGEN = "antigen", _("antigen kits")
    DOOR_SENSOR = "door_sensor", _("door sensor")
    HERBAL = "herbal", _("herbal-medicine pack")
    SAMPLING = "sampling", _("door-to-door sampling")
    OTHER = "other", _("other")


class Channel(models.TextChoices):
    WALK_IN = "walk_in", _("walk-in")
    PHONE = "phone", _("phone")
    WECHAT = "wechat", _("WeChat group")
    WEB_FORM = "web_form", _("resident web form")
    VOLUNTEER = "volunteer", _("volunteer report")
    HOTLINE = "hotline", _("hotline work order")


class Status(models.TextChoices):
    NEW = "new", _("new")
    TRIAGED = "triaged", _("triaged")
    ASSIGNED = "assigned", _("assigned")
    ACCEPTED = "accepted", _("accepted")
    IN_PROGRESS = "in_progress", _("in progress")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")
    CANCELLED = "cancelled", _("cancelled")


OPEN_STATUSES = (
    Status.NEW,
    Status.TRIAGED,
    Status.ASSIGNED,
    Status.ACCEPTED,
    Status.IN_PROGRESS,
)
CLOSED_STATUSES = (Status.DONE, Status.FAILED, Status.CANCELLED)


class Outcome(models.TextChoices):
    FULFILLED = "fulfilled", _("fulfilled")
    NOT_POSSIBLE = "not_possible", _("could not be done")
    NOT_NEEDED = "not_needed", _("no longer needed")
    DUPLICATE = "duplicate", _("duplicate")


class Need(ProtectedFieldsMixin, TimeStampedModel):
    """One request for help. ``area`` is the building (or the community when the address is
    not yet known); scoping follows it."""

    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="needs"
    )
    resident = models.ForeignKey(
        "residents.Resident",
        verbose_name=_("resident"),
        on_delete=models.PROTECT,
        related_name="needs",
        null=True,
        blank=True,
        db_index=False,  # needs_need_resident_category leads with it
    )
    caller_name = EncryptedTextField(_("caller's name"), kind="text", null=True, blank=True)
    caller_phone = EncryptedTextField(_("caller's phone"), kind="phone", null=True, blank=True)
    caller_phone_index = BlindIndexField(source="caller_phone", db_index=False)
    address = EncryptedTextField(_("address"), kind="address", null=True, blank=True)

    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    description = models.TextField(_("description"), blank=True)
    # Facts that bear on urgency.
    days_medicine_left = models.PositiveSmallIntegerField(
        _("days of medicine left"), null=True, blank=True
    )
    days_food_left = models.PositiveSmallIntegerField(_("days of food left"), null=True, blank=True)
    medical_emergency = models.BooleanField(_("medical emergency"), default=False)
    critical_condition = models.BooleanField(_("medicine for a critical condition"), default=False)
    treatment_at = models.DateTimeField(_("treatment appointment"), null=True, blank=True)
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)

    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    taken_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("taken in by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    tracking_code = models.CharField(_("tracking code"), max_length=12)
    hotline_order_no = models.CharField(_("hotline work-order number"), max_length=40, blank=True)
    last_verified_at = models.DateTimeField(_("last verified at"), null=True, blank=True)

    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    outcome_note = models.CharField(_("outcome note"), max_length=500, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_from",
    )

    priority = models.IntegerField(_("priority"), default=0, db_index=True)
    priority_breakdown = models.JSONField(_("priority breakdown"), default=dict, blank=True)
    sla_due_at = models.DateTimeField(_("due by (SLA)"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)

    # Scoped by area alone: intake is only allowed in the actor's area, so whoever took a
    # request in saw it through their area; after a move to another area they no longer do.
    scope_path_field = "area__path"
    privacy_kinds = {"caller_name": "name"}

    class Meta:
        verbose_name = _("request")
        verbose_name_plural = _("requests")
        ordering = ["-escalated_at", "-priority", "created_at"]
        indexes = [
            # Also every filter on status alone (status = / IN …): no index of its own.
            models.Index(fields=["status", "-priority"], name="needs_need_queue"),
            # The merge candidates every intake lists: the latest few (ORDER BY id DESC
            # LIMIT 5) of the same caller (or resident) and category. With one column only,
            # and statistics behind a surge, PostgreSQL also read the area's index, whose
            # entries grow with the table; with the id, the index gives the latest in order
            # and the scan stops after five (no sort of a frequent caller's every request).
            # The resident's index also serves the foreign key.
            models.Index(
                fields=["caller_phone_index", "category", "id"], name="needs_need_phone_category"
            ),
            models.Index(
                fields=["resident", "category", "id"], name="needs_need_resident_category"
            ),
        ]
        constraints = [
            # A constraint, not unique=True: the field's unique would add a LIKE twin index on
            # PostgreSQL that no lookup uses (the code is only ever looked up whole).
            models.UniqueConstraint(fields=["tracking_code"], name="needs_need_tracking_code_once"),
            models.UniqueConstraint(
                fields=["hotline_order_no"],
                condition=~models.Q(hotline_order_no=""),
                name="needs_need_hotline_order_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tracking_code} {self.get_category_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def contact_address(self) -> str:
        """The address given, else the registered resident's household (for present())."""
        if self.address:
            return self.address
        household = self.resident.household if self.resident is not None else None
        return household.address if household is not None else ""

    @property
    def contact_phone(self) -> str:
        if self.caller_phone:
            return self.caller_phone
        return (self.resident.phone or "") if self.resident is not None else ""

    @property
    def contact_name(self) -> str:
        if self.resident is not None:
            return self.resident.name
        return self.caller_name or ""


class Attachment(TimeStampedModel):
    """A file that belongs to a request (a photo of a prescription) or to a task's report.

    Stored under MEDIA_ROOT/private/, which no URL serves: pages stream it after a scope check.
    """

    need = models.ForeignKey(
        Need, verbose_name=_("request"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to="private/needs/%Y/%m/")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope_path_field = "need__area__path"

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")


class Task(TimeStampedModel):
    """One piece of work for one helper; an escort needs a driver and a companion."""

    class TaskStatus(models.TextChoices):
        OPEN = "open", _("open (anyone may take it)")
        OFFERED = "offered", _("offered")
        ACCEPTED = "accepted", _("accepted")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")

    need = models.ForeignKey(
        Need, verbose_name=_("request"), on_delete=models.CASCADE, related_name="tasks"
    )
    role = models.CharField(_("role"), max_length=20, blank=True)  # a volunteers.Skill or ""
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=TaskStatus.choices,
        default=TaskStatus.OPEN,
        db_index=True,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("volunteer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="need_tasks",
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    photo = models.FileField(_("photo"), upload_to="private/tasks/%Y/%m/", blank=True)

    scope_path_field = "need__area__path"
    scope_assignee_field = "assignee"

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["need_id", "id"]

    def __str__(self) -> str:
        return f"{self.need_id}/{self.pk} {self.role}"

    @property
    def is_active(self) -> bool:
        return self.status in (
            self.TaskStatus.OFFERED,
            self.TaskStatus.ACCEPTED,
            self.TaskStatus.IN_PROGRESS,
        )


class TaskAssignment(TimeStampedModel):
    """One volunteer's part in a task: offered, accepted, declined or removed."""

    class State(models.TextChoices):
        OFFERED = "offered", _("offered")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        REMOVED = "removed", _("removed")

    task = models.ForeignKey(
        Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="assignments"
    )
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("volunteer"),
        on_delete=models.PROTECT,
        related_name="task_assignments",
    )
    state = models.CharField(_("state"), max_length=20, choices=State.choices)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    # A decline by lapse: the offer went unanswered too long (a late accept is told so).
    lapsed = models.BooleanField(_("lapsed"), default=False)
    # The dispatch round whose routes made this offer (its id; the needs app does not
    # depend on dispatch); none for a dispatcher's own offer. Only round offers lapse.
    from_round = models.PositiveBigIntegerField(_("from dispatch round"), null=True, blank=True)

    scope_path_field = "task__need__area__path"
    scope_assignee_field = "volunteer"

    class Meta:
        verbose_name = _("task assignment")
        verbose_name_plural = _("task assignments")
        constraints = [
            # One row per volunteer and task: a decline stays, so it is never asked again.
            models.UniqueConstraint(fields=["task", "volunteer"], name="needs_assignment_once")
        ]


EVENT_LABELS = {
    "created": _("taken in"),
    "triaged": _("ranked"),
    "facts_changed": _("facts changed, re-ranked"),
    "reranked": _("re-ranked: the resident's key-population tags changed"),
    "verified": _("confirmed by phone"),
    "resident_linked": _("linked to a registered resident"),
    "merged": _("a duplicate request was merged into this one"),
    "escalated": _("overdue"),
    "closed": _("closed"),
    "reopened": _("reopened"),
    "followed_tasks": _("status follows its tasks"),
    "task_created": _("task created"),
    "task_offered": _("task offered"),
    "task_claimed": _("task taken"),
    "task_accepted": _("task accepted"),
    "task_declined": _("task declined"),
    "task_removed": _("volunteer removed from the task"),
    "task_returned": _("back to the dispatcher's queue"),
    "task_started": _("task started"),
    "task_done": _("task done"),
    "task_failed": _("task failed"),
    "task_closed": _("task closed"),
}


class NeedEvent(models.Model):
    """One transition of a request or one of its tasks: who, when, from, to, why. Append-only."""

    need = models.ForeignKey(
        Need, verbose_name=_("request"), on_delete=models.CASCADE, related_name="events"
    )
    task = models.ForeignKey(
        Task, verbose_name=_("task"), on_delete=models.CASCADE, null=True, blank=True
    )
    action = models.CharField(_("action"), max_length=40)
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    at = models.DateTimeField(_("at"))

    scope_path_field = "need__area__path"

    class Meta:
        verbose_name = _("request history entry")
        verbose_name_plural = _("request history")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.need_id} {self.action}"

    @property
    def action_label(self) -> str:
        return str(EVENT_LABELS.get(self.action, self.action))

    def _status_label(self, value: str) -> str:
        choices = Task.TaskStatus if self.task_id else Status
        return str(dict(choices.choices).get(value, value)) if value else ""

    @property
    def from_label(self) -> str:
        return self._status_label(self.from_status)

    @property
    def to_label(self) -> str:
        return self._status_label(self.to_status)


class TriageSettings(models.Model):
    """A street's triage weights and SLA hours (JSON, merged over ``triage.DEFAULT_WEIGHTS``)."""

    street = models.OneToOneField(
        Area,
        verbose_name=_("street"),
        on_delete=models.CASCADE,
        related_name="triage_settings",
        limit_choices_to={"level": "street"},
    )
    weights = models.JSONField(_("weights"), default=dict, blank=True)

    scope_path_field = "street__path"

    class Meta:
        verbose_name = _("triage settings")
        verbose_name_plural = _("triage settings")

    def __str__(self) -> str:
        return str(self.street)


class IdempotencyKey(models.Model):
    """A creating POST's key, per user: the body's hash and the answer given, to replay."""

    # No index of its own: needs_idempotency_key_once (user, key) leads with it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    key = models.CharField(max_length=255)
    scope = models.CharField(max_length=100)  # which endpoint
    body_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = EncryptedJSONField(null=True, blank=True)  # the answer holds the caller
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="needs_idempotency_key_once")
        ]

    def __str__(self) -> str:
        return self.key
