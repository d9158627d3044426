"""Photo credits: splitting them off caption text and stripping their labels.

>>> split_credit("Chelsea fans with a banner. Photo: Jane Doe/Reuters")
('Chelsea fans with a banner.', 'Jane Doe/Reuters')
>>> clean_credit("(Image: Getty)")
'Getty'
"""

from __future__ import annotations

import re

from scraper.extract.lexicon import CREDIT_LABELS, CREDIT_LOWER_WORDS, NEWS_AGENCY_CREDITS
from scraper.extract.text import has_digit

__all__ = ["clean_credit", "is_credit", "split_credit", "strip_separators"]

# Words that introduce a credit ("Photo: X", "Foto: X", "Bild: X", "Quelle: X"), longest
# first.
_LABELS = tuple(sorted(CREDIT_LABELS, key=len, reverse=True))
_LABEL_WORDS = "|".join(re.escape(word) for word in _LABELS)
_LABEL_BOUNDARY = frozenset(" .;,|/–—-(!?")
# The longest label closing a text: the leftmost match that reaches the end (searched from
# the longest label's length before the end, not across the whole text).
_LABEL_AT_END = re.compile(rf"(?:{_LABEL_WORDS})\Z")
# Labels to drop from the start of a credit taken from its own element.
_LEADING_LABEL = re.compile(
    rf"^\(?\s*(?:(?:{_LABEL_WORDS})\s*(?::|by\b)|(?:photos?|photographs?|illustrations?|images?"
    r"|pictures?|video) by\b|©|\(c\)|copyright\b|tous droits réservés\b)\s*",
    re.IGNORECASE,
)
# "Photo by X", "Photograph by X", "Illustration by X" at the end of a caption.
_BY_TAIL = re.compile(
    r"(?:^|(?<=[\s.;,|–—-])|(?<=[.!?]))\(?(?:photos?|photographs?|illustrations?|images?|"
    r"video|pictures?) by\s+(?P<credit>[^()]+?)\)?\s*$",
    re.IGNORECASE,
)
# "© X", "(c) X", "Copyright X" and the full-width "（Ｃ）X" of Japanese captions.
_COPYRIGHT_TAIL = re.compile(
    r"(?:^|(?<=\s)|(?<=[\u3000-\u9fff\uff00-\uffef]))\(?(?:©|[(（][cｃ][)）]|copyright\b)\s*"
    r"(?P<credit>[^©]+?)\)?\s*$",
    re.IGNORECASE,
)
# Agencies and picture libraries that are credits on their own: "(Reuters)", "/ AFP".
_AGENCIES = "|".join(NEWS_AGENCY_CREDITS)
_AGENCY_NAMES = frozenset(NEWS_AGENCY_CREDITS)
# A trailing parenthesis that names a photographer or agency: "(AP Photo/Jae C. Hong)",
# "(Reuters)", "(Getty Images)"; "(Archivbild)" or "(left)" are not credits.
_PAREN_TAIL = re.compile(
    rf"\s*\((?P<credit>[^()]*(?:\b(?:{_AGENCIES})\b|\bPhoto\b|\bFoto\b)[^()]*)\)\s*$"
)
# Where a last short segment ("Jane Doe/Getty Images", "REUTERS") may start: after a sentence
# end or a separator; a sentence end stays with the caption.
_SENTENCE_END = frozenset(".!?\"”»)")
_SEGMENT_SEPARATORS = (". ", "! ", "? ", '" ', "” ", "» ", ") ", " | ", "|", " - ", " – ",
                       " — ", "＝", "=")
# "（潟沼義樹撮影）": a Japanese caption closes with the photographer and 撮影 ("photographed").
_JAPANESE_PHOTOGRAPHER = re.compile(r"[（(]([^（()）]{1,20})撮影[)）]$")
# A last segment in Hangul or kana/kanji without spaces ("... 있다. 연합뉴스") names the source.
_CJK_NAME = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uff21-\uff5a0-9]{2,10}")
# A credit is made of names, agencies and "/", "," or "via" between them.
_NAME_CHARS = re.compile(r"[\w.'’ ,/&-]+")
_NAME_SEPARATORS = re.compile(r"[\s/,]+")
_DOMAIN_END = re.compile(r"\b[\w-]+\.(?:com|net|org|de|at|ch|fr|es|it|nl|be|io|co\.uk|com\.au)$")
_TAIL = 160  # characters at the end of a caption that may hold its credit
_TRAILING_SEPARATORS = " \t\n\r\f\v\u00a0|·•/:;,–—-"


def _credit_shaped(text: str) -> bool:
    """"Jane Doe/Getty Images", "X via Getty Images", "Jane Doe, AFP", "REUTERS"."""
    if _NAME_CHARS.fullmatch(text) is None:
        return False
    if "/" in text or " via " in text:
        return True
    words = text.replace(",", " ").split()
    return bool(words) and (words[-1] in _AGENCY_NAMES or " ".join(words[-2:]) in _AGENCY_NAMES)


def _reads_as_names(text: str) -> bool:
    """A short run of names and agencies: at most one unexpected lowercase word."""
    words = [w for w in _NAME_SEPARATORS.split(text) if w]
    if not words or len(words) > 8:
        return False
    odd = sum(1 for w in words if w[0].islower() and w.lower() not in CREDIT_LOWER_WORDS)
    return odd <= 1 and any(w[0].isupper() or w in _AGENCY_NAMES for w in words)


