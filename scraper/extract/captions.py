"""Images of the article with their captions and credits, the lead image first.

An image block is a ``<figure>`` or, where a page does without one, the element around a
caption-like element (class tokens such as ``caption``, ``wp-caption-text``, ``[itemprop=
caption]``) that also holds the picture. They are searched in the ``<article>`` or ``<main>``
around the content block; blocks in navigation, teasers, asides and the like are skipped.
Inside a block, credit elements (``credit``, ``copyright``, ``photographer`` tokens,
``<small>``, ``<cite>``) give the credit; otherwise a trailing credit is split off the caption
text (:func:`~scraper.extract.credits.split_credit`).

>>> from selectolax.lexbor import LexborHTMLParser
>>> from scraper.extract.metadata import PageMetadata
>>> tree = LexborHTMLParser('<article><figure><img src="/a.jpg"><figcaption>A dog. '
...                         'Photo: Jane Doe</figcaption></figure></article>')
>>> extract_images(tree, tree.css_first("article"), PageMetadata(), "https://x.org/n")
[Image(url='https://x.org/a.jpg', caption='A dog.', credit='Jane Doe')]
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.extract.credits import clean_credit, is_credit, split_credit, strip_separators
from scraper.extract.lexicon import (
    BYLINE_PREPOSITIONS,
    CAPTION_CLASS_NAMES,
    CAPTION_EXCLUDED_CLASS_PARTS,
    CAPTION_EXCLUDED_CLASS_WORDS,
    CAPTION_NOTICE_WORDS,
    CREDIT_CLASS_NAMES,
)
from scraper.extract.metadata import PageMetadata
from scraper.extract.tags import MAX_KNOWN_ID, ancestor_with_tag, tag_ids
from scraper.extract.text import grouped_alternation, normalize_space
from scraper.models import Image
from scraper.urls import absolute, file_name

__all__ = ["extract_images"]


def _any_of(alternatives: str) -> re.Pattern[str]:
    """A regex that tells whether any of the "|"-separated plain words occurs."""
    return re.compile(grouped_alternation(re.escape(word) for word in alternatives.split("|")))


# One query over the whole tree finds every block candidate; the rest of the work stays
# inside the (small) blocks. Each selector of the list is one more pass over the tree, and a
# case-insensitive attribute test costs as much again: "aption" catches both "caption" and
# "Caption" class names in one pass. (Pictures outside figures whose caption has no
# "caption" class name, such as a German "bildunterschrift", are left out: one more selector
# costs about 3% of the parse time.)
_CANDIDATES = "figure, [class*=aption]"
# Containers whose images are not the article's.
_EXCLUDED_TAGS = frozenset({"nav", "aside", "footer", "form", "noscript", "template", "menu"})
# Class/id words of containers whose images are not the article's: parts of words (matched
# anywhere, "mainFooter") and whole tokens (matched between "-", "_" and spaces, "ad-slot").
_EXCLUDED_PARTS = "|".join(CAPTION_EXCLUDED_CLASS_PARTS)
# The stems of the whole words ("ad" of "ads"), found anywhere before the tokens are checked.
_EXCLUDED_HINTS = "|".join(sorted(
    word for word in CAPTION_EXCLUDED_CLASS_WORDS
    if not any(word != other and word.startswith(other)
               for other in CAPTION_EXCLUDED_CLASS_WORDS)))
# One search finds either a part (excluded) or a hint of a whole word (then checked by tokens).
_EXCLUDED_NAMES = re.compile(rf"(?P<part>{_EXCLUDED_PARTS})|{_EXCLUDED_HINTS}")
# Most class attributes hold none of these words: one quick search rules them out.
_EXCLUDED_ANY = _any_of(f"{_EXCLUDED_PARTS}|{_EXCLUDED_HINTS}")
_STYLE_PREFIXES = ("with", "has", "typo", "text-", "font-")
_TOKEN_SPLIT = re.compile(r"[\s_-]+")
# Texts in caption-like elements that are not about a picture: consent and script notices,
# and bylines under author portraits ("Von Jane Doe, Redakteurin", "By Jane Doe").
_BYLINE = re.compile(
    rf"(?:{'|'.join(BYLINE_PREPOSITIONS)})\s+\w+(?: \w+)?(?:,|\s*$)|powered by\b",
    re.IGNORECASE,
)
# Links to the picture itself or to a picture viewer, which frame a figure of the article.
_IMAGE_LINK = re.compile(
    r"\.(?:jpe?g|png|webp|gif|avif)(?:$|[?#])|^#|/(?:images?|photos?|fotos?|bilder?|gallery"
    r"|galerie|galeria|lightbox|media)/",
    re.IGNORECASE,
)
# Class names that mark a caption, and a credit (tested on the lowercased class attribute).
_CAPTION_NAMES = _any_of("|".join(CAPTION_CLASS_NAMES))
_CREDIT_NAMES = _any_of("|".join(CREDIT_CLASS_NAMES))
_CREDIT_TAGS = frozenset({"small", "cite", "footer"})
# Tags that may hold a caption or a credit; the others (meta, script, svg ...) are not read.
_TEXT_TAGS = frozenset({"figcaption", "div", "span", "p", "small", "cite", "footer", "em", "i",
                        "b", "strong", "section", "header", "aside", "dd", "dt", "td", "li"})
_IMAGE_TAGS = frozenset({"img", "picture", "video", "svg", "amp-img", "source"})
# The walks compare Lexbor's tag ids (see scraper.extract.tags): amp-img, a custom
# element, has no fixed id and is recognised by name among the unknown tags.
_IDS = tag_ids(_TEXT_TAGS | _EXCLUDED_TAGS | _IMAGE_TAGS - {"amp-img"}
               | {"a", "figure", "figcaption", "body", "html", "article", "main"})
_A_ID = _IDS["a"]
_IMG_ID = _IDS["img"]
_SOURCE_ID = _IDS["source"]
_FIGURE_ID = _IDS["figure"]
_FIGURE_IDS = frozenset({_FIGURE_ID})
_FIGCAPTION_ID = _IDS["figcaption"]
_TEXT_IDS = frozenset(_IDS[name] for name in _TEXT_TAGS)
_CREDIT_IDS = frozenset(_IDS[name] for name in _CREDIT_TAGS)
_EXCLUDED_IDS = frozenset(_IDS[name] for name in _EXCLUDED_TAGS)
_IMAGE_IDS = frozenset(_IDS[name] for name in _IMAGE_TAGS - {"amp-img"})
_PAGE_IDS = frozenset({_IDS["body"], _IDS["html"]})
_ARTICLE_IDS = frozenset({_IDS["article"], _IDS["main"]})
_TOP_IDS = _PAGE_IDS | _ARTICLE_IDS
_LAZY_SRC = ("src", "data-src", "data-lazy-src", "data-original", "data-srcset", "srcset")
_SMALL_CONTAINER = 6  # more element children: a content column, not a picture's frame
_MAX_BLOCKS = 60  # bounds the work on gallery pages with hundreds of slides
_MAX_CANDIDATES = 300
_LEADING_SEPARATORS = " |·•/:;,–—-"  # left at the start when a leading credit label is cut
_MIN_CAPTION = 3  # letters: "f." is a stray initial, not a caption
_SHORT_CAPTION = 8
_MAX_BLOCK_NODES = 60  # a picture's block is small; a "figure" around a whole story is not
_MAX_ANCESTORS = 16  # teaser and sidebar wrappers sit close to their pictures
_FIGURE_DEPTH = 6  # a caption deeper than this in a figure is a figure of its own
_INNER_DEPTH = 3  # levels checked above a picture inside the content block
_MIN_SIZE = 50  # images smaller than this (in px, declared) are icons or tracking pixels
# Name parts that CDNs add for sizes and crops: "_1200x800", "-16x9", "_262_262", "-w640".
_SIZE_PART = re.compile(
    r"\d+|\d+x\d+|[wh]\d+|\d+[wh]|scaled|large|medium|small|thumb|thumbnail|square|crop"
    r"|cropped|resize|resized|original|full|hires|lowres|mobile|desktop|webp",
    re.IGNORECASE,
)
_NAME_PARTS = re.compile(r"[-_.]")


# The class/id values of a picture's ancestors recur on every figure of a page and on the
# pages of a theme: each is read once.
@functools.lru_cache(maxsize=4096)
def _excluded_names(names: str) -> bool:
    lowered = names.lower()
    if _EXCLUDED_ANY.search(lowered) is None:
        return False
    for token in lowered.split():
        # "withSidebar", "has-related", "sidebar-grid": a layout that holds such a box, not
        # the box itself; "typo-teaser-info": a type style named after one
        if token.startswith(_STYLE_PREFIXES) or "grid" in token or "layout" in token:
            continue
        match = _EXCLUDED_NAMES.search(token)
        if match is None:
            continue
        if match.group("part") or not CAPTION_EXCLUDED_CLASS_WORDS.isdisjoint(
                _TOKEN_SPLIT.split(token)):
            return True
    return False


def _excluded(node: LexborNode, stop_id: int, memo: dict[int, bool], depth: int) -> bool:
    """Whether ``node`` sits in navigation, teasers, asides, links to other pages and the
    like, looking ``depth`` levels up at most and not above ``stop``. Memoized along the
    ancestor path: neighbours share the walk."""
    path: list[int] = []
    current: LexborNode | None = node
    verdict = False
    for _ in range(depth):
        if current is None:
            break
        mem_id = current.mem_id
        known = memo.get(mem_id)
        if known is not None:
            verdict = known
            break
        if mem_id == stop_id:
            break
        path.append(mem_id)
        tag = current.tag_id
        attrs = current.attributes
        names = f"{attrs.get('class') or ''} {attrs.get('id') or ''}"
        if tag in _EXCLUDED_IDS or (len(names) > 1 and _excluded_names(names)) or (
            tag == _A_ID and not _IMAGE_LINK.search(attrs.get("href") or "")
        ):
            verdict = True
            break
        current = current.parent
    for mem_id in path:
        memo[mem_id] = verdict
    return verdict


def _has_image(node: LexborNode, depth: int = 3) -> bool:
    """Whether a picture sits within ``depth`` levels of ``node`` (a bounded look: a caption's
    picture is close to it, and a query over a large container would cost too much)."""
    if _is_image(node, node.tag_id):
        return True
    if depth == 0:
        return False
    for count, child in enumerate(node.iter()):
        if count >= _SMALL_CONTAINER or _has_image(child, depth - 1):
            return count < _SMALL_CONTAINER
    return False


def _is_image(node: LexborNode, tag: int) -> bool:
    return tag in _IMAGE_IDS or (tag > MAX_KNOWN_ID and node.tag == "amp-img")


def _element_children(node: LexborNode, limit: int) -> list[LexborNode]:
    children: list[LexborNode] = []
    for child in node.iter():
        children.append(child)
        if len(children) > limit:
            break
    return children


def _block_of(node: LexborNode) -> tuple[LexborNode, LexborNode] | None:
    """(container, picture holder) of a caption-like ``node`` outside a figure, if any.

    The container is the small element that groups picture and caption; in a long content
    column, where the caption follows the picture directly, it is the caption itself.
    """
    current = node
    for _ in range(3):
        parent = current.parent
        if parent is None or parent.tag_id in _TOP_IDS:
            return None
        previous = current.prev
        while previous is not None and not previous.is_element_node:
            previous = previous.prev
        if len(_element_children(parent, _SMALL_CONTAINER)) > _SMALL_CONTAINER:
            if previous is not None and _has_image(previous):
                return current, previous
            return None
        if _has_image(parent):
            return parent, parent
        current = parent
    return None


def _first_word(value: str | None) -> str:
    """The first word of an attribute: the URL of a ``src`` or of a ``srcset``'s first
    candidate; "" when it is empty or blank."""
    words = value.split(None, 1) if value else []
    return words[0] if words else ""


def _picture_url(img: LexborNode | None, base_url: str | None) -> tuple[str | None, bool]:
    """The picture's URL, and whether it is too small to be a photo."""
    if img is None:
        return None, False
    attrs = img.attrs
    if img.tag_id == _SOURCE_ID:
        return absolute(_first_word(attrs.get("srcset")), base_url), False
    tiny = _small(attrs.get("width")) or _small(attrs.get("height"))
    for key in _LAZY_SRC:
        value = _first_word(attrs.get(key))
        if value and not value.startswith("data:"):
            return absolute(value, base_url), tiny
    return None, tiny


