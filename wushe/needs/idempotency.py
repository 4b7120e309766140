"""``Idempotency-Key`` for creating POSTs: same key and body, same answer and no second row;
same key with another body, 422 naming the header.

The work runs first and the key row is inserted with its answer at the end, in the same
transaction (one statement for the key on a first attempt); a handler that can hand its rows
over (``deferred``) has them written with the key in one statement. A retry, or a concurrent
duplicate, fails that insert on the unique constraint (user, key) -- a concurrent one waits
for the first to commit -- so its own work is rolled back and the stored answer replayed.
A request with files is checked against the stored keys first, so that a retry writes no
upload twice. Only successful answers are stored: a failed attempt leaves no key behind, so
a corrected retry with the same key runs again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, connection, transaction
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from wushe.core.precompiled import Group, NotDeferrableError, PendingInserts, PrecompiledInsert
from wushe.core.privacy.fields import JSONText
from wushe.needs import errors
from wushe.needs.models import IdempotencyKey

HEADER = "Idempotency-Key"
_KEY_INSERT = PrecompiledInsert(IdempotencyKey)  # compiled once (core.precompiled)


class _FailedAnswerError(Exception):
    def __init__(self, response: Response):
        self.response = response


def body_hash(request: Request) -> str:
    data = request.data
    try:
        plain = {
            k: (data.getlist(k) if hasattr(data, "getlist") else data[k]) for k in sorted(data)
        }
        text = json.dumps(plain, sort_keys=True, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = ""
    files = getattr(request, "FILES", {}) or {}
    for name in sorted(files):
        for upload in files.getlist(name):
            digest = hashlib.sha256()
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
            text += f"|{name}:{digest.hexdigest()}"
    return hashlib.sha256(text.encode()).hexdigest()


def idempotent(
    request: Request,
    scope: str,
    handler: Callable[..., Response],
    *,
    deferred: bool = False,
) -> Response:
    """``handler()``'s answer, stored under the request's key (if it has one).

    ``deferred``: ``handler`` takes a ``PendingInserts`` (or ``None``) and, given one, adds
    the rows it creates instead of writing them; on PostgreSQL they are then written with
    the key in one statement, with no transaction around it (one statement is atomic). A
    request with files, or another database, runs as without ``deferred``."""
    run: Callable[[PendingInserts | None], Response] = (
        handler if deferred else (lambda _pending: handler())
    )
    key = (request.headers.get(HEADER) or "").strip()
    pending = (
        PendingInserts()
        if deferred and connection.vendor == "postgresql" and not getattr(request, "FILES", None)
        else None
    )
    if not key:
        if pending is not None:
            try:
                response = run(pending)
            except NotDeferrableError:
                pending = None  # nothing written yet: the transaction path
            else:
                if response.status_code < 400:
                    _write(pending)
                return response
        return run(None)
    if len(key) > 255:
        raise errors.UnprocessableError(errors.IDEMPOTENCY_KEY_TOO_LONG, field=HEADER)
    digest = body_hash(request)
    if getattr(request, "FILES", None) and (stored := _stored(request, key)) is not None:
        return _replay(stored, scope, digest)

    def key_row(response: Response) -> IdempotencyKey:
        return IdempotencyKey(
            user=request.user,
            key=key,
            scope=scope,
            body_hash=digest,
            status_code=response.status_code,
            response_body=JSONText(_answer_text(request, response)),
        )

    try:
        if pending is not None:
            try:
                response = run(pending)
            except NotDeferrableError:
                pending = None  # nothing written yet: the transaction path
        if pending is not None:
            if response.status_code >= 400:
                raise _FailedAnswerError(response)
            _write(pending, (_KEY_INSERT, [key_row(response)]))
            return response
        with transaction.atomic():
            response = run(None)
            if response.status_code >= 400:
                raise _FailedAnswerError(response)
            _KEY_INSERT.insert(key_row(response))
            return response
    except IntegrityError:
        stored = _stored(request, key)
        if stored is None:
            raise
    except Exception as exc:
        # A retry whose work now fails (the request it created has moved on, or the first
        # attempt holding a lock committed meanwhile) still gets the first answer.
        stored = _stored(request, key)
        if stored is None:
            if isinstance(exc, _FailedAnswerError):
                return exc.response
            raise
    return _replay(stored, scope, digest)


def _answer_text(request: Request, response: Response) -> str:
    """The answer's JSON text, serialized once. For a client that takes JSON, ``response`` is
    rendered here as DRF would render it after the view (same renderer and media type; a
    response is rendered once) and the content sent is the text stored; for another (the
    browsable API), the text stored is what JSON would send. A replay sends the same."""
    renderer = getattr(request, "accepted_renderer", None)
    if not isinstance(renderer, JSONRenderer):
        text = JSONRenderer().render(response.data)
    else:
        view = request.parser_context.get("view")
        response.accepted_renderer = renderer
        response.accepted_media_type = request.accepted_media_type
        response.renderer_context = view.get_renderer_context() if view is not None else {}
        text = response.render().content
    return text.decode() or "null"  # no data: no content, replayed as none


def _write(pending: PendingInserts, *more: Group) -> None:
    # One statement needs no transaction; inside a caller's, a savepoint keeps a failed write
    # (a retry's key already stored) from spoiling it.
    if connection.in_atomic_block:
        with transaction.atomic():
            pending.write(*more)
    else:
        pending.write(*more)


def _stored(request: Request, key: str) -> IdempotencyKey | None:
    return IdempotencyKey.objects.filter(user=request.user, key=key).first()


def _replay(stored: IdempotencyKey, scope: str, digest: str) -> Response:
    if stored.body_hash != digest or stored.scope != scope:
        raise errors.UnprocessableError(errors.IDEMPOTENCY_MISMATCH, field=HEADER)
    if stored.status_code is None:
        raise errors.ConflictError(errors.IDEMPOTENCY_IN_PROGRESS, field=HEADER)
    response = Response(stored.response_body, status=stored.status_code)
    response["Idempotent-Replayed"] = "true"
    return response


def idempotency_header_parameter() -> Any:
    from drf_spectacular.utils import OpenApiParameter

    return OpenApiParameter(
        HEADER,
        location=OpenApiParameter.HEADER,
        required=False,
        description="Any unique string (a UUID) per new request; a retry with the same key "
        "and body gets the same answer and creates nothing.",
    )
