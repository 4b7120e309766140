"""``present``: the one way a protected value reaches a page, an export or an API response
(``present_or_none`` in an API, where a hidden value is ``null``)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from wushe.core.privacy.maskers import mask
from wushe.core.privacy.policy import Access, role_of, rule_for

HIDDEN = _("(hidden)")


def kind_of(obj: models.Model, field: str) -> str:
    """The privacy kind of ``obj.field``: the field's ``kind``, else the model's
    ``privacy_kinds`` mapping (for plain fields such as a name), else ``text``."""
    kinds = getattr(type(obj), "privacy_kinds", {}) or {}
    if field in kinds:
        return kinds[field]
    try:
        model_field = obj._meta.get_field(field)
    except Exception:  # noqa: BLE001 - a property, not a field
        return "text"
    return getattr(model_field, "privacy_kind", "text")


def access_for(
    actor: Any,
    obj: models.Model,
    field: str,
    *,
    purpose: str | None = None,
    context: Any = None,
    kind: str | None = None,
) -> Access:
    """How ``field`` of ``obj`` is shown to ``actor`` (FULL, MASKED or HIDDEN)."""
    return _kind_and_access(actor, obj, field, purpose, context, kind)[1]


def present(
    actor: Any,
    obj: models.Model,
    field: str,
    *,
    purpose: str | None = None,
    context: Any = None,
    kind: str | None = None,
    hidden: Any = HIDDEN,
) -> str:
    """``obj.field`` as ``actor`` may see it: in full, masked, or ``hidden`` (a placeholder).

    No query and no log: use it for every row of a list. An empty value stays empty.
    """
    kind, access = _kind_and_access(actor, obj, field, purpose, context, kind)
    return _value(obj, field, kind, access, hidden)


def present_or_none(
    actor: Any,
    obj: models.Model,
    field: str,
    *,
    purpose: str | None = None,
    context: Any = None,
    kind: str | None = None,
) -> str | None:
    """``present`` for an API: ``None`` when the field is hidden from ``actor``, empty or not
    (one look-up of the policy, where ``access_for`` then ``present`` make two)."""
    kind, access = _kind_and_access(actor, obj, field, purpose, context, kind)
    return None if access is Access.HIDDEN else _value(obj, field, kind, access, HIDDEN)


def _kind_and_access(
    actor: Any, obj: models.Model, field: str, purpose: str | None, context: Any, kind: str | None
) -> tuple[str, Access]:
    kind = kind or kind_of(obj, field)
    return kind, rule_for(kind, role_of(actor), context=context, purpose=purpose).show


def _value(obj: models.Model, field: str, kind: str, access: Access, hidden: Any) -> str:
    value = getattr(obj, field)
    if value is None or value == "":
        return ""
    if access is Access.FULL:
        return str(value)
    if access is Access.MASKED:
        return mask(kind, str(value))
    return str(hidden)
