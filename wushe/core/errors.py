"""One family of application errors, mapped to HTTP responses in one place (core.api).

Each app defines its messages as translatable constants so that tests can assert on them.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


class ApplicationError(Exception):
    """A user-facing error: a translated message, optionally naming the field or row."""

    status_code = 400

    def __init__(
        self, message: Any, *, field: str | None = None, extra: dict[str, Any] | None = None
    ):
        super().__init__(str(message))
        self.message = message
        self.field = field
        self.extra = extra or {}

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"detail": str(self.message)}
        if self.field:
            body["field"] = self.field
        body.update(self.extra)
        return body


class NotFoundError(ApplicationError):
    """Does not exist, or is not the actor's to see: the two are deliberately indistinguishable."""

    status_code = 404

    def __init__(self, message: Any = None, **kwargs: Any):
        super().__init__(message or NOT_FOUND, **kwargs)


class PermissionDeniedError(ApplicationError):
    status_code = 403

    def __init__(self, message: Any = None, **kwargs: Any):
        super().__init__(message or PERMISSION_DENIED, **kwargs)


NOT_FOUND = _("Not found.")
PERMISSION_DENIED = _("You do not have permission to do this.")
NO_SCOPE = _(
    "Your account has no area assigned, so there is nothing you can see yet. "
    "Ask your system administrator to set your area."
)
