"""Volunteers API: the volunteer's own shift, read and set; a dispatcher sets the shift of a
volunteer in their area (another area's volunteer is a 404).

Setting a shift to a given state (``{"on_shift": true}``) is idempotent by nature -- a
retry finds it already so and changes nothing -- so it needs no ``Idempotency-Key``."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from wushe.core.errors import NotFoundError
from wushe.volunteers import selectors, services
from wushe.volunteers.models import VolunteerProfile


class ShiftInput(serializers.Serializer):
    on_shift = serializers.BooleanField(help_text="true: start the shift; false: end it")


class ShiftOutput(serializers.Serializer):
    on_shift = serializers.BooleanField()
    since = serializers.DateTimeField(allow_null=True, help_text="when the open shift began")
    hours_week = serializers.FloatField(help_text="hours on shift since Monday 00:00")


class MyShiftView(APIView):
    """The volunteer's shift. Ending it leaves their accepted tasks with them; only new
    offers stop (dispatch rounds take volunteers on shift)."""

    permission = "needs.task_work"

    def _profile(self, request: Request) -> VolunteerProfile:
        profile = selectors.volunteer_profile_of(request.user)
        if profile is None:
            raise NotFoundError()
        return profile

    @extend_schema(responses=ShiftOutput)
    def get(self, request: Request) -> Response:
        return Response(ShiftOutput(selectors.shift_summary(self._profile(request))).data)

    @extend_schema(request=ShiftInput, responses=ShiftOutput)
    def post(self, request: Request) -> Response:
        data = ShiftInput(data=request.data)
        data.is_valid(raise_exception=True)
        profile = services.volunteer_set_shift(
            actor=request.user,
            profile=self._profile(request),
            on_shift=data.validated_data["on_shift"],
        )
        return Response(ShiftOutput(selectors.shift_summary(profile)).data)


class VolunteerShiftView(APIView):
    """A volunteer's shift, set by a dispatcher of the volunteer's area (by profile id)."""

    permission = "dispatch.run"

    @extend_schema(request=ShiftInput, responses=ShiftOutput)
    def post(self, request: Request, pk: int) -> Response:
        data = ShiftInput(data=request.data)
        data.is_valid(raise_exception=True)
        profile = services.volunteer_set_shift(
            actor=request.user,
            profile=selectors.volunteer_profile_get_for(request.user, pk),
            on_shift=data.validated_data["on_shift"],
        )
        return Response(ShiftOutput(selectors.shift_summary(profile)).data)
