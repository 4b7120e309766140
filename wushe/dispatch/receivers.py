"""What dispatch does when the needs app reports a change (connected in ``apps.py``)."""

from __future__ import annotations

from typing import Any


def redispatch_on_decline(sender: Any, assignment_id: int, lapsed: bool = False, **kw: Any) -> None:
    """A declined or lapsed offer: re-dispatch the task if it came from an approved round
    (in the background; the volunteer's answer is not kept waiting)."""
    from wushe.dispatch.tasks import redispatch_offer  # noqa: PLC0415 (tasks import services)

    redispatch_offer.delay(assignment_id, lapsed)
