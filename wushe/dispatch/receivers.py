"""What dispatch does when the needs app reports a change, or a round's job stalls (connected
in ``apps.py``)."""

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


def fail_round_of_stalled_job(job: Any) -> None:
    """The solve's job stalled (its worker died) and was failed: the round stops waiting on it
    and fails with the job's reason, so the dispatcher can start another."""
    from wushe.dispatch.models import DispatchRound  # noqa: PLC0415
    from wushe.dispatch.services import dispatch_round_fail  # noqa: PLC0415

    for round_id in DispatchRound.objects.filter(job=job).values_list("pk", flat=True):
        dispatch_round_fail(round_id=round_id, error=job.error)
