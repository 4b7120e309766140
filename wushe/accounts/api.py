"""Accounts API: who am I (role, area, permissions)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from wushe.accounts.roles import ROLE_PERMISSIONS


class MeOutput(serializers.Serializer):
    username = serializers.CharField()
    display_name = serializers.CharField()
    role = serializers.CharField()
    role_label = serializers.CharField()
    scope_area = serializers.CharField(allow_null=True)
    scope_area_name = serializers.CharField(allow_null=True)
    permissions = serializers.ListField(child=serializers.CharField())


class MeView(APIView):
    permission = None  # any signed-in user

    @extend_schema(responses=MeOutput)
    def get(self, request: Request) -> Response:
        user = request.user
        area = user.scope_area
        data = {
            "username": user.username,
            "display_name": user.display_name,
            "role": user.role,
            "role_label": user.get_role_display(),
            "scope_area": area.code if area else None,
            "scope_area_name": area.name if area else None,
            "permissions": sorted(ROLE_PERMISSIONS.get(user.role, ())),
        }
        return Response(MeOutput(data).data)
