"""Signals other apps listen to, so that the needs app never imports them.

``offer_declined`` is sent after the transaction that ended an offer without a yes has
committed -- the volunteer declined it, or it lapsed unanswered -- with ``assignment_id``
(the TaskAssignment, now ``declined``) and ``lapsed``: dispatch re-dispatches the task
when the offer came from one of its rounds.
"""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal

offer_declined = Signal()


def offer_declined_on_commit(assignment_id: int, *, lapsed: bool = False) -> None:
    transaction.on_commit(
        lambda: offer_declined.send(sender=None, assignment_id=assignment_id, lapsed=lapsed),
        robust=False,
    )
