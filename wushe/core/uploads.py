"""Limits on uploaded files: the largest spreadsheet and the largest photo accepted.

A form or serializer field gets ``max_size(kind)`` among its validators; the limit is read from
settings when a file is checked (so an operator can change it without a code change), and the
error names the file's size and the limit. The web server in front should accept
at least as much (``client_max_body_size`` in nginx; see docs/operations.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

Kind = Literal["sheet", "photo"]

_SETTING = {"sheet": "WUSHE_MAX_SHEET_BYTES", "photo": "WUSHE_MAX_PHOTO_BYTES"}


def limit_bytes(kind: Kind) -> int:
    return int(getattr(settings, _SETTING[kind]))


def max_size(kind: Kind) -> Callable[[Any], None]:
    """A validator that refuses a file larger than the configured limit for ``kind``."""

    def validate(upload: Any) -> None:
        size = getattr(upload, "size", None)
        limit = limit_bytes(kind)
        if size is not None and size > limit:
            raise ValidationError(
                _("The file is %(size)s; at most %(limit)s is accepted.")
                % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
                code="file_too_large",
            )

    return validate
