"""Finding the main content block and reading its paragraphs in order.

Two steps, each bounded by the page size:

1. :func:`find_content_root` reads every ``<p>`` (and every box of ``<br>``-separated
   text) in one CSS query and groups the paragraphs of prose by how they are wrapped: the
   tag and class of their parent and grandparent. A body repeats its wrapper for every
   paragraph or chunk, even when a site gives each paragraph its own ``<div>`` or splits
   the text between ads; teaser cards, comments and fact boxes have wrappers of their own.
   The heaviest group, weighed by what its wrappers' tags and class/id say, is the
   article, and its paragraphs' lowest common ancestor is the block (unless that sits in
   an ``<aside>``, ``<nav>`` or ``<footer>``: then the next group is tried). When the
   ``<p>`` hold little prose, ``<div>`` that start with text count as paragraphs too.
2. :func:`extract_body` walks the block once, iteratively (a page of 100k nested
   elements must not blow the stack), skipping chrome subtrees and turning blocks, list
   items, quotes, table rows and ``<br><br>`` runs into paragraphs; boilerplate
   paragraphs are then dropped by their text (:mod:`scraper.extract.cleanup`), and the
   standfirst (dek-classed, or showing the page's description) becomes the summary.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.extract.cleanup import (
    ElementKind,
    could_be_dek,
    drop_boilerplate,
    element_kind,
    hint_words,
    is_body_mark,
    is_dek,
    is_negative,
    is_positive,
    site_name,
)
from scraper.extract.lexicon import POSITION_CLASS_WORDS, SKIP_TAGS
from scraper.extract.metadata import PageMetadata
from scraper.extract.tags import first_with_tag, tag_ids
from scraper.extract.text import fold, normalize_space

__all__ = ["BodyText", "ContentBlock", "extract_body", "find_content_root"]


@dataclass(frozen=True, slots=True)
class ContentBlock:
    """The element holding the article.

    ``keep``: elements (by ``mem_id``) known to hold the article's paragraphs, which the
    cleanup must not drop whatever their class says. ``texts``: the text of paragraphs
    already read while finding the block, so that the walk does not read them again.
    ``dek``: a paragraph of the page that shows the page's description (its standfirst).
    """

    node: LexborNode
    keep: frozenset[int] = frozenset()
    texts: Mapping[int, str] = field(default_factory=dict)
    dek: str | None = None


@dataclass(frozen=True, slots=True)
class BodyText:
    """The body's paragraphs, and the standfirst if one was found in the page."""

    paragraphs: tuple[str, ...]
    summary: str | None = None
    # The text of an element marked as the dateline (class "dateline", itemprop="dateline")
    # at the start of one of the first paragraphs: a hint for the dateline step.
    dateline: str | None = None


# Elements that stay inside a paragraph; every other element starts and ends a block.
_INLINE = frozenset({
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "del", "dfn", "em", "font",
    "i", "ins", "kbd", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup",
    "time", "tt", "u", "var", "wbr", "nobr", "acronym", "big", "strike",
})


# The walk compares ids, which costs a fifth of reading a node's tag name.
_IDS = tag_ids(_INLINE | SKIP_TAGS | {"a", "br", "td", "th", "p", "aside", "nav", "footer",
                                      "li", "blockquote", "article", "main", "-text", "h2",
                                      "h3", "h4", "h5", "h6", "tr", "body", "html", "table",
                                      "img"})
_TEXT_ID = _IDS["-text"]
_BR_ID = _IDS["br"]
_A_ID = _IDS["a"]
# A link in a heading to a place in the page, on the walk's stack (no tag has this id).
_ANCHOR = -1
_P_ID = _IDS["p"]
_INLINE_IDS = frozenset(_IDS[name] for name in _INLINE)
_CELL_IDS = frozenset({_IDS["td"], _IDS["th"]})
# Elements whose end does not end the paragraph: inline ones, and table cells (a row is
# one paragraph, its cells joined).
_UNBROKEN_IDS = _INLINE_IDS | _CELL_IDS
# Never text, whatever their class: skipped without reading their attributes.
_SKIP_IDS = frozenset(_IDS[name] for name in SKIP_TAGS)
# A figure that holds a table (the block editors' "wp-block-table") is read: the table is
# the article's; its caption and pictures are skipped as everywhere.
_FIGURE_ID = _IDS["figure"]
_TABLE_ID = _IDS["table"]
_IMG_ID = _IDS["img"]
# A heading's id is an anchor made from its text ("h-what-is-social-shopping"), which says
# nothing about what the heading is: only its class is read.
_HEADING_IDS = frozenset(_IDS[f"h{n}"] for n in range(2, 7))
# Rows and cells of a table in the article are its data whatever their class says (a
# sports table's rows are classed "player").
_ROW_IDS = frozenset({_IDS["tr"], _IDS["td"], _IDS["th"]})
# Ids below this are the document, text, comments and doctypes, not elements.
_FIRST_ELEMENT_ID = 6
# A dateline mark is looked for at the start of this many first paragraphs (a kicker or a
# byline paragraph may come before the lede), this many elements down, and is no longer
# than this (longer, the element holds more than the place).
_DATELINE_PARAGRAPHS = 3
_DATELINE_DEPTH = 3
_MAX_DATELINE_MARK = 100

