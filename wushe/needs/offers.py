"""Offer links: accept or decline a task in one tap from the message that carries the offer.

The link holds a signed, expiring token naming one assignment (``TimestampSigner``); the
token is the only credential, so it names a single task, expires, and does nothing once the
offer was answered (a decline stays a decline).
"""

from __future__ import annotations

from django.core import signing

from wushe.core.errors import ApplicationError
from wushe.needs import errors
from wushe.needs.models import TaskAssignment

SALT = "wushe.needs.offer"
MAX_AGE = 24 * 3600


def offer_token(assignment: TaskAssignment) -> str:
    return signing.TimestampSigner(salt=SALT).sign(str(assignment.pk))


def assignment_from_token(token: str, *, max_age: int = MAX_AGE) -> TaskAssignment:
    try:
        pk = signing.TimestampSigner(salt=SALT).unsign(token, max_age=max_age)
    except signing.BadSignature as exc:  # SignatureExpired is a BadSignature
        raise ApplicationError(errors.OFFER_LINK_INVALID) from exc
    found = (
        TaskAssignment.objects.select_related("task__need__area", "volunteer").filter(pk=pk).first()
    )
    if found is None:
        raise ApplicationError(errors.OFFER_LINK_INVALID)
    return found