def _small(value: str | None) -> bool:
    return value is not None and value.isdigit() and int(value) < _MIN_SIZE


def _scan(
    block: LexborNode, holder: LexborNode, caption_node: LexborNode | None
) -> tuple[LexborNode | None, LexborNode | None, list[LexborNode]]:
    """(picture, caption element, credit elements) of a block, in one walk over it.

    One walk over the block's few nodes costs less than a query per part; attributes are
    read only on the tags that hold text.
    """
    held = holder.tag_id
    img: LexborNode | None = holder if held == _IMG_ID or (
        held > MAX_KNOWN_ID and holder.tag == "amp-img") else None
    source: LexborNode | None = None
    credits: list[LexborNode] = []
    caption_id = caption_node.mem_id if caption_node is not None else None
    walks = [block] if holder.mem_id == block.mem_id else [block, holder]
    for top in walks:
        for count, node in enumerate(top.traverse(include_text=False)):
            if count >= _MAX_BLOCK_NODES:
                break
            tag = node.tag_id
            if tag == _IMG_ID or (tag > MAX_KNOWN_ID and node.tag == "amp-img"):
                img = img or node
            elif tag == _SOURCE_ID:
                source = source or node
            elif tag in _TEXT_IDS and node.mem_id != caption_id:
                attrs = node.attributes
                names = (attrs.get("class") or "").lower()
                if tag in _CREDIT_IDS or (names and _CREDIT_NAMES.search(names)):
                    credits.append(node)
                elif caption_node is None and (
                    tag == _FIGCAPTION_ID or (names and _CAPTION_NAMES.search(names))
                    or attrs.get("itemprop") == "caption"
                ):
                    caption_node = node
                    caption_id = node.mem_id
    if img is None and source is not None:
        img = source
    return img, caption_node, credits


