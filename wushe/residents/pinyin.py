"""Names to pinyin for search: full ("zhangsan") and initials ("zs"), with ``pypinyin``."""

from __future__ import annotations

import re
from functools import lru_cache

from pypinyin import lazy_pinyin

_NOT_LETTERS = re.compile(r"[^a-z0-9]")


@lru_cache(maxsize=65536)
def name_pinyin(name: str) -> tuple[str, str]:
    """(full, initials) of a name in lower-case ASCII; non-Chinese text kept as letters."""
    syllables = [s.lower() for s in lazy_pinyin(name or "", errors="default")]
    syllables = [_NOT_LETTERS.sub("", s) for s in syllables]
    syllables = [s for s in syllables if s]
    full = "".join(syllables)
    initials = "".join(s[0] for s in syllables)
    return full, initials


def search_key(text: str) -> str:
    """What a user typed, reduced the way stored pinyin is (for ``startswith``/``contains``)."""
    return _NOT_LETTERS.sub("", (text or "").lower())
