"""Datelines at the start of the lede: "ERBIL, Kurdistan Region - ", "WASHINGTON (AP) — "."""

from __future__ import annotations

__all__ = ["split_dateline"]


def split_dateline(paragraph: str, hint: str | None = None) -> tuple[str | None, str]:
    """Split a lede into (dateline, rest); (None, paragraph) when it has no dateline.

    ``hint`` is a dateline the page declared in markup or JSON-LD.
    """
    return None, paragraph
