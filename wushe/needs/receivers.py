"""What the needs app does when other apps report a change (connected in ``apps.py``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from wushe.needs import services


def rerank_on_tags_changed(sender: Any, resident_ids: Iterable[int], **kwargs: Any) -> None:
    services.needs_rerank_for_residents(resident_ids=resident_ids)
