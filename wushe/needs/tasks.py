"""Periodic work of the needs app."""

from __future__ import annotations

from celery import shared_task

from wushe.needs.services import needs_escalate_overdue


@shared_task(name="needs.escalate_overdue")
def escalate_overdue() -> int:
    """Run every few minutes (Celery beat): flag open requests past their SLA."""
    return needs_escalate_overdue()