def clean_credit(text: str) -> str:
    """The credit without its label ("Photo:", "Foto:", "©") and enclosing parentheses."""
    credit = text.strip()
    for _ in range(2):  # "© Photo: X" carries two labels
        stripped = _LEADING_LABEL.sub("", credit, count=1)
        if stripped == credit:
            break
        credit = stripped
    if credit.endswith(")") and credit.count(")") > credit.count("("):
        credit = credit[:-1]
    if credit.startswith("(") and credit.endswith(")") and credit.count("(") == 1:
        credit = credit[1:-1]
    return credit.rstrip(_TRAILING_SEPARATORS).strip()


def strip_separators(text: str) -> str:
    """Text without the separators left dangling at its end once a credit is cut off."""
    return text.rstrip(_TRAILING_SEPARATORS).strip()


def is_credit(text: str) -> bool:
    """Whether a whole caption is only a credit: "Jane Doe/dpa", "Getty Images", "© AFP"."""
    if text.startswith(("©", "(c)")) or _LEADING_LABEL.match(text):
        return True
    if len(text) > 70:
        return False
    if text.startswith("(") and text.endswith(")"):
        # a caption that is all parenthesis is a source note: "(The Independent)"
        return _reads_as_names(text[1:-1])
    if _DOMAIN_END.search(text) and len(text.split()) <= 5:
        return True  # "cristianstorto - stock.adobe.com", "n-tv.de"
    return _credit_shaped(text) and _reads_as_names(text)


def _labelled(tail: str) -> tuple[int, str] | None:
    """(start, credit) of a "Photo: X" credit closing ``tail``, scanning its colons from the end."""
    end = len(tail)
    while (colon := tail.rfind(":", 0, end)) > 0:
        end = colon
        before = tail[:colon].rstrip()
        lowered = before.lower()
        label = _LABEL_AT_END.search(lowered, max(0, len(lowered) - len(_LABELS[0])))
        if label is None:
            continue
        start = len(before) - len(label.group())
        if start > 0 and before[start - 1] not in _LABEL_BOUNDARY:
            continue
        if start > 0 and before[start - 1] == "(":
            start -= 1
        credit = tail[colon + 1:]
        if "(" in credit.rstrip(")") and start == 0:
            return None
        return start, credit
    return None


def _last_segment(tail: str) -> tuple[int, str, str] | None:
    """(start, text, separator) of the last short segment of ``tail``, after a sentence end
    or a separator."""
    cut, separator = -1, ""
    for candidate in _SEGMENT_SEPARATORS:
        # only a separator after the last one found can win: search just the rest
        at = tail.rfind(candidate, cut + 1)
        if at > cut:
            cut, separator = at, candidate
    if cut < 0:
        return None
    segment = tail[cut + len(separator):].strip()
    if not 2 <= len(segment) <= 70 or any(ch in segment for ch in "!?|"):
        return None
    # a sentence end stays with the caption
    return (cut + 1 if tail[cut] in _SENTENCE_END else cut), segment, separator


def _named_parenthesis(tail: str) -> tuple[int, str] | None:
    """A closing "(Jane Doe/CBC)" (names around a slash), or "(Edu Luque)" after the
    caption's last sentence: a name alone in parentheses once the sentence is over."""
    start = tail.rfind("(")
    content = tail[start + 1:-1]
    if start <= 0 or (not _credit_shaped(content) and "/" in content):
        return None
    if "/" in content:
        return (start, content) if _reads_as_names(content) else None
    words = content.split()
    if (tail[:start].rstrip().endswith((".", "!", "?")) and 2 <= len(words) <= 4
            and all(w[0].isupper() and w.isalpha() for w in words)):
        return start, content
    return None


def _cjk_source(text: str, separator: str) -> bool:
    """A Korean or Japanese source name closing a caption: ". 연합뉴스", "＝共同通信社"; after
    "＝" a place or date ("＝同国で2019年5月") is not a source."""
    if _CJK_NAME.fullmatch(text) is None:
        return False
    if separator in ("＝", "="):
        return not has_digit(text) and not text.endswith("で")
    return True


def _tail_credit(pattern: re.Pattern[str], tail: str) -> tuple[int, str] | None:
    match = pattern.search(tail)
    return (match.start(), match.group("credit")) if match is not None else None


def split_credit(caption: str) -> tuple[str, str | None]:
    """Split a trailing credit off a caption: (caption, credit), credit None when none is found.

    Only text patterns that say "credit" are used (a label, a copyright sign, an agency name,
    a "Name/Agency" segment), so that an ordinary caption is never cut.
    """
    # Credits close the caption: only its tail is searched, which bounds the cost per caption.
    offset = len(caption) - _TAIL if len(caption) > _TAIL else 0
    tail = caption[offset:]
    lowered = tail.lower()
    found = _labelled(tail) if ":" in tail else None
    # each pattern is tried only when the text holds what it needs
    if found is None and " by " in lowered:
        found = _tail_credit(_BY_TAIL, tail)
    if found is None and ("©" in tail or "copyright" in lowered or "(c)" in lowered
                          or "ｃ）" in lowered):
        found = _tail_credit(_COPYRIGHT_TAIL, tail)
    if found is None and tail.endswith(")"):
        found = _tail_credit(_PAREN_TAIL, tail)
    if found is None and tail.endswith(")"):
        found = _named_parenthesis(tail)
    if found is not None:
        credit = clean_credit(found[1])
        if credit and len(credit) <= 120:
            return strip_separators(caption[: offset + found[0]]), credit
    segment = _last_segment(tail)
    if segment is not None and offset + segment[0] > 0:
        start, credit, separator = segment
        if (_credit_shaped(credit) and _reads_as_names(credit)) or _cjk_source(credit, separator):
            return strip_separators(caption[: offset + start]), credit
    japanese = _JAPANESE_PHOTOGRAPHER.search(tail) if "撮影" in tail else None
    if japanese is not None:
        return strip_separators(caption[: offset + japanese.start()]), japanese.group(1)
    return caption, None
