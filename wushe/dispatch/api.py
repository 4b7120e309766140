"""Dispatch rounds API: list, start, read (with explanations), approve, discard; scoped."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from wushe.areas.selectors import area_get_for
from wushe.dispatch import selectors, services
from wushe.dispatch.explain import explain_routes
from wushe.dispatch.models import DispatchRound


class RoundOutput(serializers.ModelSerializer):
    area = serializers.CharField(source="area.code")
    created_by = serializers.CharField(source="created_by.username")
    # A plain string: the choices' enum would collide with other "status" enums in the schema.
    status = serializers.CharField(help_text="solving, proposed, approved, failed or discarded")
    tasks = serializers.SerializerMethodField()
    volunteers = serializers.SerializerMethodField()

    class Meta:
        model = DispatchRound
        fields = [
            "id",
            "area",
            "status",
            "created_by",
            "created_at",
            "time_limit_s",
            "auto_approve",
            "tasks",
            "volunteers",
            "score_priority",
            "score_assigned",
            "score_travel_s",
            "error",
            "report",
            "approved_at",
            "approval",
            "changes",
        ]

    def get_tasks(self, obj: DispatchRound) -> int:
        return int(obj.report.get("tasks", 0))

    def get_volunteers(self, obj: DispatchRound) -> int:
        return int(obj.report.get("volunteers", 0))


class RoundDetailOutput(RoundOutput):
    solution = serializers.JSONField()
    explanation = serializers.SerializerMethodField()

    class Meta(RoundOutput.Meta):
        fields = [*RoundOutput.Meta.fields, "solution", "explanation"]

    def get_explanation(self, obj: DispatchRound) -> list[dict[str, Any]]:
        return explain_routes(obj.instance, obj.solution)


class RoundInput(serializers.Serializer):
    area = serializers.CharField(help_text="code of the street or community")
    time_limit_s = serializers.IntegerField(default=5, min_value=1, max_value=300)
    auto_approve = serializers.BooleanField(default=False)


class ApproveInput(serializers.Serializer):
    volunteers = serializers.ListField(
        child=serializers.IntegerField(), required=False, allow_null=True, default=None
    )


class EditInput(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=["move", "remove"],
        help_text="move: to a volunteer's route (or within it); remove: out of the routes",
    )
    task = serializers.IntegerField(help_text="task id")
    volunteer = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="user id (for move)"
    )
    position = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, help_text="1 = first stop"
    )


class InsertInput(serializers.Serializer):
    task = serializers.IntegerField(help_text="id of an open task under the round's area")


class DispatchRoundViewSet(viewsets.GenericViewSet):
    permission = "dispatch.view"
    write_permission = "dispatch.run"
    serializer_class = RoundOutput

    def get_queryset(self) -> Any:
        return selectors.round_list(actor=self.request.user)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(RoundOutput(page, many=True).data)

    @extend_schema(request=RoundInput, responses={201: RoundDetailOutput})
    def create(self, request: Request) -> Response:
        data = RoundInput(data=request.data)
        data.is_valid(raise_exception=True)
        rnd = services.dispatch_round_start(
            actor=request.user,
            area=area_get_for(request.user, data.validated_data["area"]),
            time_limit_s=data.validated_data["time_limit_s"],
            auto_approve=data.validated_data["auto_approve"],
        )
        return Response(RoundDetailOutput(rnd).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=RoundDetailOutput)
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(RoundDetailOutput(selectors.round_get_for(request.user, pk)).data)

    @extend_schema(request=ApproveInput, responses=RoundDetailOutput)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        rnd = selectors.round_get_for(request.user, pk)
        data = ApproveInput(data=request.data)
        data.is_valid(raise_exception=True)
        rnd = services.dispatch_round_approve(
            actor=request.user, round=rnd, volunteer_ids=data.validated_data["volunteers"]
        )
        return Response(RoundDetailOutput(rnd).data)

    @extend_schema(request=None, responses=RoundDetailOutput)
    @action(detail=True, methods=["post"])
    def discard(self, request: Request, pk: str) -> Response:
        rnd = services.dispatch_round_discard(
            actor=request.user, round=selectors.round_get_for(request.user, pk)
        )
        return Response(RoundDetailOutput(rnd).data)

    @extend_schema(request=EditInput, responses=RoundDetailOutput)
    @action(detail=True, methods=["post"])
    def edit(self, request: Request, pk: str) -> Response:
        """Change the proposal before approval; 400 with the reason when infeasible."""
        rnd = selectors.round_get_for(request.user, pk)
        data = EditInput(data=request.data)
        data.is_valid(raise_exception=True)
        rnd = services.dispatch_round_edit(actor=request.user, round=rnd, **data.validated_data)
        return Response(RoundDetailOutput(rnd).data)

    @extend_schema(request=InsertInput, responses=RoundDetailOutput)
    @action(detail=True, methods=["post"])
    def insert(self, request: Request, pk: str) -> Response:
        """Insert an (urgent) open task into this approved round's current routes and offer
        it to the chosen volunteer; 400 with the reason when no route can take it."""
        rnd = selectors.round_get_for(request.user, pk)
        data = InsertInput(data=request.data)
        data.is_valid(raise_exception=True)
        task = selectors.task_for_round(round=rnd, pk=data.validated_data["task"])
        rnd = services.dispatch_round_insert(actor=request.user, round=rnd, task=task)
        return Response(RoundDetailOutput(rnd).data)