def _text(node: LexborNode) -> str:
    """The text of ``node`` and its descendants, as ``node.text()`` gives it.

    Lexbor's own text collection runs in C and costs a fifth of ``text()``, which builds a
    Python string per text node; it decodes strictly, though, and gives a comment's
    content, so undecodable bytes and non-elements go the slow way.
    """
    if node.is_element_node:
        try:
            return node.text_lexbor()
        except UnicodeDecodeError:
            pass
    return node.text()


def _last_part_credit(caption_node: LexborNode) -> list[LexborNode]:
    """The caption's last element when it holds only a credit: "<span>A dog.</span>
    <span>Pexels/Jane Doe</span>" marks the credit by position, not by name."""
    children = _element_children(caption_node, _SMALL_CONTAINER)
    if not 2 <= len(children) <= _SMALL_CONTAINER:
        return []
    last = children[-1]
    return [last] if is_credit(normalize_space(_text(last))) else []


def _read_block(
    block: LexborNode, caption_node: LexborNode | None, credits: list[LexborNode]
) -> tuple[str | None, str | None]:
    """Caption and credit of one image block."""
    caption = normalize_space(_text(caption_node)) if caption_node is not None else ""
    if not credits and caption_node is not None:
        credits = _last_part_credit(caption_node)
    texts: list[str] = []
    for node in credits:
        text = normalize_space(_text(node))
        if text and text != caption and not any(text in seen for seen in texts):
            texts.append(text)
    if not caption and not texts:
        return normalize_space(block.attrs.get("data-caption")) or None, None
    credit = None
    for text in texts:
        # The credit usually closes the caption: cut its last occurrence, not a name that
        # the caption mentions earlier.
        cut = caption.rfind(text)
        if cut >= 0:
            caption = f"{caption[:cut]} {caption[cut + len(text):]}"
        credit = credit or clean_credit(text) or None
    caption = strip_separators(normalize_space(caption)).lstrip(_LEADING_SEPARATORS)
    if caption:
        # A credit may still close the caption text when the markup gave one too.
        caption, found = split_credit(caption)
        credit = credit or found
    if caption and credit is None and is_credit(caption):
        caption, credit = "", clean_credit(caption)
    return caption or None, credit


