"""Needs API: thin views — validate, call a service, serialize. Creating POSTs honour the
``Idempotency-Key`` header (see ``idempotency``)."""

from __future__ import annotations

import datetime
import functools
from typing import Any

from django.contrib.auth import get_user_model
from django.utils.functional import cached_property
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from wushe.areas.models import Area
from wushe.core.client_ip import client_ip
from wushe.core.errors import NotFoundError
from wushe.core.permissions import user_may
from wushe.core.precompiled import PendingInserts
from wushe.core.privacy import PrivacyContext, present
from wushe.core.privacy.presenting import present_or_none
from wushe.core.privacy.serializers import MaskedField
from wushe.core.scoping import get_scoped
from wushe.core.serializers import FieldsOnce
from wushe.core.uploads import max_size
from wushe.needs import errors, selectors, services, triage
from wushe.needs.idempotency import idempotency_header_parameter, idempotent
from wushe.needs.models import Category, Channel, Need, Outcome, Status, Task, TaskAssignment
from wushe.needs.public_status import (
    public_rate_allows,
    public_rate_count,
    resident_status_text,
)
from wushe.residents.selectors import resident_get_for, sees_tag_details

IDEMPOTENCY = idempotency_header_parameter()


def _request_text(context: dict[str, Any], obj: Any, field: str) -> str | None:
    """A request's free text as the serializer's actor may read it (``None``: hidden). A
    task's text belongs to its assignee's work: a volunteer reads their own task's whole."""
    actor: Any = getattr(context.get("request"), "user", None)
    privacy = context.get("privacy_context")
    if privacy is None and isinstance(obj, Task):
        own = getattr(actor, "pk", None) is not None and obj.assignee_id == actor.pk
        privacy = PrivacyContext(assigned_active=own)
    return selectors.request_text(actor, obj, field, context=privacy)


