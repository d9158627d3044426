"""Finding the main content block and reading its paragraphs in order.

The content block is found from the page's paragraphs in one CSS query: each paragraph of
prose credits its parent and, less and less, its next ancestors (as readability does);
class/id hints, ``itemprop=articleBody`` and ``<article>`` weigh in. When the body is
split over sibling blocks, their common parent is taken and the cleanup drops the chrome
between them. The block is then read by one iterative walk (no recursion: a page of 100k
nested elements must not blow the stack) that skips boilerplate subtrees and turns
blocks, list items, quotes, table rows and ``<br><br>`` runs into paragraphs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.extract.cleanup import (
    drop_boilerplate,
    hint_words,
    is_boilerplate_element,
    is_dek,
    is_negative,
    is_positive,
)
from scraper.extract.metadata import PageMetadata
from scraper.extract.text import fold, normalize_space

__all__ = ["BodyText", "extract_body", "find_content_root"]


@dataclass(frozen=True, slots=True)
class BodyText:
    """The body's paragraphs, and the standfirst if one was found in the page."""

    paragraphs: tuple[str, ...]
    summary: str | None = None


# Elements that stay inside a paragraph; every other element starts and ends a block.
_INLINE = frozenset({
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "del", "dfn", "em", "font",
    "i", "ins", "kbd", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup",
    "time", "tt", "u", "var", "wbr", "nobr", "acronym", "big", "strike",
})
_CELLS = frozenset({"td", "th"})
_HEADINGS = frozenset({"h2", "h3", "h4", "h5", "h6"})

# Paragraphs shorter than this are captions, labels or links, not prose.
_MIN_PROSE = 25
# How far up a paragraph credits its ancestors, and with what divisor (readability's).
_DIVISORS = (1.0, 2.0, 6.0)
_LINK_HEAVY = 0.8
_RANKED = 10


@dataclass(slots=True)
class _Candidate:
    node: LexborNode
    raw: float = 0.0
    prior: float | None = None
    parent: int = 0
    own: int = 0
    signature: str | None = None

    @property
    def score(self) -> float:
        if self.prior is None:
            self.prior = _prior(self.node)
        return self.raw + self.prior


def _hints(node: LexborNode) -> str:
    attrs = node.attrs
    cls = attrs.get("class")
    ident = attrs.get("id")
    if ident:
        return f"{cls} {ident}" if cls else ident
    return cls or ""


def _prior(node: LexborNode) -> float:
    """The candidate's score before any paragraph: what its tag and class/id say."""
    tag = node.tag
    attrs = node.attrs
    score = 0.0
    if tag == "article":
        score += 15
    elif tag in ("div", "main", "section"):
        score += 5
    elif tag in ("td", "blockquote", "pre"):
        score += 3
    elif tag in ("ul", "ol", "li", "dl", "form", "aside", "nav", "footer", "header"):
        score -= 25
    if "itemprop" in attrs and attrs.get("itemprop") == "articleBody":
        score += 50
    cls = attrs.get("class")
    ident = attrs.get("id")
    if cls or ident:
        words = hint_words(f"{cls or ''} {ident or ''}")
        if is_positive(words):
            score += 25
        if is_negative(words):
            score -= 25
    return score


def find_content_root(tree: LexborHTMLParser, meta: PageMetadata) -> LexborNode | None:
    """The element that holds the article's text, or None when the page has none."""
    body = tree.body
    if body is None:
        return None
    candidates: dict[int, _Candidate] = {}
    prose: list[tuple[LexborNode, int, int]] = []
    for p in tree.css("p"):
        text = p.text()
        length = len(text)
        if length < _MIN_PROSE:
            continue
        weight = 1.0 + min(length / 100.0, 3.0) + min(text.count(","), 3)
        node = p.parent
        keys = [0, 0]
        for level, divisor in enumerate(_DIVISORS):
            if node is None or node.tag in ("body", "html"):
                break
            key = node.mem_id
            if level < 2:
                keys[level] = key
            cand = candidates.get(key)
            if cand is None:
                cand = candidates[key] = _Candidate(node)
            cand.raw += weight / divisor
            if level == 0:
                cand.own += length
            parent = node.parent
            if parent is not None:
                cand.parent = parent.mem_id
            node = parent
        prose.append((p, keys[0], keys[1]))
    if not candidates:
        return body
    # Class/id priors are worth at most ~100 points: only the leaders by prose can win,
    # and reading the attributes of every candidate would cost more than the rest.
    ranked = sorted(candidates.values(), key=lambda c: c.raw, reverse=True)[:_RANKED]
    best = max(ranked, key=lambda c: c.score)
    spread = _common_block(best, prose, candidates)
    return spread if spread is not None else _widen(best, candidates)


def _signature(candidates: dict[int, _Candidate], key: int) -> str:
    cand = candidates.get(key)
    if cand is None:
        return ""
    if cand.signature is None:
        node = cand.node
        cand.signature = f"{node.tag}.{node.attrs.get('class') or ''}"
    return cand.signature