def _scope(tree: LexborHTMLParser, root: LexborNode | None) -> LexborNode | None:
    """The part of the page to search: the ``<article>`` or ``<main>`` around the content
    block, which holds the lead picture above the text and leaves out the page's other
    stories; without one, the top container of the content block."""
    if root is None or root.tag_id in _PAGE_IDS:
        return tree.body
    node = root
    for _ in range(_MAX_ANCESTORS):
        if node.tag_id in _ARTICLE_IDS:
            return node
        parent = node.parent
        if parent is None or parent.tag_id in _PAGE_IDS:
            break
        node = parent
    return node


def _boilerplate(caption: str) -> bool:
    lowered = caption.lower()
    return _BYLINE.match(caption) is not None or any(w in lowered for w in CAPTION_NOTICE_WORDS)


def _within(node: LexborNode, ancestor_id: int) -> bool:
    current: LexborNode | None = node
    for _ in range(_FIGURE_DEPTH):
        if current is None:
            return False
        if current.mem_id == ancestor_id:
            return True
        current = current.parent
    return False


def _links_away(caption_node: LexborNode | None, block: LexborNode) -> bool:
    """Whether the caption sits in a link to another page: a teaser's headline."""
    current = caption_node
    block_id = block.mem_id
    for _ in range(_FIGURE_DEPTH):
        if current is None:
            return False
        if current.tag_id == _A_ID:
            return not _IMAGE_LINK.search(current.attrs.get("href") or "")
        if current.mem_id == block_id:
            return False
        current = current.parent
    return False