@extend_schema_field({"type": "string", "nullable": True})  # null = hidden for this role
class RequestText(serializers.Field):
    """Free text of a request, a task or a history entry (an address or a phone is often in
    it): shown like the request's address, through ``selectors.request_text``."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def get_attribute(self, instance: Any) -> Any:
        return instance  # the policy needs the whole object, not just the value

    def to_representation(self, instance: Any) -> str | None:
        return _request_text(self.context, instance, str(self.source))


class TaskBrief(serializers.ModelSerializer):
    status = serializers.CharField(help_text="open, offered, accepted, in_progress, done, …")
    assignee = serializers.CharField(source="assignee.username", allow_null=True, default=None)
    note = RequestText()
    reason = RequestText()

    class Meta:
        model = Task
        fields = ["id", "role", "status", "assignee", "note", "reason"]


class NeedOutput(serializers.Serializer):
    """A request as the API shows it. The declared fields are the contract (and the OpenAPI
    schema); ``to_representation`` produces the same dict without building bound copies of
    them on every answer (DRF deep-copies ~30 fields per serializer instance), which was the
    largest CPU cost of an intake POST. ``tests/needs`` checks it against DRF's generic output
    field by field, in order."""

    id = serializers.IntegerField()
    tracking_code = serializers.CharField()
    area = serializers.CharField(source="area.code")
    resident = serializers.IntegerField(source="resident_id", allow_null=True)
    caller_name = MaskedField()
    caller_phone = MaskedField()
    address = MaskedField()
    category = serializers.ChoiceField(choices=Category.choices)
    channel = serializers.ChoiceField(choices=Channel.choices)
    description = RequestText()
    days_medicine_left = serializers.IntegerField(allow_null=True)
    days_food_left = serializers.IntegerField(allow_null=True)
    medical_emergency = serializers.BooleanField()
    critical_condition = serializers.BooleanField()
    treatment_at = serializers.DateTimeField(allow_null=True)
    deadline = serializers.DateTimeField(allow_null=True)
    status = serializers.ChoiceField(choices=Status.choices)
    outcome = serializers.CharField()
    outcome_note = RequestText()
    priority = serializers.IntegerField()
    life_critical = serializers.SerializerMethodField()
    explanation = serializers.SerializerMethodField()
    escalated = serializers.SerializerMethodField()
    sla_due_at = serializers.DateTimeField(allow_null=True)
    last_verified_at = serializers.DateTimeField(allow_null=True)
    merged_into = serializers.IntegerField(source="merged_into_id", allow_null=True)
    hotline_order_no = serializers.CharField()
    created_at = serializers.DateTimeField()
    tasks = TaskBrief(many=True, read_only=True)

    def get_life_critical(self, need: Need) -> bool:
        return bool(need.priority_breakdown.get("life_critical"))

    def get_explanation(self, need: Need) -> str:
        return triage.explain(
            need.priority_breakdown,
            overdue=need.escalated_at is not None,
            health=self._health_details,
        )

    @cached_property
    def _health_details(self) -> bool:
        return sees_tag_details(getattr(self.context.get("request"), "user", None))

    def get_escalated(self, need: Need) -> bool:
        return need.escalated_at is not None

    def _masked(self, need: Need, field: str) -> str | None:
        # What MaskedField outputs.
        request = self.context.get("request")
        actor = getattr(request, "user", None)
        return present_or_none(
            actor,
            need,
            field,
            purpose=self.context.get("privacy_purpose"),
            context=self.context.get("privacy_context"),
        )

    @cached_property
    def _datetimes(self) -> serializers.DateTimeField:
        # The current time zone looked up once per serializer rather than once per value.
        return _datetime_field(_DATETIME.default_timezone())

    def _datetime(self, value: datetime.datetime | None) -> str | None:
        return None if value is None else self._datetimes.to_representation(value)

    @cached_property
    def _tasks(self) -> serializers.ListSerializer:
        # One per serializer: a list of requests builds the task fields once, as DRF did.
        return TaskBrief(many=True, context=self.context)

    def to_representation(self, instance: Need) -> dict[str, Any]:
        need = instance
        tasks = need.tasks.all()
        return {
            "id": need.pk,
            "tracking_code": need.tracking_code,
            "area": need.area.code,
            "resident": need.resident_id,
            "caller_name": self._masked(need, "caller_name"),
            "caller_phone": self._masked(need, "caller_phone"),
            "address": self._masked(need, "address"),
            "category": need.category,
            "channel": need.channel,
            "description": _request_text(self.context, need, "description"),
            "days_medicine_left": need.days_medicine_left,
            "days_food_left": need.days_food_left,
            "medical_emergency": bool(need.medical_emergency),
            "critical_condition": bool(need.critical_condition),
            "treatment_at": self._datetime(need.treatment_at),
            "deadline": self._datetime(need.deadline),
            "status": need.status,
            "outcome": need.outcome,
            "outcome_note": _request_text(self.context, need, "outcome_note"),
            "priority": need.priority,
            "life_critical": self.get_life_critical(need),
            "explanation": self.get_explanation(need),
            "escalated": self.get_escalated(need),
            "sla_due_at": self._datetime(need.sla_due_at),
            "last_verified_at": self._datetime(need.last_verified_at),
            "merged_into": need.merged_into_id,
            "hotline_order_no": need.hotline_order_no,
            "created_at": self._datetime(need.created_at),
            "tasks": self._tasks.to_representation(tasks) if tasks else [],
        }


_DATETIME = serializers.DateTimeField()  # DRF's format: ISO 8601 in the current time zone


@functools.cache
def _datetime_field(zone: datetime.tzinfo | None) -> serializers.DateTimeField:
    """``_DATETIME`` set to ``zone``: one per zone, shared (its output reads no state)."""
    return serializers.DateTimeField(default_timezone=zone)


class MergeCandidate(serializers.ModelSerializer):
    class Meta:
        model = Need
        fields = ["id", "tracking_code", "status", "created_at"]


class NeedCreated(NeedOutput):
    merge_candidates = serializers.SerializerMethodField()

    @extend_schema(responses=MergeCandidate(many=True))
    def get_merge_candidates(self, need: Need) -> list[dict[str, Any]]:
        found = getattr(need, "merge_candidates_found", None)  # read with its key (intake)
        if found is None:
            found = selectors.need_merge_candidates_recent(need, self.context["request"].user)
        return [
            {
                "id": c.pk,
                "tracking_code": c.tracking_code,
                "status": c.status,
                "created_at": self._datetime(c.created_at),
            }
            for c in found
        ]

    def to_representation(self, instance: Need) -> dict[str, Any]:
        return {
            **super().to_representation(instance),
            "merge_candidates": self.get_merge_candidates(instance),
        }


class FactsInput(serializers.Serializer):
    days_medicine_left = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    days_food_left = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    medical_emergency = serializers.BooleanField(required=False)
    critical_condition = serializers.BooleanField(required=False)
    treatment_at = serializers.DateTimeField(required=False, allow_null=True)
    deadline = serializers.DateTimeField(required=False, allow_null=True)
    description = serializers.CharField(required=False, allow_blank=True)


class NeedInput(FieldsOnce, FactsInput):
    area = serializers.CharField(help_text="code of the building or community")
    resident = serializers.IntegerField(required=False, allow_null=True)
    caller_name = serializers.CharField(required=False, allow_blank=True, max_length=50)
    caller_phone = serializers.CharField(required=False, allow_blank=True, max_length=30)
    address = serializers.CharField(required=False, allow_blank=True, max_length=200)
    category = serializers.ChoiceField(choices=Category.choices)
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.PHONE)


class LinkResidentInput(serializers.Serializer):
    resident = serializers.IntegerField(help_text="id of the registered resident")


class CloseInput(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class OptionalReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class NeedMergeInput(serializers.Serializer):
    into = serializers.IntegerField(help_text="id of the open request to keep")


class TaskInput(serializers.Serializer):
    role = serializers.CharField(required=False, allow_blank=True, default="", max_length=20)


class OfferInput(serializers.Serializer):
    volunteer = serializers.IntegerField(help_text="user id of the volunteer")


class BulkAssignInput(OfferInput):
    needs = serializers.ListField(child=serializers.IntegerField(), min_length=1, max_length=200)


class CompleteInput(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)
    photo = serializers.ImageField(required=False, validators=[max_size("photo")])


class ErrorOutput(serializers.Serializer):
    """The body of a refusal (``ApplicationError.as_dict``)."""

    detail = serializers.CharField()
    field = serializers.CharField(required=False)


class EventOutput(serializers.Serializer):
    action = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    actor = serializers.CharField(source="actor.username", allow_null=True, default=None)
    task = serializers.IntegerField(source="task_id", allow_null=True)
    note = RequestText()
    at = serializers.DateTimeField()


class AssignmentOutput(serializers.ModelSerializer):
    task = serializers.IntegerField(source="task_id")
    category = serializers.CharField(source="task.need.category")
    task_status = serializers.CharField(source="task.status")
    explanation = serializers.SerializerMethodField()
    address = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()

    class Meta:
        model = TaskAssignment
        fields = [
            "id", "task", "state", "reason", "category", "task_status", "explanation",
            "address", "phone",
        ]  # fmt: skip

    def _privacy(self, a: TaskAssignment) -> PrivacyContext:
        return PrivacyContext(
            assigned_active=a.task.assignee_id == a.volunteer_id
            and a.task.is_active
            and a.task.need.is_open
        )

    def get_explanation(self, a: TaskAssignment) -> str:
        user = self.context["request"].user
        return triage.explain(a.task.need.priority_breakdown, health=sees_tag_details(user))

    def get_address(self, a: TaskAssignment) -> str | None:
        return _address(self.context["request"].user, a.task.need, self._privacy(a)) or None

    def get_phone(self, a: TaskAssignment) -> str | None:
        return _phone(self.context["request"].user, a.task.need, self._privacy(a)) or None


def _address(actor: Any, need: Need, ctx: PrivacyContext) -> str:
    return present(actor, need, "contact_address", kind="address", context=ctx, hidden="")


def _phone(actor: Any, need: Need, ctx: PrivacyContext) -> str:
    return present(actor, need, "contact_phone", kind="phone", context=ctx, hidden="")


def _volunteer(pk: int) -> Any:
    found = get_user_model().objects.filter(pk=pk, role="volunteer", is_active=True).first()
    if found is None:
        raise NotFoundError(field="volunteer")
    return found


class NeedViewSet(viewsets.GenericViewSet):
    permission = "needs.view"
    write_permission = "needs.intake"
    action_permissions = {
        "close": "needs.dispatch",
        "reopen": "needs.dispatch",
        "merge": "needs.dispatch",
        "add_task": "needs.dispatch",
        "bulk_assign": "needs.dispatch",
        "history": "needs.view",
    }
    serializer_class = NeedOutput

    def get_queryset(self) -> Any:
        p = self.request.query_params
        return selectors.need_list(
            actor=self.request.user,
            status=p.get("status") or None,
            category=p.get("category") or None,
            escalated={"1": True, "0": False}.get(p.get("escalated", "")),
            callback=p.get("callback") == "1",
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("status", enum=Status.values),
            OpenApiParameter("category", enum=Category.values),
            OpenApiParameter("escalated", enum=["0", "1"]),
            OpenApiParameter("callback", enum=["1"], description="waiting for a call-back"),
        ]
    )
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(
            NeedOutput(page, many=True, context={"request": request}).data
        )

    def retrieve(self, request: Request, pk: str) -> Response:
        need = selectors.need_get_for(request.user, pk)
        return Response(NeedOutput(need, context={"request": request}).data)

    @extend_schema(request=NeedInput, responses={201: NeedCreated}, parameters=[IDEMPOTENCY])
    def create(self, request: Request) -> Response:
        def handler(pending: PendingInserts | None) -> Response:
            data = NeedInput(data=request.data)
            data.is_valid(raise_exception=True)
            v = dict(data.validated_data)
            resident_id = v.pop("resident", None)
            resident = resident_get_for(request.user, resident_id) if resident_id else None
            # The area by its code: looked up with the request's other reads (one round trip).
            need = services.need_create(actor=request.user, resident=resident, pending=pending, **v)
            # A request created a moment ago has no tasks: answer without querying them.
            no_tasks = Task.objects.none()
            no_tasks._result_cache = []  # evaluated and empty, as prefetch_related leaves it
            need._prefetched_objects_cache = {"tasks": no_tasks}
            return Response(
                NeedCreated(need, context={"request": request}).data,
                status=status.HTTP_201_CREATED,
            )

        return idempotent(request, "needs.create", handler, deferred=True)

    @extend_schema(request=FactsInput, responses=NeedOutput)
    @action(detail=True, methods=["post"])
    def facts(self, request: Request, pk: str) -> Response:
        need = selectors.need_get_for(request.user, pk)
        data = FactsInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.need_update_facts(actor=request.user, need=need, **data.validated_data)
        return self.retrieve(request, pk)

    @extend_schema(request=LinkResidentInput, responses=NeedOutput)
    @action(detail=True, methods=["post"], url_path="link-resident")
    def link_resident(self, request: Request, pk: str) -> Response:
        data = LinkResidentInput(data=request.data)
        data.is_valid(raise_exception=True)
        need = selectors.need_get_for(request.user, pk)
        resident = resident_get_for(request.user, data.validated_data["resident"])
        services.need_link_resident(actor=request.user, need=need, resident=resident)
        return self.retrieve(request, pk)

    @extend_schema(request=None, responses=NeedOutput)
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, pk: str) -> Response:
        services.need_verify(actor=request.user, need=selectors.need_get_for(request.user, pk))
        return self.retrieve(request, pk)

    @extend_schema(request=CloseInput, responses=NeedOutput)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        data = CloseInput(data=request.data)
        data.is_valid(raise_exception=True)
        need = selectors.need_get_for(request.user, pk)
        services.need_close(actor=request.user, need=need, **data.validated_data)
        return self.retrieve(request, pk)

    @extend_schema(request=ReasonInput, responses=NeedOutput)
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: str) -> Response:
        data = ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        need = selectors.need_get_for(request.user, pk)
        services.need_reopen(actor=request.user, need=need, **data.validated_data)
        return self.retrieve(request, pk)

    @extend_schema(request=NeedMergeInput, responses=NeedOutput)
    @action(detail=True, methods=["post"])
    def merge(self, request: Request, pk: str) -> Response:
        data = NeedMergeInput(data=request.data)
        data.is_valid(raise_exception=True)
        need = selectors.need_get_for(request.user, pk)
        into = selectors.need_get_for(request.user, data.validated_data["into"])
        services.need_merge(actor=request.user, need=need, into=into)
        return self.retrieve(request, pk)

    @extend_schema(responses=EventOutput(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request: Request, pk: str) -> Response:
        need = selectors.need_get_for(request.user, pk)
        history = selectors.need_history(need)
        return Response(EventOutput(history, many=True, context={"request": request}).data)

    @extend_schema(request=TaskInput, responses={201: TaskBrief}, parameters=[IDEMPOTENCY])
    @action(detail=True, methods=["post"], url_path="tasks")
    def add_task(self, request: Request, pk: str) -> Response:
        def handler() -> Response:
            data = TaskInput(data=request.data)
            data.is_valid(raise_exception=True)
            need = selectors.need_get_for(request.user, pk)
            task = services.task_create(actor=request.user, need=need, **data.validated_data)
            return Response(
                TaskBrief(task, context={"request": request}).data, status=status.HTTP_201_CREATED
            )

        return idempotent(request, f"needs.task.create:{pk}", handler)

    @extend_schema(request=BulkAssignInput, responses=TaskBrief(many=True))
    @action(detail=False, methods=["post"], url_path="bulk-assign")
    def bulk_assign(self, request: Request) -> Response:
        data = BulkAssignInput(data=request.data)
        data.is_valid(raise_exception=True)
        needs = [selectors.need_get_for(request.user, pk) for pk in data.validated_data["needs"]]
        offers = services.needs_bulk_assign(
            actor=request.user,
            needs=needs,
            volunteer=_volunteer(data.validated_data["volunteer"]),
        )
        tasks = [o.task for o in offers]
        return Response(TaskBrief(tasks, many=True, context={"request": request}).data)


class PublicNeedInput(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    phone = serializers.CharField(max_length=20)
    community = serializers.CharField(help_text="code of the community")
    address = serializers.CharField(max_length=200)
    category = serializers.ChoiceField(choices=Category.choices)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    medical_emergency = serializers.BooleanField(required=False, default=False)
    days_medicine_left = serializers.IntegerField(min_value=0, required=False, allow_null=True)


class PublicStatusOutput(serializers.Serializer):
    tracking_code = serializers.CharField()
    category = serializers.CharField()
    status = serializers.CharField()
    status_text = serializers.CharField()
    created_at = serializers.DateTimeField()


def _public_status(need: Need) -> dict[str, Any]:
    return {
        "tracking_code": need.tracking_code,
        "category": need.category,
        "status": need.status,
        "status_text": resident_status_text(need),
        "created_at": need.created_at,
    }


class PublicNeedViewSet(viewsets.ViewSet):
    """The resident's own form and tracking, without an account: rate-limited per client
    address and per phone number;
    the tracking code is the only key to a request's (plain-words) status."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(request=PublicNeedInput, responses={201: PublicStatusOutput, 429: ErrorOutput})
    def create(self, request: Request) -> Response:
        address = client_ip(request)
        if not public_rate_allows(address=address):
            raise errors.RateLimitedError(errors.RATE_LIMITED)
        data = PublicNeedInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        if not public_rate_allows(address=address, phone=v["phone"]):
            raise errors.RateLimitedError(errors.RATE_LIMITED)
        community = Area.objects.filter(code=v["community"], level="community", is_active=True)
        area = community.first()
        if area is None:
            raise NotFoundError(field="community")
        need = services.need_create(
            actor=None,
            area=area,
            channel=Channel.WEB_FORM,
            caller_name=v["name"],
            caller_phone=v["phone"],
            address=v["address"],
            category=v["category"],
            description=v["description"],
            medical_emergency=v["medical_emergency"],
            days_medicine_left=v.get("days_medicine_left"),
        )
        public_rate_count(address=address, phone=v["phone"])
        return Response(_public_status(need), status=status.HTTP_201_CREATED)

    @extend_schema(
        responses=PublicStatusOutput,
        parameters=[
            OpenApiParameter("id", str, OpenApiParameter.PATH, description="tracking code")
        ],
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        need = selectors.need_by_tracking_code(pk)
        if need is None:
            raise NotFoundError(field="tracking_code")
        return Response(_public_status(need))


class TaskViewSet(viewsets.GenericViewSet):
    """Tasks: a volunteer's own (or the open pool with ``?pool=1``), a worker's in scope. Only
    for roles that work on tasks or see requests: a task's note and reason may hold a
    resident's address or phone."""

    permission = "needs.view"
    queryset = Task.objects.none()  # for the schema only; reads go through selectors
    action_permissions = {
        "claim": "needs.task_work",
        "start": "needs.task_work",
        "complete": "needs.task_work",
        "fail": "needs.task_work",
        "offer": "needs.dispatch",
    }
    serializer_class = TaskBrief

    def check_permissions(self, request: Request) -> None:
        # Reading: needs.view (a worker, in scope) or needs.task_work (a volunteer, their own).
        if self.action == "list" and user_may(request.user, "needs.task_work"):
            return
        super().check_permissions(request)

    @extend_schema(parameters=[OpenApiParameter("pool", enum=["1"])])
    def list(self, request: Request) -> Response:
        if request.query_params.get("pool") == "1":
            qs = selectors.task_pool(actor=request.user)
        else:
            qs = selectors.task_list(actor=request.user)
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(
            TaskBrief(page, many=True, context={"request": request}).data
        )

    @extend_schema(request=None, responses={200: TaskBrief, 409: ErrorOutput})
    @action(detail=True, methods=["post"])
    def claim(self, request: Request, pk: str) -> Response:
        task = selectors.task_get_for(request.user, pk, open_pool=True)
        claimed = services.task_claim(actor=request.user, task=task)
        return Response(TaskBrief(claimed, context={"request": request}).data)

    @extend_schema(request=None, responses=TaskBrief)
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: str) -> Response:
        task = selectors.task_get_for(request.user, pk)
        started = services.task_start(actor=request.user, task=task)
        return Response(TaskBrief(started, context={"request": request}).data)

    @extend_schema(request=CompleteInput, responses=TaskBrief)
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str) -> Response:
        data = CompleteInput(data=request.data)
        data.is_valid(raise_exception=True)
        task = selectors.task_get_for(request.user, pk)
        done = services.task_complete(actor=request.user, task=task, **data.validated_data)
        return Response(TaskBrief(done, context={"request": request}).data)

    @extend_schema(request=ReasonInput, responses=TaskBrief)
    @action(detail=True, methods=["post"])
    def fail(self, request: Request, pk: str) -> Response:
        data = ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        task = selectors.task_get_for(request.user, pk)
        failed = services.task_fail(actor=request.user, task=task, **data.validated_data)
        return Response(TaskBrief(failed, context={"request": request}).data)

    @extend_schema(request=OfferInput, responses=TaskBrief)
    @action(detail=True, methods=["post"])
    def offer(self, request: Request, pk: str) -> Response:
        data = OfferInput(data=request.data)
        data.is_valid(raise_exception=True)
        task = selectors.task_get_for(request.user, pk)
        services.task_offer(
            actor=request.user, task=task, volunteer=_volunteer(data.validated_data["volunteer"])
        )
        task.refresh_from_db()
        return Response(TaskBrief(task, context={"request": request}).data)