# Paragraphs shorter than this are captions, labels or links, not prose.
_MIN_PROSE = 25
# A form's box: up to _FORM_BOX_LEVELS wrappers around a form control, with at most
# _FORM_PITCH characters of text beside it.
_FORM_CONTROLS = "form, input[type=email]"
# And links styled as buttons (a class with "button" or "btn"): calls to act ("Get
# started", "Talk to us!"). One query finds both: each query, and each selector in it,
# costs a walk of the block.
_CONTROLS = f"{_FORM_CONTROLS}, a[class*=button], a[class*=btn]"
_FORM_BOX_LEVELS = 4
_FORM_PITCH = 200
# A repeated paragraph of this many words or fewer that is not a sentence is a label of a
# recurring layout ("Pros", "Best for", "Key results" in every card of a review), kept.
_LABEL_WORDS = 4
# A paragraph repeated alone, among other paragraphs, is the article's from this many
# words, or when it is a field ("Team size: 11-50", "Pet safety: toxic to cats."): the same
# value under two items of a list.
_LONE_WORDS = 10
_FIELD = re.compile(r"[^\W\d_][^:.!?]{0,30}: \S")
_SENTENCE_ENDS = (".", "!", "?", "。", "！", "？")
# A date or a byline run on after the headline in the same paragraph.
_RUN_ON = 40
# How much of the page's description a paragraph must show to be its standfirst.
_DEK_PREFIX = 60
# A block whose text is mostly link text is a list of links, not prose.
_LINK_HEAVY = 0.8
# A heading right above this many link-heavy paragraphs heads a list of links.
_LINKS_UNDER = 2
# A standfirst is a sentence or two, not a chunk of the page; it is looked for among
# this many elements before the block, on this many levels up.
_MAX_DEK = 1000
_DEK_LEVELS = 3
_DEK_SCAN = 40
# How much the wrapper of a paragraph says about it being the article's: paragraphs in
# asides, captions, forms and links (teaser cards) are never the body; list items and
# quotes are part of a body but do not make one.
_WRAPPER_WEIGHT = {
    "aside": 0.0, "nav": 0.0, "footer": 0.0, "form": 0.0, "figcaption": 0.0,
    "figure": 0.0, "a": 0.0, "header": 0.0, "button": 0.0, "label": 0.0, "dialog": 0.0,
    "li": 0.3, "blockquote": 0.5, "td": 0.7, "article": 1.3, "main": 1.2,
}
_WRAPPER_WEIGHT_IDS = {_IDS[name]: weight for name, weight in _WRAPPER_WEIGHT.items()}
_NO_BODY = ("body", "html")
_NO_BODY_IDS = frozenset(_IDS[name] for name in _NO_BODY)
# A block inside these is a side box or the page footer, not the article.
_CHROME_ABOVE = ("aside", "nav", "footer")
_CHROME_ABOVE_IDS = frozenset(_IDS[name] for name in _CHROME_ABOVE)
_MAIN_ID = _IDS["main"]
# How much a chrome word in a wrapper's class/id weighs a group down; a group of _SOME
# paragraphs or more with _MOST of the page's prose, or _DOMINANT times the next group's, is
# weighed down by a second word only.
_CHROME_WORD = 0.1
_SOME = 3
_MOST = 0.5
_DOMINANT = 2.0
# A group whose block holds the heaviest group's block is taken with this share of its
# weight: the paragraphs around a list inside the story.
_NESTED = 0.3
# Groups of prose in blocks beside the chosen one (same parent), with at least _JOIN of
# its group's weight, are parts of the story; unless they hold fewer than _PART paragraphs
# per wrapper (teaser blurbs).
_JOIN = 0.1
_PART = 1.5
# Teaser blurbs, one to a wrapper beside a link in each card, are chrome when there are
# this many cards (a story told in three sections, each with a link, is not).
_CARDS = 4
# Groups weighed by their wrappers' class/id (the costly part), heaviest by raw text
# first; and groups tried before giving up on a block outside the chrome.
_WEIGHED = 4
_TRIES = 3
# A class name with a digit in it may number an instance of another class ("et_pb_text_24");
# one with these words may say where the element stands among its siblings
# ("panel-last-child", "first", "odd"): the chunks of one story stand first, last or between.
# Whether a class value may hold either (one search of literals; the full patterns below
# cost more and are run only when it may).
_MARKED = re.compile("|".join((r"\d", *POSITION_CLASS_WORDS))).search
_POSITION = re.compile(rf"(?:.*[-_])?(?:{'|'.join(POSITION_CLASS_WORDS)})(?:[-_]child)?")
_INSTANCE = re.compile(r"(.+?)[-_]+[^-_]*\d[^-_]*$")
# A body with less prose than this in <p> and <br> boxes is looked for in <div>s too.
_THIN = 1000


# A paragraph of a group: the element, its grandparent's mem_id, and its text (None for a
# box of text read by the walk).
_Member = tuple[LexborNode, int, str | None]


