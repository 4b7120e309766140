"""Periodic work of the needs app."""

from __future__ import annotations

from celery import shared_task

from wushe.needs.services import idempotency_keys_prune, needs_escalate_overdue


@shared_task(name="needs.escalate_overdue")
def escalate_overdue() -> int:
    """Run every few minutes (Celery beat): flag open requests past their SLA."""
    return needs_escalate_overdue()


@shared_task(name="needs.prune_idempotency_keys")
def prune_idempotency_keys() -> int:
    """Daily: stored answers older than two days are no longer needed for retries."""
    return idempotency_keys_prune()
