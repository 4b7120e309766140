"""Every action a request's history records reads in words (the history page shows
``action_label``; a missing label showed the raw code, e.g. "escalated", to Chinese users)."""

from __future__ import annotations

import re
from pathlib import Path

import wushe.needs.services
from wushe.needs.models import EVENT_LABELS, NeedEvent


def test_every_recorded_action_has_a_label():
    source = Path(wushe.needs.services.__file__).read_text(encoding="utf-8")
    written = set(re.findall(r'_event\(\s*[\w.]+,\s*"(\w+)"', source))
    written |= set(re.findall(r'_set_status\([^)]*?"(\w+)"(?:,|\))', source))
    written |= set(re.findall(r'NeedEvent\([^)]*action="(\w+)"', source))
    assert {"escalated", "reranked", "task_returned", "created"} <= written
    assert written - set(EVENT_LABELS) == set()


def test_an_escalation_reads_as_overdue():
    assert NeedEvent(action="escalated").action_label == str(EVENT_LABELS["escalated"])
    assert NeedEvent(action="escalated").action_label != "escalated"
