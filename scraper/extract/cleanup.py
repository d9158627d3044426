"""Removing boilerplate from the content block: navigation, share bars, related links,
newsletter boxes, comment sections and their policy text."""

from __future__ import annotations

from selectolax.lexbor import LexborNode

__all__ = ["remove_boilerplate"]

_ALWAYS = "script, style, noscript, nav, aside, form, iframe, figure, figcaption, footer"


def remove_boilerplate(root: LexborNode) -> None:
    """Delete boilerplate nodes inside ``root`` in place."""
    for node in root.css(_ALWAYS):
        node.decompose()
