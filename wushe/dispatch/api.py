"""Dispatch API: rounds (list, start, read with explanations, edit, approve, insert into
the approved routes, discard), streets' travel settings and the volunteer's own; scoped."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from wushe.areas.selectors import area_get_for
from wushe.core.errors import NotFoundError
from wushe.dispatch import selectors, services
from wushe.dispatch.explain import explain_routes
from wushe.dispatch.models import DispatchRound
from wushe.volunteers.models import TravelMode, VolunteerProfile
from wushe.volunteers.services import volunteer_set_travel_mode


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


class StreetTravelOutput(serializers.Serializer):
    area = serializers.CharField(source="area.code")
    name = serializers.CharField(source="area.name")
    travel_mode = serializers.CharField(help_text="walking, cycling or driving")
    detour = serializers.FloatField()


class StreetTravelInput(serializers.Serializer):
    area = serializers.CharField(help_text="code of the street")
    travel_mode = serializers.ChoiceField(choices=TravelMode.values)
    detour = serializers.DecimalField(max_digits=3, decimal_places=2)


class StreetTravelView(APIView):
    """Each street's travel defaults for dispatch (GET); change one street's (POST)."""

    permission = "dispatch.view"
    write_permission = "dispatch.run"

    @extend_schema(responses=StreetTravelOutput(many=True))
    def get(self, request: Request) -> Response:
        rows = selectors.street_travel_list(actor=request.user)
        return Response(StreetTravelOutput(rows, many=True).data)

    @extend_schema(request=StreetTravelInput, responses=StreetTravelOutput)
    def post(self, request: Request) -> Response:
        data = StreetTravelInput(data=request.data)
        data.is_valid(raise_exception=True)
        area = area_get_for(request.user, data.validated_data["area"])
        row = services.street_travel_set(
            actor=request.user,
            area=area,
            travel_mode=data.validated_data["travel_mode"],
            detour=data.validated_data["detour"],
        )
        return Response(StreetTravelOutput(row).data)


class MyTravelSerializer(serializers.Serializer):
    travel_mode = serializers.ChoiceField(
        choices=["", *TravelMode.values], allow_blank=True, help_text="blank: the street's"
    )


class MyTravelView(APIView):
    """How the volunteer gets around (their profile): read and change it."""

    permission = "needs.task_work"

    def _profile(self, request: Request) -> VolunteerProfile:
        profile = VolunteerProfile.objects.filter(user=request.user).first()
        if profile is None:
            raise NotFoundError()
        return profile

    @extend_schema(responses=MyTravelSerializer)
    def get(self, request: Request) -> Response:
        return Response(MyTravelSerializer(self._profile(request)).data)

    @extend_schema(request=MyTravelSerializer, responses=MyTravelSerializer)
    def post(self, request: Request) -> Response:
        data = MyTravelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        profile = volunteer_set_travel_mode(
            actor=request.user,
            profile=self._profile(request),
            travel_mode=data.validated_data["travel_mode"],
        )
        return Response(MyTravelSerializer(profile).data)