@dataclass(slots=True)
class _Group:
    """Paragraphs of prose that share a wrapper markup."""

    parent: LexborNode
    grand: LexborNode | None
    size: int = 0
    weight: float = 0.0
    chrome: int = 0  # wrappers with chrome words in their class/id
    # (paragraph, grandparent's mem_id, text or None for a <br> box)
    members: list[_Member] = field(default_factory=list)


# Attributes are read as one dict (``attributes``): ``attrs.get`` raises and catches a
# KeyError inside selectolax for every missing attribute, which costs more than building
# the dict of the few attributes an element has.


def _hints(node: LexborNode) -> str:
    attrs = node.attributes
    cls = attrs.get("class")
    ident = attrs.get("id")
    if ident:
        return f"{cls} {ident}" if cls else ident
    return cls or ""


def _signature(node: LexborNode | None) -> str:
    """The wrapper's tag and class, as a key within the page (the tag by Lexbor's id,
    which is cheaper to read than its name)."""
    if node is None:
        return ""
    tag = node.tag_id
    if tag < _FIRST_ELEMENT_ID:
        return ""
    cls = node.attributes.get("class") or ""
    marked = _MARKED(cls)
    return f"{tag}.{_unnumbered(cls) if marked else cls}"


@functools.lru_cache(maxsize=4096)
def _unnumbered(cls: str) -> str:
    """A class value without the names that number one instance of another of its classes
    or say where it stands among its siblings.

    Page builders number each module ("et_pb_text et_pb_text_24", "elementor-element
    elementor-element-d833345") and mark the first and last ("panel-last-child"): the
    chunks of one story share their wrapper all the same. A hashed name of its own
    ("css-114osio", "Markdown_text__X7AEN") is the style, kept.
    """
    names = cls.split()
    kept = []
    for name in names:
        if _POSITION.fullmatch(name):
            continue
        numbered = _INSTANCE.match(name)
        if numbered is not None:
            base = numbered.group(1)
            if any(other == base or other.endswith(("-" + base, "_" + base))
                   for other in names if other is not name):
                continue
        kept.append(name)
    return " ".join(kept)


def _wrapper_weight(node: LexborNode | None) -> tuple[float, int]:
    """How likely a wrapper holds the article, from its tag and class/id (but for chrome
    words), and whether its class/id has chrome words (1) or not (0)."""
    if node is None:
        return 1.0, 0
    tag = node.tag_id
    if tag < _FIRST_ELEMENT_ID:
        return 1.0, 0
    weight = _WRAPPER_WEIGHT_IDS.get(tag, 1.0)
    if weight:
        attrs = node.attributes
        if attrs.get("itemprop") == "articleBody":
            return weight * 2.0, 0
        factor, chrome = _hints_weight(f"{attrs.get('class') or ''} {attrs.get('id') or ''}")
        return weight * factor, chrome
    return weight, 0


# A page's wrappers share a few class values, and themes recur from page to page.
@functools.lru_cache(maxsize=4096)
def _hints_weight(hints: str) -> tuple[float, int]:
    """The factor a wrapper's class/id value weighs it by, and whether it has chrome words."""
    words = hint_words(hints)
    if is_negative(words) and not is_body_mark(hints):
        return 1.0, 1
    if is_positive(words):
        return 1.5, 0
    return 1.0, 0


def find_content_root(tree: LexborHTMLParser, meta: PageMetadata) -> ContentBlock | None:
    """The block that holds the article's text, or None when the page has no body."""
    body = tree.body
    if body is None:
        return None
    paragraphs = _Paragraphs()
    description = fold(meta.summary) if meta.summary else ""
    probe = max(description[:_DEK_PREFIX].split(), key=len, default="")
    dek = None
    for node in tree.css("p, br"):
        if node.tag_id == _BR_ID:
            paragraphs.add_box(node.parent)
        else:
            # Lexbor's own text_content, a third of the cost of text(); like the walk's
            # reads, it raises on bytes that are not UTF-8, which extract() reads again.
            text = node.text_lexbor()
            if len(text) >= _MIN_PROSE:
                paragraphs.add(node, text)
                if dek is None and description and _shows(text, description, probe):
                    dek = text
    block, size = paragraphs.block()
    if size < _THIN:
        # Little prose in <p>, or only in chrome: the page may set its text straight in
        # <div>s (those that start with text, which keeps the test cheap).
        for node in tree.tags("div"):
            first = node.child
            if first is not None and first.tag_id == _TEXT_ID and not first.is_empty_text_node:
                paragraphs.add_box(node)
        block, size = paragraphs.block()
    block = block or ContentBlock(body)
    return replace(block, dek=normalize_space(dek)) if dek is not None else block


def _own_text_size(box: LexborNode) -> int:
    """The size of a box's text outside its block children: its text nodes and inline
    elements (links and emphasis are part of its sentences)."""
    size = 0
    child = box.child
    while child is not None:
        tag = child.tag_id
        if tag == _TEXT_ID:
            size += len(child.text_lexbor().strip())
        elif tag in _INLINE_IDS:
            size += len(child.text_lexbor())
        child = child.next
    return size


def _shows(text: str, description: str, probe: str) -> bool:
    """Whether a paragraph shows the page's (folded) description: the same sentence,
    give or take a place name in front or the description's truncation. ``probe``, its
    longest early word, rules most paragraphs out before the costly folding."""
    size = len(text)
    if size < 0.6 * len(description) or size > len(description) + _RUN_ON * 2:
        return False
    return probe in text.casefold() and description[:_DEK_PREFIX] in fold(text)


