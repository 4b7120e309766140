"""Signals other apps listen to, so that the registry never imports them.

``resident_tags_changed`` is sent after the transaction that changed what a resident's
key-population tags are (edited by hand, re-imported, or a new birth date that moves the age
tags) has committed, with ``resident_ids``: the needs app re-ranks their open requests.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.dispatch import Signal

resident_tags_changed = Signal()


def tags_changed_on_commit(resident_ids: Iterable[int]) -> None:
    ids = sorted(set(resident_ids))
    if ids:
        transaction.on_commit(
            lambda: resident_tags_changed.send(sender=None, resident_ids=ids), robust=False
        )
