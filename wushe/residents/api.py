"""Residents API: list and read in scope, masked; create and update; reveal with a reason;
canvass import (preview or commit; a large preview runs as a job, confirmed afterwards)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from wushe.areas.models import Area
from wushe.core.errors import NotFoundError
from wushe.core.jobs import job_for_large_upload, job_preview_apply
from wushe.core.privacy import reveal
from wushe.core.privacy.serializers import MaskedField as CoreMaskedField
from wushe.core.scoping import get_scoped
from wushe.core.selectors import job_get_readable
from wushe.core.uploads import max_size
from wushe.residents import selectors, services
from wushe.residents.models import LegalBasis, Resident
from wushe.residents.tasks import JOB_KIND, import_residents_job, import_work


@extend_schema_field({"type": "string", "nullable": True})
class MaskedField(CoreMaskedField):
    """The core field, described in the schema as a nullable string (null = hidden)."""


class RevealOutput(serializers.Serializer):
    field = serializers.CharField()
    value = serializers.CharField()


class RejectedRow(serializers.Serializer):
    row = serializers.IntegerField()
    reason = serializers.CharField()


class ResidentImportOutput(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    skipped = serializers.IntegerField()
    rejected = RejectedRow(many=True)
    warnings = serializers.ListField(child=serializers.DictField())
    rows = serializers.IntegerField()
    dry_run = serializers.BooleanField()


class ResidentImportAccepted(serializers.Serializer):
    job = serializers.IntegerField()
    status = serializers.CharField()


class ResidentOutput(serializers.ModelSerializer):
    name = MaskedField(kind="name")
    id_number = MaskedField()
    phone = MaskedField()
    emergency_contact = MaskedField(kind="name")
    emergency_phone = MaskedField()
    guardian = MaskedField(kind="name")
    guardian_phone = MaskedField()
    consent_guardian = MaskedField(kind="name")
    health_notes = MaskedField()
    area = serializers.CharField(source="area.code")
    household = serializers.SerializerMethodField()
    tags = serializers.SerializerMethodField()
    birth_year = serializers.SerializerMethodField()

    class Meta:
        model = Resident
        fields = [
            "id",
            "name",
            "gender",
            "birth_year",
            "id_number",
            "phone",
            "area",
            "household",
            "tags",
            "emergency_contact",
            "emergency_phone",
            "guardian",
            "guardian_phone",
            "health_notes",
            "legal_basis",
            "consent_purpose",
            "consent_version",
            "consent_guardian",
        ]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_household(self, obj: Resident) -> dict[str, Any] | None:
        h = obj.household
        if h is None:
            return None
        return {"id": h.pk, "building": h.building.code, "unit": h.unit, "room": h.room}

    @extend_schema_field({"type": "array", "items": {"type": "object"}})
    def get_tags(self, obj: Resident) -> list[dict[str, Any]]:
        if "tag_names" not in self.context:
            self.context["tag_names"] = selectors.tag_names()
            request = self.context.get("request")
            self.context["tag_details"] = selectors.sees_tag_details(getattr(request, "user", None))
        return selectors.resident_tags(
            obj, names=self.context["tag_names"], details=self.context["tag_details"]
        )

    def get_birth_year(self, obj: Resident) -> int | None:
        return obj.birth_date.year if obj.birth_date else None


class ResidentInput(serializers.Serializer):
    area = serializers.CharField(required=False)
    name = serializers.CharField(max_length=50, required=False)
    id_number = serializers.CharField(required=False, allow_blank=True)
    phone = serializers.CharField(required=False, allow_blank=True)
    emergency_contact = serializers.CharField(required=False, allow_blank=True)
    emergency_phone = serializers.CharField(required=False, allow_blank=True)
    guardian = serializers.CharField(required=False, allow_blank=True)
    guardian_phone = serializers.CharField(required=False, allow_blank=True)
    health_notes = serializers.CharField(required=False, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True)
    legal_basis = serializers.ChoiceField(choices=LegalBasis.choices, required=False)
    consent_purpose = serializers.CharField(required=False, allow_blank=True)
    consent_version = serializers.CharField(required=False, allow_blank=True)
    consent_guardian = serializers.CharField(required=False, allow_blank=True)


class RevealInput(serializers.Serializer):
    field = serializers.ChoiceField(
        choices=["id_number", "phone", "health_notes", "notes", "emergency_phone", "guardian_phone"]
    )
    reason = serializers.CharField(max_length=200)


class ResidentImportInput(serializers.Serializer):
    file = serializers.FileField(validators=[max_size("sheet")])
    area = serializers.CharField()
    dry_run = serializers.BooleanField(default=True)
    legal_basis = serializers.ChoiceField(
        choices=LegalBasis.choices, default=LegalBasis.PUBLIC_HEALTH_EMERGENCY
    )
    consent_purpose = serializers.CharField(required=False, default="", allow_blank=True)
    consent_version = serializers.CharField(required=False, default="", allow_blank=True)


class ResidentTagInput(serializers.Serializer):
    code = serializers.CharField(max_length=40)
    disability_category = serializers.CharField(required=False, allow_blank=True)
    disability_grade = serializers.IntegerField(required=False, allow_null=True)
    treatment = serializers.CharField(required=False, allow_blank=True)
    schedule = serializers.CharField(required=False, allow_blank=True, max_length=200)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)


class ResidentTagsInput(serializers.Serializer):
    tags = ResidentTagInput(many=True)


class ResidentViewSet(viewsets.GenericViewSet):
    permission = "residents.view"
    write_permission = "residents.edit"
    action_permissions = {
        "import_file": "residents.import",
        "import_confirm": "residents.import",
        "reveal": "residents.view",
    }
    serializer_class = ResidentOutput

    def get_queryset(self) -> Any:
        params = self.request.query_params
        return services.resident_search(
            actor=self.request.user,
            search=params.get("q") or None,
            tag=params.get("tag") or None,
            area_code=params.get("area") or None,
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("q", description="name, pinyin, initials, phone/ID tail (4)"),
            OpenApiParameter("tag", description="key-population tag code"),
            OpenApiParameter("area", description="area code"),
        ]
    )
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        resident = selectors.resident_get_for(request.user, pk)
        return Response(self.get_serializer(resident).data)

    @extend_schema(request=ResidentInput, responses={201: ResidentOutput})
    def create(self, request: Request) -> Response:
        data = ResidentInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        area = get_scoped(Area.objects.all(), request.user, code=values.pop("area", ""))
        resident = services.resident_create(actor=request.user, area=area, **values)
        resident = selectors.resident_get_for(request.user, resident.pk)
        return Response(self.get_serializer(resident).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ResidentInput, responses=ResidentOutput)
    def partial_update(self, request: Request, pk: str) -> Response:
        resident = selectors.resident_get_for(request.user, pk)
        data = ResidentInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values.pop("area", None)
        services.resident_update(actor=request.user, resident=resident, **values)
        resident = selectors.resident_get_for(request.user, pk)
        return Response(self.get_serializer(resident).data)

    @extend_schema(
        request=ResidentTagsInput,
        responses=ResidentOutput,
        description="Replace the resident's stored key-population tags (age tags follow the "
        "birth date). Open requests of the resident are re-ranked.",
    )
    @action(detail=True, methods=["put"])
    def tags(self, request: Request, pk: str) -> Response:
        resident = selectors.resident_get_for(request.user, pk)
        data = ResidentTagsInput(data=request.data)
        data.is_valid(raise_exception=True)
        wanted = {item.pop("code"): item for item in data.validated_data["tags"]}
        services.resident_set_tags(actor=request.user, resident=resident, tags=wanted)
        resident = selectors.resident_get_for(request.user, pk)
        return Response(self.get_serializer(resident).data)

    @extend_schema(request=RevealInput, responses=RevealOutput)
    @action(detail=True, methods=["post"])
    def reveal(self, request: Request, pk: str) -> Response:
        resident = selectors.resident_get_for(request.user, pk)
        data = RevealInput(data=request.data)
        data.is_valid(raise_exception=True)
        field = data.validated_data["field"]
        value = reveal(request.user, resident, field, reason=data.validated_data["reason"])
        return Response({"field": field, "value": value})

    @extend_schema(
        request=ResidentImportInput,
        responses={200: ResidentImportOutput, 202: ResidentImportAccepted},
        description="Import a canvass sheet (.xlsx or .csv) into an area. dry_run (default) "
        "previews; large files run as a background job (202 with the job id): follow it at "
        "GET /api/v1/jobs/{id}/, and apply a finished preview job with "
        "POST /api/v1/residents/import/{job_id}/confirm/. A small file's preview answers at once: "
        "post it again with dry_run=false to apply it.",
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[MultiPartParser, FormParser],
    )
    def import_file(self, request: Request) -> Response:
        data = ResidentImportInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        area = get_scoped(Area.objects.all(), request.user, code=v["area"])
        basis = services.Basis(
            legal_basis=v["legal_basis"],
            consent_purpose=v["consent_purpose"],
            consent_version=v["consent_version"],
        )
        basis.check()
        upload = v["file"]
        job = job_for_large_upload(
            actor=request.user,
            kind=JOB_KIND,
            upload=upload,
            task=import_residents_job,
            params={"dry_run": v["dry_run"], "area": area.code, **basis.__dict__},
            area_path=area.path,
        )
        if job is not None:
            return Response({"job": job.pk, "status": job.status}, status=status.HTTP_202_ACCEPTED)
        report = services.resident_import_file(
            actor=request.user,
            source=upload,
            filename=upload.name,
            area=area,
            dry_run=v["dry_run"],
            basis=basis,
        )
        return Response(report.as_dict())

    @extend_schema(
        request=None,
        parameters=[
            OpenApiParameter("job_id", int, OpenApiParameter.PATH, description="the preview job")
        ],
        responses={202: ResidentImportAccepted},
        description="Apply a finished preview job (a large file imported with dry_run): its "
        "sheet is imported for real as a new job (202 with its id; follow it at "
        "GET /api/v1/jobs/{id}/). Only the user who made the preview may confirm it, only once "
        "it is done, and only once: a second confirmation, a preview still running or failed, "
        "or one older than a day answers 400; another user's answers 403; a job out of scope "
        "404.",
    )
    @action(
        detail=False,
        methods=["post"],
        url_path=r"import/(?P<job_id>[0-9]+)/confirm",
    )
    def import_confirm(self, request: Request, job_id: str) -> Response:
        preview = job_get_readable(request.user, job_id)
        if preview.kind != JOB_KIND:
            raise NotFoundError()
        job = job_preview_apply(
            actor=request.user, preview=preview, task=import_residents_job, work=import_work
        )
        return Response({"job": job.pk, "status": job.status}, status=status.HTTP_202_ACCEPTED)