@dataclass(slots=True)
class _Paragraphs:
    """The page's paragraphs of prose, grouped by wrapper markup."""

    signatures: dict[int, str] = field(default_factory=dict)
    groups: dict[tuple[str, str], _Group] = field(default_factory=dict)
    by_parent: dict[int, tuple[_Group, int]] = field(default_factory=dict)
    boxes: set[int] = field(default_factory=set)
    broken: set[int] = field(default_factory=set)  # <p> with a <br>: the walk reads them

    def add_box(self, box: LexborNode | None) -> None:
        """Add an element's own text (not its children's) as a paragraph."""
        if box is None or box.mem_id in self.boxes:
            return
        self.boxes.add(box.mem_id)
        tag = box.tag_id
        if tag == _P_ID:
            self.broken.add(box.mem_id)
        elif tag not in _INLINE_IDS:
            self.add(box, None, _own_text_size(box))

    def add(self, node: LexborNode, text: str | None, length: int = 0) -> None:
        """Add a paragraph; ``text`` None for a box read by the walk."""
        if text is not None:
            length = len(text)
        parent = node.parent
        if length < _MIN_PROSE or parent is None:
            return
        key0 = parent.mem_id
        known = self.by_parent.get(key0)
        if known is not None:  # a sibling's group: same parent, same grandparent
            group, key1 = known
            group.size += length
            group.members.append((node, key1, text))
            return
        grand = parent.parent
        signatures = self.signatures
        outer = signatures.get(key0)
        if outer is None:
            outer = signatures[key0] = _signature(parent)
        key1 = grand.mem_id if grand is not None else 0
        inner = signatures.get(key1)
        if inner is None:
            inner = signatures[key1] = _signature(grand)
        shared = self.groups.get((outer, inner))
        if shared is None:
            shared = self.groups[(outer, inner)] = _Group(parent, grand)
        self.by_parent[key0] = (shared, key1)
        shared.size += length
        shared.members.append((node, key1, text))

    def block(self) -> tuple[ContentBlock | None, int]:
        """The block of the heaviest group outside the chrome, and that group's text size."""
        # Class/id are read only for the groups with the most text: reading them for every
        # wrapper on the page would cost more than all the rest.
        weighed = sorted(self.groups.values(), key=lambda g: g.size, reverse=True)[:_WEIGHED]
        total = sum(g.size for g in self.groups.values())
        for group in weighed:
            parent, chrome = _wrapper_weight(group.parent)
            grand, more_chrome = _wrapper_weight(group.grand)
            chrome += more_chrome
            carded = _teasers(group) and _cards(group)
            if carded:
                chrome += 1
            if chrome == 1 and len(group.members) >= _SOME and (
                    (group.size >= _MOST * total and not carded)
                    or (group is weighed[0]
                        and (len(weighed) == 1 or group.size >= _DOMINANT * weighed[1].size))):
                # Most of the page's prose, or twice any other group's, in several
                # paragraphs: one word in its wrappers' class/id (such as "sidebar-content"
                # beside the sidebar) does not outweigh that. Cards that look like teasers
                # are forgiven only the second way: a list of related stories can hold half
                # the page's prose beside a story nearly as long.
                chrome = 0
            group.chrome = chrome
            group.weight = group.size * parent * grand * _CHROME_WORD ** chrome
        weighed.sort(key=lambda g: g.weight, reverse=True)
        for group in weighed[:_TRIES]:
            if group.weight <= 0:
                break
            block = _block_of(group, self.broken)
            if block is not None:
                # A group marked as chrome twice wins only for want of another: the body
                # may be set outside <p> (text straight in <div>s, the comments in <p>).
                size = group.size if group.chrome < 2 else 0
                return self._widened(block, group, weighed), size
        return None, 0

    def _widened(self, block: ContentBlock, group: _Group, weighed: list[_Group]
                 ) -> ContentBlock:
        """The block of another heavy group when it holds ``block``: the story around a
        list or card set inside it (a list of projects, each with its blurb, in a post)."""
        ancestors: set[int] = set()
        up = block.node.parent
        while up is not None:
            ancestors.add(up.mem_id)
            up = up.parent
        for other in weighed:
            if other is group or other.weight < _NESTED * group.weight or other.weight <= 0:
                continue
            outer = _block_of(other, self.broken)
            if outer is not None and outer.node.mem_id in ancestors:
                return ContentBlock(outer.node, outer.keep | block.keep,
                                    {**outer.texts, **block.texts})
        return self._joined(block, group, weighed)

    def _joined(self, block: ContentBlock, group: _Group, weighed: list[_Group]
                ) -> ContentBlock:
        """``block`` with the blocks of other groups of prose beside it, under the same
        parent: a story split between sibling wrappers (an intro above a list of products,
        the parts between ads). A group marked as chrome, or of teaser blurbs, stays out."""
        parent = block.node.parent
        if parent is None or parent.tag_id in _NO_BODY_IDS:
            return block
        keep, texts = set(block.keep), dict(block.texts)
        joined = False
        for other in weighed:
            if (other is group or other.chrome or other.weight < _JOIN * group.weight
                    or _teasers(other)):
                continue
            beside = _block_of(other, self.broken)
            if beside is not None and beside.node.parent is not None and (
                    beside.node.parent.mem_id == parent.mem_id):
                keep |= beside.keep
                texts.update(beside.texts)
                joined = True
        if not joined:
            return block
        keep.add(block.node.mem_id)
        return ContentBlock(parent, frozenset(keep), texts)


