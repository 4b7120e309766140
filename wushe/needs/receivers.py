"""What the needs app does when other apps report a change (connected in ``apps.py``)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from wushe.needs import services

logger = logging.getLogger(__name__)


def rerank_on_tags_changed(sender: Any, resident_ids: Iterable[int], **kwargs: Any) -> None:
    """Re-rank after the tags change has committed. A failure here must not turn the saved
    change (a worker's tags page, an import job) into an error: it is logged, and the next
    change of the request's facts or tags ranks it again."""
    ids = list(resident_ids)
    try:
        services.needs_rerank_for_residents(resident_ids=ids)
    except Exception:
        logger.exception("could not re-rank the open requests of %s resident(s)", len(ids))
