"""Lexbor's numeric tag ids, looked up once.

Reading ``node.tag`` decodes the name into a new string on every call; ``node.tag_id`` is
an integer read (a fifth of the cost), so the extraction steps compare ids. Lexbor numbers
the tags it knows with small fixed ids; a name it does not know (a custom element such as
``amp-img``) gets an id of its own per document, above :data:`MAX_KNOWN_ID`.
"""

from __future__ import annotations

from collections.abc import Iterable

from selectolax.lexbor import LexborHTMLParser, LexborNode

__all__ = ["MAX_KNOWN_ID", "TEXT_ID", "ancestor_with_tag", "first_with_tag", "tag_ids"]

# Lexbor's known tags number a few hundred; unknown names get ids far above (addresses).
MAX_KNOWN_ID = 0xFFFF


def tag_ids(names: Iterable[str]) -> dict[str, int]:
    """Lexbor's id of each (known) tag name; the name "-text" gives the id of text nodes."""
    wanted = set(names)
    cells = wanted & {"td", "th"}
    elements = sorted(wanted - cells - {"-text"})
    html = ("<body>x" + "".join(f"<{n}></{n}>" for n in elements)
            + "<table><tr>" + "".join(f"<{n}></{n}>" for n in sorted(cells))
            + "</tr></table></body>")
    root = LexborHTMLParser(html).root
    if root is None:
        raise RuntimeError("Lexbor parsed no document")  # pragma: no cover
    ids = {node.tag or "": node.tag_id for node in root.traverse(include_text=True)}
    found = {name: ids[name] for name in wanted}
    unknown = [name for name, tag_id in found.items() if tag_id > MAX_KNOWN_ID]
    if unknown:
        raise ValueError(f"not tags Lexbor knows: {unknown}")
    return found


TEXT_ID = tag_ids(["-text"])["-text"]
# Elements a walk looks at before handing the search to a CSS query: a query's fixed
# cost (parsing the selector, setting up its memory) is that of a walk over a few dozen
# nodes, and the subtrees searched (a card, a figure, a form's box) are mostly smaller.
_WALK_BUDGET = 32


def first_with_tag(node: LexborNode, tag_id: int, name: str) -> LexborNode | None:
    """The first element with tag id ``tag_id`` (named ``name``) in document order in
    ``node``'s subtree, ``node`` itself included: what ``node.css_first(name)`` finds.

    Small subtrees are walked; past a few dozen nodes the query takes over.
    """
    for count, found in enumerate(node.traverse()):
        if found.tag_id == tag_id:
            return found
        if count >= _WALK_BUDGET:
            return node.css_first(name)
    return None


def ancestor_with_tag(node: LexborNode, ids: frozenset[int], levels: int) -> LexborNode | None:
    """The nearest ancestor of ``node`` (not the node itself) whose tag id is in ``ids``,
    looking at most ``levels`` levels up; None when there is none that close."""
    current = node.parent
    for _ in range(levels):
        if current is None:
            return None
        if current.tag_id in ids:
            return current
        current = current.parent
    return None