def _teasers(group: _Group) -> bool:
    """Whether a group's paragraphs stand one to a wrapper, as the blurbs of teaser cards
    do (the parts of a story hold several paragraphs each)."""
    wrappers = {node.parent.mem_id for node, _, _ in group.members if node.parent is not None}
    return len(group.members) < _PART * len(wrappers)


def _cards(group: _Group) -> bool:
    """Whether most of a group's paragraphs stand one to a card (their wrapper's wrapper)
    beside a link of the card's own: the blurbs of teaser cards, each under the link to
    its story."""
    members = group.members
    if len(members) < _CARDS or 4 * len({grand for _, grand, _ in members}) < 3 * len(members):
        return False
    linked = 0
    for node, _, _ in members:
        wrapper = node.parent
        card = wrapper.parent if wrapper is not None else None
        if card is None:
            continue
        # The card's first link, unless it is one in the blurb's own text.
        up = first_with_tag(card, _A_ID, "a")
        while up is not None and up.mem_id not in (node.mem_id, card.mem_id):
            up = up.parent
        if up is not None and up.mem_id == card.mem_id:
            linked += 1
    return linked * 2 > len(members)


def _block_of(group: _Group, broken: set[int]) -> ContentBlock | None:
    """The block holding a group's paragraphs; None when it sits in the page's chrome."""
    members = group.members
    common, keep, above = _common_ancestor([m[0] for m in members])
    if common is None or common.tag in _NO_BODY:
        # The wrapper recurs all over the page (bare <div><p>, a page builder's text
        # module in the header and footer too): take the element that holds most of its
        # text, else the grandparent that holds most of its paragraphs.
        majority = _majority(members)
        if majority is None:
            by_grand: dict[int, list[_Member]] = {}
            for member in members:
                by_grand.setdefault(member[1], []).append(member)
            majority = max(by_grand.values(), key=len)
        members = majority
        common, keep, above = _common_ancestor([m[0] for m in members])
    if common is None or common.tag in _NO_BODY or not common.is_element_node:
        return None
    for node in above:
        if node.tag_id == _MAIN_ID:
            break  # chrome around <main> is a tag left open, not a side box
        if node.tag_id in _CHROME_ABOVE_IDS:
            return None
    # A paragraph with a script inside has its code in its text: the walk reads those.
    texts = {p.mem_id: text for p, _, text in members
             if text is not None and p.mem_id not in broken and "{" not in text}
    return ContentBlock(common, frozenset(keep), texts)


def _majority(members: list[_Member]) -> list[_Member] | None:
    """The members under the deepest element (below ``<body>``) that holds more than half
    of their text, or None."""
    held: dict[int, int] = {}
    chains: list[list[LexborNode]] = []
    half = 0.0
    for node, _, text in members:
        size = len(text) if text is not None else _MIN_PROSE
        half += size / 2
        chain = []
        up = node.parent
        while up is not None and up.tag_id not in _NO_BODY_IDS:
            held[up.mem_id] = held.get(up.mem_id, 0) + size
            chain.append(up)
            up = up.parent
        chains.append(chain)
    best: LexborNode | None = None
    for chain in chains:
        for up in chain:
            if held[up.mem_id] > half:
                if best is None or held[up.mem_id] < held[best.mem_id]:
                    best = up
                break
    if best is None:
        return None
    return [m for m, chain in zip(members, chains, strict=True)
            if any(up.mem_id == best.mem_id for up in chain)]


def _common_ancestor(
    paragraphs: list[LexborNode],
) -> tuple[LexborNode | None, set[int], list[LexborNode]]:
    """The lowest common ancestor of ``paragraphs``, every element between them and it
    (by ``mem_id``), and its ancestors.

    Walks up from each paragraph only until it meets a known ancestor, so the cost is the
    page depth once plus a few steps per paragraph.
    """
    chain: list[LexborNode] = []
    index: dict[int, int] = {}
    keep: set[int] = set()
    deepest = 0
    for p in paragraphs:
        keep.add(p.mem_id)
        node = p.parent
        if not chain:
            while node is not None:
                index[node.mem_id] = len(chain)
                chain.append(node)
                node = node.parent
            continue
        while node is not None and node.mem_id not in index:
            keep.add(node.mem_id)
            node = node.parent
        if node is not None:
            deepest = max(deepest, index[node.mem_id])
    if not chain:
        return None, keep, []
    keep.update(n.mem_id for n in chain[: deepest + 1])
    return chain[deepest], keep, chain[deepest + 1:]


