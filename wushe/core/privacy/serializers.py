"""``MaskedField``: a read-only DRF field that outputs a protected value through ``present``.

    class ResidentOut(serializers.ModelSerializer):
        id_number = MaskedField()
        phone = MaskedField()

The actor is ``request.user`` from the serializer context; a view may add
``privacy_context`` (e.g. ``{"assigned_active": True}``) and ``privacy_purpose`` to it.
A HIDDEN value is output as ``null``.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from wushe.core.privacy.presenting import present_or_none


@extend_schema_field({"type": "string", "nullable": True})  # null = hidden for this role
class MaskedField(serializers.Field):
    def __init__(self, *, kind: str | None = None, purpose: str | None = None, **kwargs: Any):
        self.kind = kind
        self.purpose = purpose
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def get_attribute(self, instance: Any) -> Any:
        return instance  # present() needs the whole object (kind, policy), not just the value

    def to_representation(self, instance: Any) -> str | None:
        request = self.context.get("request")
        actor = getattr(request, "user", None)
        return present_or_none(
            actor,
            instance,
            str(self.source),
            purpose=self.purpose or self.context.get("privacy_purpose"),
            context=self.context.get("privacy_context"),
            kind=self.kind,
        )