def _loose_key(url: str | None) -> str | None:
    """A picture's file name without extension and size or crop parts, to tell that two
    URLs show the same picture."""
    if not url:
        return None
    name = file_name(url).rsplit(".", 1)[0].lower()
    parts = _NAME_PARTS.split(name)
    while len(parts) > 1 and _SIZE_PART.fullmatch(parts[-1]):
        parts.pop()
    return "-".join(parts) or None


def _merge(lead: Image, other: Image) -> Image:
    return Image(
        url=lead.url or other.url,
        caption=other.caption or lead.caption,
        credit=other.credit or lead.credit,
    )


def _blocks(scope: LexborNode) -> Iterator[tuple[LexborNode, LexborNode, LexborNode | None]]:
    """(block, picture holder, caption element if known) of each picture in ``scope``, in
    page order, each block once."""
    seen: set[int] = set()
    for node in scope.css(_CANDIDATES)[:_MAX_CANDIDATES]:
        caption_node: LexborNode | None = None
        tag = node.tag_id
        if tag == _FIGURE_ID:
            block, holder = node, node
        elif tag == _A_ID or ancestor_with_tag(node, _FIGURE_IDS, _FIGURE_DEPTH) is not None:
            continue  # a link's label, or read with its figure
        elif _has_image(node):
            block, holder = node, node  # a caption-named frame: "wp-caption", "ImageCaption"
        else:
            found = _block_of(node)
            if found is None:
                continue
            block, holder = found
            caption_node = node
        if block.mem_id not in seen:
            seen.add(block.mem_id)
            yield block, holder, caption_node