@dataclass(slots=True)
class _Reader:
    """Collects the text of the block walk into paragraphs."""

    block: ContentBlock
    kinds: dict[tuple[str | None, str | None], ElementKind] = field(default_factory=dict)
    parts: list[str] = field(default_factory=list)
    size: int = 0
    link_size: int = 0
    paragraphs: list[str] = field(default_factory=list)
    summary: str | None = None
    dateline: str | None = None
    boxes: set[int] = field(default_factory=set)  # form boxes (``_form_boxes``)
    heading: int | None = None  # index of the last heading in ``paragraphs``
    links_under: int = 0  # link-heavy paragraphs dropped right under it
    headings: set[str] = field(default_factory=set)  # the text of every heading kept
    # The paragraphs read whole (the block's ``texts``), by their text.
    whole: dict[str, LexborNode] = field(default_factory=dict)
    site: str = ""  # the page's site (``site_name``), "" when unknown
    links: list[LexborNode] = field(default_factory=list)  # the paragraph's links
    # The last paragraph kept is an item of a list of sources, or introduces a list (ends
    # with a colon): the links of the next one are looked at (``off_site``).
    listing: bool = False

    def look_for_dateline(self, node: LexborNode) -> None:
        """Take the text of a dateline-marked element opening ``node`` (a paragraph, or
        the first inline element of one), while the lede may still be ahead."""
        if self.dateline is None and len(self.paragraphs) < _DATELINE_PARAGRAPHS:
            self.dateline = _marked_dateline(node)

    def flush(self, heading: bool = False) -> None:
        """End the paragraph; one that is mostly link text is dropped, a heading only when
        it is all link text (a teaser's title): "1. Canon EOS R6" with the name linked to
        the product is the article's own heading.

        Links that all lead to other sites are the article's sources or products, not
        its site's other stories: a heading of such links is kept ("Canon EOS R6" linked
        to a shop), and so is a list of them that the text introduces ("The patches
        sent for review:")."""
        if not self.parts:
            # A link without text (a logo, an icon) ends with its paragraph: left in the
            # list, it would speak for the links of the next one.
            self.links.clear()
            return
        text = normalize_space("".join(self.parts))
        limit = self.size - 1 if heading else _LINK_HEAVY * self.size
        paragraphs = self.paragraphs
        kept = self.link_size <= limit
        cited = False
        if text and not kept and self.links and self.offsite_name():
            kept = cited = True
        if text and kept:
            paragraphs.append(text)
            if heading:
                self.heading = len(paragraphs) - 1
                self.headings.add(text)
            else:
                self.heading = None
            self.links_under = 0
            self.listing = (cited and not heading) or _introduces(text)
        elif text and self.heading is not None and self.heading == len(paragraphs) - 1:
            self.links_under += 1
            if self.links_under == _LINKS_UNDER:
                # A list of links right under a heading: the heading is the list's
                # ("Good articles to read together", "You might like"); one link under
                # a heading is a product's or a source's.
                paragraphs.pop()
                self.heading = None
        self.parts.clear()
        self.links.clear()
        self.size = self.link_size = 0

    def offsite_name(self) -> bool:
        """Whether the paragraph's links (those of a heading, or of an item of a list
        of sources) all lead to other sites than the page's."""
        if not self.site:
            return False
        for link in self.links:
            if site_name(link.attributes.get("href") or "") in ("", self.site):
                return False
        return True

    def is_dek(self, node: LexborNode) -> bool:
        """Whether a paragraph of the body's own markup is classed as its standfirst."""
        hints = _hints(node)
        return bool(hints) and is_dek(hint_words(hints))

    def skip(self, node: LexborNode, tag: int) -> bool:
        """Whether to skip a block (not one of ``keep``) with tag id ``tag``; takes a
        standfirst found before the first paragraph."""
        if tag in _ROW_IDS:
            return False
        attrs = node.attributes
        key = (attrs.get("class"), None if tag in _HEADING_IDS else attrs.get("id"))
        kind = self.kinds.get(key)
        if kind is None:
            hints = f"{key[0] or ''} {key[1] or ''}".strip()
            # Only the class/id decide here: the walk never asks about the skipped tags,
            # so the tag's name (a costly read) is not needed, nor is it part of the key.
            kind = self.kinds[key] = element_kind("", hints)
        if kind is ElementKind.DEK and not self.paragraphs and self.summary is None:
            text = normalize_space(node.text())
            if 0 < len(text) <= _MAX_DEK:
                self.summary = text
                return True
        return kind is ElementKind.CHROME


def _pointer(reader: _Reader, text: str) -> bool:
    """Whether a paragraph read whole is mostly the text of links within the page's site
    (the walk drops such paragraphs as it reads them; these it did not read)."""
    node = reader.whole.get(text)
    if node is None:
        return False
    linked = 0
    child = node.child
    while child is not None:
        if child.tag_id == _A_ID:
            if site_name(child.attributes.get("href") or "") not in ("", reader.site):
                return False  # a source the story cites
            linked += len(child.text_lexbor())
        child = child.next
    return linked > _LINK_HEAVY * len(text)


