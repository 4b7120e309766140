"""The one scoping mechanism: every selector, page, API view and admin queryset goes through it.

A model says how it is scoped with class attributes:

- ``scope_path_field``: lookup of the area path the row belongs to (``"area__path"``); a user
  sees rows whose path starts with the path of their scope area;
- ``scope_assignee_field`` (optional): lookup of the user a row is assigned to; such rows are
  visible to that user whatever their area (volunteers see only these);
- ``scope_owner_field`` (optional): the user who created the row, who may always see it.

The acting user says what they may see (duck-typed, so core knows no accounts model):
``sees_everything``, ``sees_assigned_only`` and ``scope_path`` (``None`` when no area is set,
in which case they see nothing).
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, Q, QuerySet

from wushe.core.errors import NotFoundError

M = TypeVar("M", bound=Model)


NOTHING, PERSONAL, EVERYTHING, AREA = "nothing", "personal", "everything", "area"


def scope_kind(model: type[Model], actor: Any) -> str:
    """Which of ``scope_q``'s filters applies to ``actor`` on ``model``: ``NOTHING``,
    ``PERSONAL`` (rows assigned to or created by the actor), ``EVERYTHING``, or ``AREA`` (the
    actor's area path as a prefix, or personal rows). A hot path can compile one query per
    kind and pass the actor's path and id as values (``scope_q_of_kind``)."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return NOTHING
    personal = PERSONAL if _personal_fields(model) else NOTHING
    if getattr(actor, "sees_assigned_only", False):
        return personal
    if getattr(actor, "sees_everything", False):
        return EVERYTHING
    if not getattr(actor, "scope_path", None) or not getattr(model, "scope_path_field", None):
        return personal
    return AREA


def _personal_fields(model: type[Model]) -> list[str]:
    fields = (
        getattr(model, "scope_assignee_field", None),
        getattr(model, "scope_owner_field", None),
    )
    return [f for f in fields if f]


def scope_q_of_kind(model: type[Model], kind: str, *, path: Any, user: Any) -> Q | None:
    """The filter of ``scope_kind`` ``kind`` with ``path`` as the area prefix and ``user`` (a
    user or its id) as the personal rows' user; ``None`` means nothing."""
    if kind == NOTHING:
        return None
    if kind == EVERYTHING:
        return Q()
    personal = Q()
    for field in _personal_fields(model):
        personal |= Q(**{field: user})
    if kind == PERSONAL:
        return personal
    return Q(**{f"{model.scope_path_field}__startswith": path}) | personal  # type: ignore[attr-defined]


def scope_q(model: type[Model], actor: Any) -> Q | None:
    """The filter that limits ``model`` to what ``actor`` may see; ``None`` means nothing."""
    return scope_q_of_kind(
        model, scope_kind(model, actor), path=getattr(actor, "scope_path", None), user=actor
    )


def scoped(queryset: QuerySet[M], actor: Any) -> QuerySet[M]:
    """``queryset`` limited to the rows ``actor`` may see."""
    q = scope_q(queryset.model, actor)
    if q is None:
        return queryset.none()
    return queryset.filter(q) if q else queryset


def get_scoped(queryset: QuerySet[M], actor: Any, **lookup: Any) -> M:
    """Fetch one row the actor may see; "does not exist" and "not yours" both raise NotFoundError."""
    try:
        return scoped(queryset, actor).get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundError() from exc


def row_in_scope(obj: Model, actor: Any) -> bool:
    """Whether a row already loaded is one ``scoped`` would give ``actor``: for models scoped
    by a path column of their own (``scope_path_field`` without ``__``), with neither an
    assignee nor an owner field. Lets a hot path fetch by key first and check after."""
    model = type(obj)
    path_field = getattr(model, "scope_path_field", None)
    if (
        not path_field
        or "__" in path_field
        or getattr(model, "scope_assignee_field", None)
        or getattr(model, "scope_owner_field", None)
    ):
        raise ValueError(f"row_in_scope does not apply to {model.__name__}")
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    if getattr(actor, "sees_assigned_only", False):
        return False
    if getattr(actor, "sees_everything", False):
        return True
    path = getattr(actor, "scope_path", None)
    if not path:
        return False
    return str(getattr(obj, path_field)).startswith(str(path))


def path_in_scope(path: str, actor: Any) -> bool:
    """Whether an area path lies inside the actor's scope (for checks before a write)."""
    if getattr(actor, "sees_everything", False):
        return True
    scope = getattr(actor, "scope_path", None)
    if getattr(actor, "sees_assigned_only", False) or not scope:
        return False
    return path.startswith(scope)