def _clean_caption(caption: str | None, seen: set[str]) -> str | None:
    """The caption, or None when it is a stray letter or repeats one already given."""
    if caption is None:
        return None
    if len(caption) < _SHORT_CAPTION and sum(map(str.isalnum, caption)) < _MIN_CAPTION:
        return None
    if any(caption in earlier or earlier in caption for earlier in seen):
        return None
    seen.add(caption)
    return caption


def extract_images(
    tree: LexborHTMLParser, root: LexborNode | None, meta: PageMetadata, base_url: str | None
) -> list[Image]:
    """Images of the article; ``root`` is the content block (None: the page has none).

    The lead image (``meta.images[0]``, from JSON-LD or Open Graph) comes first, merged with
    the figure that shows the same picture; then the article's other images in page order:
    the pictures with a caption or credit in the ``<article>``/``<main>`` around ``root``
    (teasers, navigation and the like left out), and the bare pictures inside ``root``.
    Reads the tree without changing it.
    """
    scope = _scope(tree, root)
    if scope is None:
        return _with_lead(meta, [])
    scope_id = scope.mem_id
    root_id = root.mem_id if root is not None else scope_id
    memo: dict[int, bool] = {}
    captions_seen: set[str] = set()
    images: list[Image] = []
    for block, holder, caption_node in _blocks(scope):
        img, caption_node, credit_nodes = _scan(block, holder, caption_node)
        if caption_node is not None and _links_away(caption_node, block):
            continue
        caption, credit = _read_block(block, caption_node, credit_nodes)
        inside = _within(block, root_id)
        if caption is None and credit is None:
            # A bare picture counts only inside the content block: teaser grids are full of
            # them, and telling those apart would cost more than the picture is worth.
            if img is None or not inside:
                continue
        elif inside:
            # in the content block only a box right around the picture can be a teaser
            if _excluded(block, root_id, memo, _INNER_DEPTH):
                continue
        elif _excluded(block, scope_id, memo, _MAX_ANCESTORS):
            continue
        if caption is not None and _boilerplate(caption):
            continue
        url, tiny = _picture_url(img, base_url)
        caption = _clean_caption(caption, captions_seen)
        if caption is None and (tiny or (url is None and credit is None)):
            continue
        images.append(Image(url=url, caption=caption, credit=credit))
        if len(images) >= _MAX_BLOCKS:
            break
    return _with_lead(meta, images)


def _with_lead(meta: PageMetadata, images: list[Image]) -> list[Image]:
    """The page's declared lead image first, merged with the figure that shows it (same
    picture by loose URL, or same caption) rather than listed twice."""
    if not meta.images:
        return images
    lead = _split(meta.images[0])
    key = _loose_key(lead.url)
    for i, image in enumerate(images):
        if (key is not None and _loose_key(image.url) == key) or _same_caption(lead, image):
            return [_merge(lead, image), *images[:i], *images[i + 1:]]
    return [lead, *images]


def _split(image: Image) -> Image:
    """A declared image with its credit split off its caption, as for the page's figures."""
    caption, credit = image.caption, image.credit
    if caption:
        caption, found = split_credit(strip_separators(normalize_space(caption)))
        credit = credit or found
        if caption and credit is None and is_credit(caption):
            caption, credit = "", caption
    return Image(url=image.url, caption=caption or None,
                 credit=clean_credit(credit) or None if credit else None)


def _same_caption(lead: Image, image: Image) -> bool:
    if not lead.caption or not image.caption:
        return False
    return lead.caption in image.caption or image.caption in lead.caption