class AssignmentViewSet(viewsets.GenericViewSet):
    """A volunteer's offers: accept or decline (with a reason); a dispatcher removes."""

    permission = "needs.task_work"
    action_permissions = {"remove": "needs.dispatch"}
    queryset = TaskAssignment.objects.none()  # for the schema only; reads go through selectors
    serializer_class = AssignmentOutput

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(selectors.my_assignments(actor=request.user))
        return self.get_paginated_response(
            AssignmentOutput(page, many=True, context={"request": request}).data
        )

    def _answer(self, request: Request, assignment: TaskAssignment) -> Response:
        fresh = selectors.assignment_get_for(request.user, assignment.pk)
        return Response(AssignmentOutput(fresh, context={"request": request}).data)

    @extend_schema(request=None, responses=AssignmentOutput)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        a = selectors.assignment_get_for(request.user, pk)
        return self._answer(request, services.assignment_accept(actor=request.user, assignment=a))

    @extend_schema(request=OptionalReasonInput, responses=AssignmentOutput)
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str) -> Response:
        data = OptionalReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        a = selectors.assignment_get_for(request.user, pk)
        services.assignment_decline(actor=request.user, assignment=a, **data.validated_data)
        return self._answer(request, a)

    @extend_schema(request=OptionalReasonInput, responses={204: None})
    @action(detail=True, methods=["post"])
    def remove(self, request: Request, pk: str) -> Response:
        data = OptionalReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        a = get_scoped(
            TaskAssignment.objects.select_related("task__need__area"), request.user, pk=pk
        )
        services.assignment_remove(actor=request.user, assignment=a, **data.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)
