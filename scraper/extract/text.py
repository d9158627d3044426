"""Small text helpers shared by the extraction steps."""

from __future__ import annotations

import re

__all__ = ["normalize_space"]

_SPACE = re.compile(r"[\s\u00a0\u200b\u2009\u202f\ufeff]+")


def normalize_space(text: str | None) -> str:
    """Collapse every run of white space (including no-break and zero-width) to one space."""
    if not text:
        return ""
    return _SPACE.sub(" ", text).strip()
