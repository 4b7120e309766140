"""Background work of dispatch rounds."""

from __future__ import annotations

from celery import shared_task

from wushe.dispatch import services


@shared_task(name="dispatch.solve_round")
def solve_round(round_id: int) -> str:
    """Solve a round's snapshot with the engine and store the proposal (core.Job tracks it)."""
    return services.dispatch_round_run_job(round_id=round_id)


@shared_task(name="dispatch.redispatch_offer")
def redispatch_offer(assignment_id: int, lapsed: bool = False) -> str:
    """Re-dispatch the task of a declined or lapsed offer that came from an approved round."""
    return services.dispatch_redispatch(assignment_id=assignment_id, lapsed=lapsed)


@shared_task(name="dispatch.lapse_offers")
def lapse_offers() -> int:
    """Every minute (Celery beat): round offers unanswered past the timeout lapse."""
    return services.dispatch_offers_lapse()