def _marked_dateline(node: LexborNode) -> str | None:
    """The text of the element marked as a dateline that ``node`` opens with (itself, or
    its first child, a few levels down), or None."""
    current: LexborNode | None = node
    for _ in range(_DATELINE_DEPTH):
        while current is not None and current.tag_id == _TEXT_ID and current.is_empty_text_node:
            current = current.next
        if current is None or current.tag_id < _FIRST_ELEMENT_ID:
            return None  # the paragraph opens with text
        attrs = current.attributes
        marks = f"{attrs.get('class') or ''} {attrs.get('itemprop') or ''}"
        if "dateline" in marks.lower():
            text = normalize_space(current.text())
            return text if 0 < len(text) <= _MAX_DATELINE_MARK else None
        current = current.child
    return None


def _introduces(paragraph: str) -> bool:
    """Whether a paragraph (spaces normalized) introduces the lines after it, as one that
    ends with a colon does ("The patches sent for review:")."""
    return paragraph[-1:] == ":"


def _read(reader: _Reader) -> None:
    """Walk the block's subtree in document order without recursion."""
    texts = reader.block.texts
    keep = reader.block.keep
    parts = reader.parts
    paragraphs = reader.paragraphs
    stack: list[tuple[LexborNode, int]] = []
    links = headings = breaks = 0
    link_nodes = reader.links
    node = reader.block.node.child
    while True:
        if node is None:
            if not stack:
                break
            node, tag = stack.pop()
            if tag == _A_ID:
                links -= 1
            elif tag == _ANCHOR:
                pass
            elif tag in _HEADING_IDS:
                headings -= 1
                reader.flush(True)
            elif tag not in _UNBROKEN_IDS:
                if parts:
                    reader.flush()
                elif link_nodes:
                    link_nodes.clear()  # links without text: none of the next paragraph's
            node = node.next
            continue
        tag = node.tag_id
        if tag == _TEXT_ID:
            if node.is_empty_text_node:
                if parts:
                    parts.append(" ")
            else:
                # text_lexbor() copies the node's text in C; text_content collects it
                # through a Python-level container, a third slower.
                value = node.text_lexbor()
                parts.append(value)
                breaks = 0
                reader.size += len(value)
                if links:
                    reader.link_size += len(value)
        elif tag in _INLINE_IDS:
            child = node.child
            if not parts:
                reader.look_for_dateline(node)
            if child is not None:
                if tag == _A_ID:
                    if headings and (node.attributes.get("href") or "#")[0] == "#":
                        # A heading linked to its own anchor ("#fine-tuned-memory"), or
                        # marked as an anchor (<a name>, no address), is not a teaser's
                        # title (a list of such links, a table of contents, still counts
                        # as links).
                        tag = _ANCHOR
                    else:
                        links += 1
                        if headings or reader.listing:
                            link_nodes.append(node)
                stack.append((node, tag))
                node = child
                continue
        elif tag == _BR_ID:
            breaks += 1
            if breaks > 1:
                reader.flush()
            elif parts:
                parts.append(" ")
        elif tag >= _FIRST_ELEMENT_ID:  # an element: lower ids are comments and the like
            if parts and tag not in _CELL_IDS:
                reader.flush()
            key = node.mem_id
            text = texts.get(key)
            if text is not None:
                reader.look_for_dateline(node)
                if not paragraphs and reader.summary is None and reader.is_dek(node):
                    reader.summary = normalize_space(text)
                else:
                    paragraphs.append(normalize_space(text))
                    reader.whole[paragraphs[-1]] = node
                    reader.listing = _introduces(paragraphs[-1])
                if link_nodes:
                    link_nodes.clear()  # links before a paragraph read whole had no text
            # A page footer, side box or menu inside the block is skipped even when it
            # holds paragraphs of the story's markup (a site's text module recurring there).
            elif key not in reader.boxes and (
                    (key in keep and tag not in _CHROME_ABOVE_IDS) or (
                    (tag not in _SKIP_IDS
                     or (tag == _FIGURE_ID
                         and first_with_tag(node, _TABLE_ID, "table") is not None))
                    and not reader.skip(node, tag))):
                breaks = 0
                if tag in _CELL_IDS:
                    parts.append(" ")
                child = node.child
                if child is not None:
                    if tag in _HEADING_IDS:
                        headings += 1
                    stack.append((node, tag))
                    node = child
                    continue
        node = node.next
    reader.flush()


def _dek_before(node: LexborNode) -> str | None:
    """A standfirst shown before the block: the first dek-classed element ahead of it in
    the block's surroundings (a few levels up, where the headline area usually is)."""
    scope = node
    for _ in range(_DEK_LEVELS):
        parent = scope.parent
        if parent is None or not parent.is_element_node or parent.tag in _NO_BODY:
            break
        scope = parent
    mine = node.mem_id
    for seen, candidate in enumerate(scope.traverse()):
        if candidate.mem_id == mine or seen > _DEK_SCAN:
            break
        cls = candidate.attributes.get("class")  # {} for comments
        if cls and could_be_dek(cls) and is_dek(hint_words(cls)):
            text = _dek_text(candidate)
            if text is not None:
                return text
    return None


def _dek_text(node: LexborNode) -> str | None:
    hints = _hints(node)
    if not hints or not is_dek(hint_words(hints)):
        return None
    text = normalize_space(node.text())
    return text if _MIN_PROSE <= len(text) <= _MAX_DEK else None


def _repeats(text: str, headline: str) -> bool:
    """Whether a paragraph is the headline, alone or with a date or byline run on."""
    extra = len(text) - len(headline)
    if extra < -8 or extra > _RUN_ON:
        return False
    folded = fold(text)
    return folded == headline or (folded.startswith(headline) and extra > 0)


