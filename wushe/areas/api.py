"""Areas API: list and read the tree in scope; import, move, merge and outline."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from wushe.areas import errors, selectors, services
from wushe.areas.levels import Level
from wushe.areas.models import Area
from wushe.core.errors import ApplicationError
from wushe.core.models import Job
from wushe.core.uploads import max_size


class AreaOutput(serializers.ModelSerializer):
    parent_code = serializers.CharField(source="parent.code", allow_null=True, default=None)
    merged_into = serializers.CharField(source="merged_into.code", allow_null=True, default=None)
    has_outline = serializers.SerializerMethodField()

    class Meta:
        model = Area
        fields = [
            "code",
            "name",
            "level",
            "parent_code",
            "lon",
            "lat",
            "is_active",
            "merged_into",
            "has_outline",
        ]

    def get_has_outline(self, obj: Area) -> bool:
        return bool(obj.geometry)


class OutlineSerializer(serializers.Serializer):
    geometry = serializers.JSONField(
        allow_null=True, help_text="GeoJSON Polygon or MultiPolygon (lon/lat); null clears it"
    )


class ImportInput(serializers.Serializer):
    file = serializers.FileField(validators=[max_size("sheet")])
    dry_run = serializers.BooleanField(default=False)


class ImportOutput(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    skipped = serializers.IntegerField()
    rejected = serializers.ListField(child=serializers.DictField())
    rows = serializers.IntegerField()
    dry_run = serializers.BooleanField()


class JobAccepted(serializers.Serializer):
    job = serializers.IntegerField()
    status = serializers.CharField()


class MoveInput(serializers.Serializer):
    new_parent = serializers.CharField(help_text=_("Code of the new parent area"))
    reason = serializers.CharField(max_length=255)


class MergeInput(serializers.Serializer):
    target = serializers.CharField(help_text=_("Code of the grid to merge into"))
    reason = serializers.CharField(max_length=255)


class AreaViewSet(viewsets.GenericViewSet):
    permission = "areas.view"
    action_permissions = {
        "import_file": "areas.import",
        "move": "areas.manage",
        "merge": "areas.manage",
        "outline": "areas.manage",
    }
    lookup_field = "code"
    serializer_class = AreaOutput

    def get_queryset(self) -> Any:
        params = self.request.query_params
        return selectors.area_list(
            actor=self.request.user,
            level=params.get("level") or None,
            parent_code=params.get("parent") or None,
            search=params.get("q") or None,
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("level", enum=Level.values),
            OpenApiParameter("parent", description="parent area code"),
            OpenApiParameter("q", description="name contains / code starts with"),
        ]
    )
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(AreaOutput(page, many=True).data)

    def retrieve(self, request: Request, code: str) -> Response:
        return Response(AreaOutput(selectors.area_get_for(request.user, code)).data)

    @extend_schema(
        request=ImportInput,
        responses={200: ImportOutput, 202: JobAccepted},
        description="Import areas and buildings from .xlsx or .csv. Large files run as a "
        "background job (202 with the job id): follow it at GET /api/v1/jobs/{id}/.",
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[MultiPartParser, FormParser],
    )
    def import_file(self, request: Request) -> Response:
        data = ImportInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        result = services.area_import_upload(
            actor=request.user, upload=v["file"], dry_run=v["dry_run"]
        )
        if isinstance(result, Job):
            return Response(
                {"job": result.pk, "status": result.status}, status=status.HTTP_202_ACCEPTED
            )
        return Response(result.as_dict())

    @extend_schema(request=MoveInput, responses=AreaOutput)
    @action(detail=True, methods=["post"])
    def move(self, request: Request, code: str) -> Response:
        area = selectors.area_get_for(request.user, code)
        data = MoveInput(data=request.data)
        data.is_valid(raise_exception=True)
        moved = services.area_move(
            actor=request.user,
            area=area,
            new_parent=selectors.area_get_for(request.user, data.validated_data["new_parent"]),
            reason=data.validated_data["reason"],
        )
        return Response(AreaOutput(moved).data)

    @extend_schema(request=MergeInput, responses=AreaOutput)
    @action(detail=True, methods=["post"])
    def merge(self, request: Request, code: str) -> Response:
        source = selectors.area_get_for(request.user, code)
        data = MergeInput(data=request.data)
        data.is_valid(raise_exception=True)
        target = services.area_merge(
            actor=request.user,
            source=source,
            target=selectors.area_get_for(request.user, data.validated_data["target"]),
            reason=data.validated_data["reason"],
        )
        return Response(AreaOutput(target).data)

    @extend_schema(request=OutlineSerializer, responses=OutlineSerializer)
    @action(detail=True, methods=["post"])
    def outline(self, request: Request, code: str) -> Response:
        """Set or clear the area's outline (drawn on route maps)."""
        area = selectors.area_get_for(request.user, code)
        try:
            body = request.data
        except RecursionError as exc:  # "[[[[…" thousands deep: the JSON parser gives up
            raise ApplicationError(errors.GEOMETRY_TOO_DEEP, field="geometry") from exc
        data = OutlineSerializer(data=body)
        data.is_valid(raise_exception=True)
        area = services.area_set_geometry(
            actor=request.user, area=area, geometry=data.validated_data["geometry"]
        )
        return Response({"geometry": area.geometry})
