"""What dispatch does when the needs app reports a change (connected in ``apps.py``)."""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)


def redispatch_on_decline(sender: Any, assignment_id: int, lapsed: bool = False, **kw: Any) -> None:
    """A declined or lapsed offer: re-dispatch the task if it came from an approved round
    (in the background; the volunteer's answer is not kept waiting)."""
    from wushe.dispatch.tasks import redispatch_offer  # noqa: PLC0415 (tasks import services)

    try:
        redispatch_offer.delay(assignment_id, lapsed)
    except Exception:  # the broker is down: the decline itself stands; say so in the log
        logger.exception("could not queue the re-dispatch of assignment %s", assignment_id)