def _is_label(text: str) -> bool:
    """Whether a paragraph is a short label, which a page may repeat (not a sentence).

    A label names something: a run of punctuation ("&", "***") is no label, and its repeats
    go as any other.
    """
    return (len(text.split()) <= _LABEL_WORDS and not text.endswith(_SENTENCE_ENDS)
            and any(c.isalnum() for c in text))


def _copies(paragraphs: list[str]) -> set[int]:
    """The indexes of the paragraphs that copy an earlier one: a repeat right after it, or
    with a neighbour repeated too (a box shown twice, a second copy of the text for small
    screens), or a short one. A sentence or two repeated alone, among other paragraphs, is
    the article's (the same description under two events, a figure quoted twice), and so
    is a field ("Team size: 11-50" under two agencies); labels are never copies."""
    first: dict[str, int] = {}
    copies: set[int] = set()
    last = len(paragraphs) - 1
    for index, text in enumerate(paragraphs):
        earlier = first.setdefault(text, index)
        if earlier == index or _is_label(text):
            continue
        if (paragraphs[index - 1] == text
                or (len(text.split()) < _LONE_WORDS and _FIELD.match(text) is None)
                or (earlier > 0 and paragraphs[index - 1] == paragraphs[earlier - 1])
                or (index < last and paragraphs[index + 1] == paragraphs[earlier + 1])):
            copies.add(index)
    return copies


def _form_boxes(block: ContentBlock) -> set[int]:
    """The boxes (by ``mem_id``) around the block's forms that hold little text beside the
    form: a signup or search box, whose heading and pitch ("Like what you read? Get our
    newsletter") stand beside the form, not in it. The walk skips them; a box with more
    text than a pitch (a table above a calculator) is not one. Buttons alone do not make
    a box: code blocks, accordions and tabs of the story have them. A link styled as a
    button does, a call to act with its heading and pitch ("Earn your degree online ...
    Apply now"), when its box is the only one of its markup and has no picture: boxes of
    the same markup around several such links, or with pictures, are the story's cards (a
    product's name and photo over its "Buy" link)."""
    boxes: set[int] = set()
    by_markup: dict[str, list[int]] = {}
    for control in block.node.css(_CONTROLS):
        link = control.tag_id == _A_ID
        box = _box_around(control, block.node.mem_id)
        if box is None:
            continue
        if not link:
            boxes.add(box.mem_id)
        elif first_with_tag(box, _IMG_ID, "img") is None:
            by_markup.setdefault(_signature(box), []).append(box.mem_id)
    for found in by_markup.values():
        if len(set(found)) == 1:
            boxes.add(found[0])
    return boxes


def _box_around(control: LexborNode, root: int) -> LexborNode | None:
    """The largest of a control's wrappers, up to _FORM_BOX_LEVELS up and below the block
    (``root``), with at most _FORM_PITCH characters of text beside the control's own."""
    box = None
    own = len(normalize_space(control.text_lexbor()))
    up = control.parent
    for _ in range(_FORM_BOX_LEVELS):
        if up is None or up.mem_id == root:
            break
        if len(normalize_space(up.text_lexbor())) - own > _FORM_PITCH:
            break
        box = up
        up = up.parent
    return box


def extract_body(block: ContentBlock, meta: PageMetadata, url: str | None = None) -> BodyText:
    """Read the block's paragraphs in reading order, without boilerplate.

    The standfirst (a dek element before the first paragraph, or a first paragraph equal
    to the page's description) becomes ``summary``; the headline, repeated paragraphs (but
    not repeated labels) and boilerplate are dropped. ``url``, the page's address, tells
    the page's site when the page names no canonical address (links to other sites).
    """
    site = site_name(meta.canonical_url or url or "")
    reader = _Reader(block, boxes=_form_boxes(block), site=site)
    _read(reader)
    headline = fold(meta.headline or "")
    kept = drop_boilerplate(reader.paragraphs, reader.site)
    copies = _copies(kept)
    seen: set[str] = set()
    unique: list[str] = []
    for index, text in enumerate(kept):
        if index in copies or (headline and _repeats(text, headline)):
            continue
        seen.add(text)
        unique.append(text)
    while unique and (unique[-1] in reader.headings or _pointer(reader, unique[-1])):
        # A heading with nothing under it heads what the walk skipped: a share or likes
        # bar, a carousel of related stories, a gallery ("Like this:", "Pin this for later!").
        # A paragraph that is a link to another page of the site, after the story, points
        # to it ("Meet us at the summit in Berlin").
        seen.discard(unique.pop())
    summary = reader.summary or block.dek
    if summary is not None and summary in seen:
        if summary == unique[0]:
            unique.pop(0)  # the page shows its standfirst as the first paragraph
        else:
            summary = None  # the "dek" is a paragraph of the body
    if summary is None:
        summary = _dek_before(block.node)
        if summary in seen:
            summary = None
    if summary is not None and headline and _repeats(summary, headline):
        summary = None  # the headline shown again in the header, not a standfirst
    return BodyText(tuple(unique), summary, reader.dateline)
