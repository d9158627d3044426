"""Removing boilerplate from the content block: navigation, share bars, related links,
newsletter boxes, comment sections and their policy text."""

from __future__ import annotations

from selectolax.parser import Node

__all__ = ["remove_boilerplate"]

_ALWAYS = "script, style, noscript, nav, aside, form, iframe, figure, figcaption, footer"


def remove_boilerplate(root: Node) -> None:
    """Delete boilerplate nodes inside ``root`` in place."""
    for node in root.css(_ALWAYS):
        node.decompose()
