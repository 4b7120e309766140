"""``FieldsOnce``: an input serializer whose fields are bound once per class.

DRF deep-copies every declared field for each serializer instance (``Serializer.fields``),
which costs more than validating a request body of ordinary fields. With this mixin the
copies are made once per language, bound to a prototype instance of the class, and shared:
validation reads fields without changing them, so threads can share them. Per language,
because DRF formats a validator's message (``min_value`` …) once, the first time it is
shown, and keeps that text; the shared copies have every such message formatted before
any thread sees them (formatting is not thread-safe).

Only for serializers that are validated whole (never ``partial=True``: a field asks its
root, the prototype, whether the validation is partial), that are not nested, and whose
fields read nothing from the serializer's ``context``.
"""

from __future__ import annotations

import threading
from collections.abc import ValuesView
from typing import Any

from django.utils import translation
from django.utils.functional import cached_property
from rest_framework import serializers
from rest_framework.utils.formatting import lazy_format
from rest_framework.utils.serializer_helpers import BindingDict

_lock = threading.Lock()


def _format_messages(field: serializers.Field) -> None:
    """Format the field's validator messages now, under the lock: DRF's ``lazy_format``
    formats itself on first use without a lock, and two threads doing so at once can fail."""
    for validator in field.validators:
        message = getattr(validator, "message", None)
        if isinstance(message, lazy_format):
            str(message)
    child = getattr(field, "child", None)
    if isinstance(child, serializers.Field):
        _format_messages(child)


class _SharedFields(BindingDict):
    def values(self) -> ValuesView[serializers.Field]:
        # The dict's own view: DRF iterates the values on every validation (writable fields,
        # read-only defaults), and a Mapping's generic view looks up each key in turn.
        return self.fields.values()


class FieldsOnce(serializers.Serializer):
    @cached_property
    def fields(self) -> BindingDict:
        cls = type(self)
        language = translation.get_language()
        shared = cls.__dict__.get("_shared_fields", {}).get(language)
        if shared is None:
            with _lock:
                by_language = cls.__dict__.get("_shared_fields")
                if by_language is None:
                    by_language = {}
                    cls._shared_fields = by_language  # type: ignore[attr-defined]
                shared = by_language.get(language)
                if shared is None:
                    prototype = cls()
                    shared = _SharedFields(prototype)
                    for name, field in prototype.get_fields().items():
                        shared[name] = field
                        _format_messages(field)
                    by_language[language] = shared
        return shared

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("partial"):
            raise ValueError(f"{type(self).__name__} shares its fields: it cannot be partial")
        super().__init__(*args, **kwargs)
