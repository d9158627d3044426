"""Photo credits: splitting them off caption text and stripping their labels.

>>> split_credit("Chelsea fans with a banner. Photo: Jane Doe/Reuters")
('Chelsea fans with a banner.', 'Jane Doe/Reuters')
>>> clean_credit("(Image: Getty)")
'Getty'
"""

from __future__ import annotations

import re

__all__ = ["clean_credit", "split_credit"]

# Words that introduce a credit, in the languages of the pages we read. Kept as data so that a
# new language is one more word, not a new rule.
_LABEL_WORDS = (
    r"photos?|photographs?|pictures?|images?|image credits?|credits?|illustrations?|graphics?"
    r"|video|source|fotos?|bild(?:er)?|grafik|quelle|fotó|foto's|kuva|zdjęcie|fot\.|ảnh"
    r"|фото|источник|isithombe|sithombe|imagem|immagine|imagen|crédito|créditos|copyright"
)
# "Photo: X", "(Image: X)", "Foto: X", "Bild: X", "Quelle: X" at the end of a caption.
_LABELLED_TAIL = re.compile(
    rf"(?:^|(?<=[\s.;,|/–—-])|(?<=[.!?]))\(?(?:{_LABEL_WORDS})\s*:\s*(?P<credit>[^()]+?)\)?\s*$",
    re.IGNORECASE,
)
# "Photo by X", "Photograph by X", "Illustration by X" at the end of a caption.
_BY_TAIL = re.compile(
    r"(?:^|(?<=[\s.;,|–—-])|(?<=[.!?]))\(?(?:photos?|photographs?|illustrations?|images?|"
    r"video|pictures?) by\s+(?P<credit>[^()]+?)\)?\s*$",
    re.IGNORECASE,
)
# "© X" and "Copyright X" anywhere after the caption.
_COPYRIGHT_TAIL = re.compile(r"(?:^|\s)\(?(?:©|\(c\)|copyright\b)\s*(?P<credit>[^©]+?)\)?\s*$",
                             re.IGNORECASE)
# Agencies and picture libraries that are credits on their own: "(Reuters)", "/ AFP".
_AGENCIES = (
    r"AP|AFP|Reuters|REUTERS|dpa|DPA|EPA|EFE|ANSA|ANP|Belga|BELGA|APA|Keystone|KEYSTONE|PA|AAP"
    r"|Getty Images|Getty|Shutterstock|iStock|IMAGO|imago|Imago|Xinhua|TASS|PAP|Bloomberg"
    r"|Alamy|NurPhoto|SIPA|Sipa|Ritzau|NTB|TT|Lusa|Kyodo|Yonhap|AP Photo"
)
# A trailing parenthesis that names a photographer or agency: "(AP Photo/Jae C. Hong)",
# "(Reuters)", "(Getty Images)"; "(Archivbild)" or "(left)" are not credits.
_PAREN_TAIL = re.compile(
    rf"\s*\((?P<credit>[^()]*(?:\b(?:{_AGENCIES})\b|\bPhoto\b|\bFoto\b)[^()]*)\)\s*$"
)
# A last short segment that reads as a credit: "Jane Doe/Getty Images", "X via Getty Images",
# "Jane Doe / AFP", "REUTERS". It must follow the end of a sentence or a separator.
_SEGMENT_TAIL = re.compile(
    r"(?:(?<=[.!?\"”»)])\s+|\s+[|–—-]\s+|\s*\|\s*)(?P<credit>[^.!?|]{2,70}?)\s*$"
)
_CREDIT_SHAPE = re.compile(
    rf"^(?:[\w.'’ -]+ ?/ ?[\w.'’/ ,-]+|[\w.'’ ,-]+ via (?:{_AGENCIES}|[\w.'’ -]+)"
    rf"|(?:[\w.'’ -]+,? )?(?:{_AGENCIES}))$"
)
# Leading labels to drop from a credit taken from its own element.
_LEADING_LABEL = re.compile(
    rf"^\(?\s*(?:(?:{_LABEL_WORDS})\s*(?::|by\b)|(?:photos?|photographs?|illustrations?|images?"
    r"|pictures?|video) by\b|©|\(c\)|copyright\b|tous droits réservés\b)\s*",
    re.IGNORECASE,
)
_TRAILING_SEPARATORS = re.compile(r"[\s|·•/:;,–—-]+$")


# Lowercase words that do occur in credits ("picture alliance/dpa", "Ludwig van Beethoven").
_CREDIT_LOWER_WORDS = frozenset({
    "via", "and", "und", "de", "da", "del", "der", "den", "van", "von", "vom", "zu", "y", "e",
    "et", "i", "dpa", "afp", "imago", "picture", "alliance", "images", "photo", "foto", "pool",
    "file", "archive", "archiv", "handout",
})


def _reads_as_names(text: str) -> bool:
    """A short run of names and agencies: at most one unexpected lowercase word."""
    words = [w for w in re.split(r"[\s/,]+", text) if w]
    if not words or len(words) > 8:
        return False
    odd = sum(1 for w in words if w[0].islower() and w.lower() not in _CREDIT_LOWER_WORDS)
    return odd <= 1 and any(w[0].isupper() for w in words)


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
    return _TRAILING_SEPARATORS.sub("", credit).strip()


def strip_separators(text: str) -> str:
    """Text without the separators left dangling at its end once a credit is cut off."""
    return _TRAILING_SEPARATORS.sub("", text).strip()


def split_credit(caption: str) -> tuple[str, str | None]:
    """Split a trailing credit off a caption: (caption, credit), credit None when none is found.

    Only text patterns that say "credit" are used (a label, a copyright sign, an agency name,
    a "Name/Agency" segment), so that an ordinary caption is never cut.
    """
    for pattern in (_LABELLED_TAIL, _BY_TAIL, _COPYRIGHT_TAIL, _PAREN_TAIL):
        match = pattern.search(caption)
        if match is not None:
            credit = clean_credit(match.group("credit"))
            if credit and len(credit) <= 120:
                return strip_separators(caption[: match.start()]), credit
    match = _SEGMENT_TAIL.search(caption)
    if match is not None and match.start() > 0:
        credit = match.group("credit").strip()
        if _CREDIT_SHAPE.match(credit) and _reads_as_names(credit):
            return strip_separators(caption[: match.start()]), credit
    return caption, None
