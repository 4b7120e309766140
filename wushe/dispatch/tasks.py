"""Background work of dispatch rounds."""

from __future__ import annotations

from celery import shared_task

from wushe.dispatch import services


@shared_task(name="dispatch.solve_round")
def solve_round(round_id: int) -> str:
    """Solve a round's snapshot with the engine and store the proposal (core.Job tracks it)."""
    return services.dispatch_round_run_job(round_id=round_id)