def _common_block(
    best: _Candidate, prose: list[tuple[LexborNode, int, int]],
    candidates: dict[int, _Candidate],
) -> LexborNode | None:
    """The common ancestor of the paragraphs laid out like the best block's own ones.

    Sites that split the body into one wrapper per paragraph or per chunk (between ads)
    repeat the same wrapper markup; the article is where that markup recurs.
    """
    mine = best.node.mem_id
    shapes: dict[tuple[str, str], int] = {}
    for p, key0, key1 in prose:
        if mine in (key0, key1) or p.parent is None:
            shape = (_signature(candidates, key0), _signature(candidates, key1))
            shapes[shape] = shapes.get(shape, 0) + 1
    if not shapes:
        return None
    shape = max(shapes, key=lambda s: shapes[s])
    if shape[0].endswith(".") and shape[1].endswith("."):
        return None  # bare <div><div><p> recurs all over a page: no evidence
    chain: list[LexborNode] = []
    index: dict[int, int] = {}
    deepest = 0
    for p, key0, key1 in prose:
        if (_signature(candidates, key0), _signature(candidates, key1)) != shape:
            continue
        node = p.parent
        if not chain:
            while node is not None:
                index[node.mem_id] = len(chain)
                chain.append(node)
                node = node.parent
            continue
        while node is not None and node.mem_id not in index:
            node = node.parent
        if node is not None:
            deepest = max(deepest, index[node.mem_id])
    if not chain:
        return None
    common = chain[deepest]
    if common.tag in ("body", "html"):
        return None
    if deepest == 0 or chain[deepest - 1].mem_id != mine:
        return common
    return None


def _widen(best: _Candidate, candidates: dict[int, _Candidate]) -> LexborNode:
    """The best block, or its parent when the article's paragraphs continue in siblings."""
    parent = candidates.get(best.parent)
    if parent is None or parent.score < 0:
        return best.node
    threshold = max(10.0, best.score * 0.2)
    for cand in candidates.values():
        if (cand is not best and cand.parent == best.parent and cand.raw >= threshold
                and cand.score >= threshold):
            return parent.node
    if parent.own >= max(2 * _MIN_PROSE, best.own * 0.3):
        return parent.node
    return best.node


@dataclass(slots=True)
class _Reader:
    """Collects the text of the block walk into paragraphs."""

    headline: str
    chrome: dict[str, bool] = field(default_factory=dict)
    parts: list[str] = field(default_factory=list)
    link_chars: int = 0
    links: int = 0
    breaks: int = 0
    paragraphs: list[str] = field(default_factory=list)
    summary: str | None = None

    def text(self, value: str) -> None:
        if value.strip():
            self.breaks = 0
            if self.links:
                self.link_chars += len(value.strip())
        self.parts.append(value)

    def flush(self) -> None:
        self.breaks = 0
        if not self.parts:
            return
        text = normalize_space("".join(self.parts))
        link_chars = self.link_chars
        self.parts.clear()
        self.link_chars = 0
        if not text or link_chars > _LINK_HEAVY * len(text.replace(" ", "")):
            return
        self.paragraphs.append(text)


def _read(root: LexborNode, reader: _Reader) -> None:
    """Walk ``root``'s subtree in document order without recursion."""
    stack: list[tuple[LexborNode, str]] = []
    node = root.child
    while True:
        if node is None:
            if not stack:
                break
            node, tag = stack.pop()
            if tag == "a":
                reader.links -= 1
            elif tag not in _INLINE:
                reader.flush()
            node = node.next
            continue
        tag = node.tag or ""
        if tag == "-text":
            reader.text(node.text_content or "")
            node = node.next
            continue
        if not tag or tag[0] in "-#!" or not node.is_element_node:
            if node.is_text_node:
                reader.text(node.text_content or "")
            node = node.next
            continue
        if tag == "br":
            reader.breaks += 1
            if reader.breaks >= 2:
                reader.flush()
            else:
                reader.parts.append(" ")
            node = node.next
            continue
        child = node.child
        if tag in _INLINE:
            if child is None or (tag == "span" and _hidden(node)):
                node = node.next
                continue
            if tag == "a":
                reader.links += 1
        else:
            if _skip(node, tag, _hints(node), reader):
                node = node.next
                continue
            reader.flush()
            if tag in _CELLS:
                reader.parts.append(" ")
            if child is None:
                node = node.next
                continue
        stack.append((node, tag))
        node = child


def _hidden(node: LexborNode) -> bool:
    cls = node.attrs.get("class") or ""
    return "sr-only" in cls or "visually-hidden" in cls or "screen-reader" in cls


def _skip(node: LexborNode, tag: str, hints: str, reader: _Reader) -> bool:
    """Whether to skip this block; takes a standfirst found before the first paragraph."""
    if (hints and not reader.paragraphs and reader.summary is None
            and is_dek(hint_words(hints))):
        text = normalize_space(node.text())
        if 0 < len(text) <= 1000:
            reader.summary = text
            return True
    key = f"{tag} {hints}"
    known = reader.chrome.get(key)
    if known is None:
        known = reader.chrome[key] = is_boilerplate_element(tag, hints)
    return known


def extract_body(root: LexborNode, meta: PageMetadata) -> BodyText:
    """Read ``root``'s paragraphs in reading order, without boilerplate.

    The standfirst (a dek element before the first paragraph, or a first paragraph equal
    to the page's description) becomes ``summary``; the headline, repeated paragraphs and
    boilerplate are dropped.
    """
    reader = _Reader(headline=fold(meta.headline or ""))
    _read(root, reader)
    reader.flush()
    paragraphs = drop_boilerplate(reader.paragraphs)
    headline = reader.headline
    seen: set[str] = set()
    unique: list[str] = []
    for text in paragraphs:
        if text in seen or (headline and abs(len(text) - len(headline)) < 8
                            and fold(text) == headline):
            continue
        seen.add(text)
        unique.append(text)
    summary = reader.summary
    if summary is None and unique and meta.summary and fold(unique[0]) == fold(meta.summary):
        summary = unique.pop(0)
    elif summary is not None and summary in seen:
        summary = None
    return BodyText(tuple(unique), summary)
