"""What counts as boilerplate inside the content block: navigation, share bars, related
links, newsletter and subscription boxes, author bios, tag lists, comment sections and
their policy text.

Two kinds of evidence, kept here as data: class/id words and tag names (an element is
skipped with its whole subtree), and text patterns in several languages (a short paragraph
is dropped: pointers such as "Read more:", labels, bylines, dates, credits, captions,
cookie, newsletter and comment-policy notices; a comment-section heading cuts off the rest
of the body, policy text and forms included, even when it shares the article's tags).
"""

from __future__ import annotations

import enum
import re

__all__ = [
    "SKIP_TAGS",
    "ElementKind",
    "could_be_dek",
    "drop_boilerplate",
    "element_kind",
    "hint_words",
    "is_body_mark",
    "is_dek",
    "is_negative",
    "is_positive",
]

# Subtrees that never hold article prose. Figures and captions are read by the image step
# before the body is read.
SKIP_TAGS = frozenset({
    "script", "style", "noscript", "template", "svg", "math", "nav", "aside", "form",
    "iframe", "figure", "figcaption", "picture", "video", "audio", "canvas", "object",
    "embed", "footer", "button", "select", "textarea", "input", "label", "dialog", "menu",
    "head", "title", "link", "meta", "h1", "header", "img", "map", "source",
})


# Chrome words in class/id values, matched against the value's words ("share-bar",
# "article__related", "comments") so that "shadow" or "thread" do not match "ad". Words
# that start with one of the prefixes count too ("relatedarticles", "socialshare").
_NEGATIVE_WORDS = frozenset({
    "comment", "comments", "commentlist", "disqus", "respond", "reply", "replies",
    "sidebar", "newsletter", "signup", "share", "sharing", "sharebar", "shariff",
    "teaser", "teasers", "ad", "ads", "adv", "adslot", "nav", "navbar", "navigation", "menu",
    "breadcrumb", "breadcrumbs", "footer", "tag", "tags", "taglist", "keywords", "topics",
    "bio", "authorbio", "authorbox", "popular", "trending", "mostread", "readmore",
    "alsoread", "consent", "toolbar", "modal", "popup", "login", "caption", "credit",
    "credits", "hidden", "meta", "timestamp", "date", "dates", "published", "updated",
    "rating", "poll", "survey", "donate", "donation", "membership", "pagination", "pager",
    "skip", "masthead", "gallery", "slideshow", "player", "podcast", "embed", "tweet",
    "instagram", "facebook", "twitter", "whatsapp", "feedback", "print", "email", "mail",
    "follow", "outbrain", "taboola", "infobox", "sronly", "sr", "more", "most", "photo",
    "photos", "image", "images", "img", "picture", "pic",
})
_NEGATIVE_PREFIXES = (
    "related", "recommend", "newsletter", "subscri", "social", "promo", "advert", "banner",
    "sponsor", "widget", "recirc", "byline", "cookie", "comment", "sharebar", "share_",
)
# A word that starts with a prefix, found by one search over the words joined with a
# space in front of each: cheaper than a Python-level startswith() per word.
_NEGATIVE_START = re.compile(" (?:" + "|".join(map(re.escape, _NEGATIVE_PREFIXES)) + ")")
_POSITIVE_WORDS = frozenset({
    "main", "prose", "richtext", "copy", "paragraph", "paragraphs", "articlebody",
})
_POSITIVE_PREFIXES = ("article", "story", "content", "body", "text", "post", "entry", "blog",
                      "detail")
# Standfirst / dek containers near the headline.
_DEK_WORDS = frozenset({
    "standfirst", "dek", "lede", "lead", "leadin", "leadtext", "summary", "intro",
    "introduction", "subtitle", "subheadline", "subhead", "excerpt", "description",
    "abstract", "sapo", "chapo", "chapeau", "entradilla", "deck", "strapline", "teasertext",
    "articlelead", "articleteaser", "summarytext", "kicker", "preamble", "epigraph",
    "ingress", "sumario", "occhiello",
})
# Every dek word contains one of these: a cheap test before splitting a class value.
_DEK_STEM = re.compile(
    "lead|lede|dek|deck|summar|intro|sub|excerpt|descr|abstract|sapo|chap|entradilla"
    "|strap|teaser|kicker|preamble|epigraph|standfirst|ingress|occhiello")
_MEDIA_WORDS = frozenset({"image", "img", "photo", "media", "figure", "video", "picture",
                          "pic", "caption"})
# "article-body" beats "article-meta" in the same value: a container that says it holds
# the body is kept even when another of its words looks like chrome.
_BODY_MARKS = ("articlebody", "article-body", "article__body", "story-body", "storybody",
               "post-body", "entry-content", "article-content", "article__content",
               "post-content", "article-text", "articletext", "story-content", "rich-text",
               "richtext", "body-text", "bodytext", "article__text")
_BODY_MARK = re.compile("|".join(map(re.escape, _BODY_MARKS)))


# Class grammar that names no role of the element itself:
# - WordPress post classes ("post-12 type-post hentry tag-comments category-sidebar"): the
#   taxonomy classes carry the post's tag and category slugs, whatever words those are.
_WP_POST = re.compile(r"(?:^| )(?:hentry|status-publish|post-\d+)(?= |$)")
_TAXONOMY = ("tag", "category", "post_tag", "format")
# - Responsive and print utilities ("hidden-xs", "d-print-none", "offset-print-1", "md:hidden"):
#   the element shows on some screens, and its words say so, not what it is.
_MEDIA = frozenset({"xs", "sm", "md", "lg", "xl", "xxl", "print", "mobile", "tablet",
                    "desktop", "screen"})
_VISIBILITY = frozenset({"hidden", "visible", "hide", "show", "col", "d", "only", "none"})
# - Page-builder modules ("elementor-widget-container", "hs_cos_wrapper_widget"): a word
#   such as "widget" after the first part names the builder's unit, any content at all; a
#   sidebar widget puts it first ("widget", "widget_text", "widget-area").
_MODULE_WORD = "widget"
# - What an element has or lacks ("with-sidebar", "card-has-image", "no-ads"): its layout.
_HAVING = frozenset({"has", "with", "no", "without"})
# - A CSS utility ("overflow-hidden"): how the element's content is clipped.
_CSS_PROPERTY = frozenset({"overflow"})
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def hint_words(hints: str) -> list[str]:
    """The words of a class/id value that may say what the element is, lower-cased.

    Classes split on "-", "_" and camelCase ("Article__related-Links" -> 3 words); the
    words of grammar that says something else are left out: a BEM modifier, the state or
    variant of what the name before it says ("field--label-hidden", "node--promoted"),
    what an element has ("with-sidebar"), WordPress taxonomy classes on a post
    ("tag-<slug>"), responsive utilities ("hidden-xs", "md:hidden") and a page builder's
    "widget" ("elementor-widget-container").
    """
    if not hints.islower():
        hints = _CAMEL.sub(" ", hints).lower() if hints.isascii() else hints.lower()
    words: list[str] = []
    post = None
    for name in hints.split():
        if ":" in name:
            continue
        if "-" not in name and "_" not in name:
            words.append(name)
            continue
        parts = name.partition("--")[0].replace("-", " ").replace("_", " ").split()
        if len(parts) < 2:
            words += parts
            continue
        if not _HAVING.isdisjoint(parts):
            parts = parts[:min(parts.index(w) for w in _HAVING if w in parts)]
        if not parts or parts[0] in _CSS_PROPERTY:
            continue
        if parts[0] in _TAXONOMY:
            if post is None:
                post = _WP_POST.search(hints) is not None
            if post:
                continue
        if not _MEDIA.isdisjoint(parts) and (
                not _VISIBILITY.isdisjoint(parts) or parts[-1].isdigit()):
            continue
        words += [parts[0]] + [w for w in parts[1:] if not w.startswith(_MODULE_WORD)]
    return words


def is_negative(words: list[str]) -> bool:
    """Whether class/id words name chrome (comments, share bars, ads, related links...)."""
    return (not _NEGATIVE_WORDS.isdisjoint(words)
            or _NEGATIVE_START.search(" " + " ".join(words)) is not None)


def is_positive(words: list[str]) -> bool:
    """Whether class/id words name an article or its text."""
    return any(w in _POSITIVE_WORDS or w.startswith(_POSITIVE_PREFIXES) for w in words)


def could_be_dek(hints: str) -> bool:
    """A cheap test before :func:`is_dek`: whether the value has a dek word's stem."""
    return _DEK_STEM.search(hints.lower()) is not None


def is_dek(words: list[str]) -> bool:
    """Whether class/id words name a standfirst/dek/lead (and not its picture)."""
    return not _DEK_WORDS.isdisjoint(words) and _MEDIA_WORDS.isdisjoint(words)


class ElementKind(enum.Enum):
    """What a block element is, from its tag and class/id."""

    TEXT = 0
    CHROME = 1
    DEK = 2


def element_kind(tag: str, hints: str) -> ElementKind:
    """Whether a block is chrome to skip, a standfirst, or possibly text.

    >>> element_kind("div", "share-bar"), element_kind("p", "standfirst")
    (<ElementKind.CHROME: 1>, <ElementKind.DEK: 2>)
    """
    if tag in SKIP_TAGS:
        return ElementKind.CHROME
    if not hints:
        return ElementKind.TEXT
    words = hint_words(hints)
    if is_negative(words) and not is_body_mark(hints):
        return ElementKind.CHROME
    return ElementKind.DEK if is_dek(words) else ElementKind.TEXT


def is_body_mark(hints: str) -> bool:
    """Whether a class/id value says its element holds the article body ("article-body")."""
    # One scan for all the marks rather than a substring search per mark.
    return _BODY_MARK.search(hints.lower()) is not None



# Starts of paragraphs that point elsewhere ("Read more: ...") or sell something.
_POINTER = re.compile(
    r"^\W*(?:read more|read also|also read|read next|more on this|more from|related"
    r"|recommended|see also|watch|listen|click here|sign up|subscribe|follow us|share this"
    r"|share on|download (?:the|our) app|get the app|lesen sie (?:auch|mehr|hier)"
    r"|mehr zum thema|mehr dazu|auch interessant|das könnte sie auch interessieren"
    r"|weiterlesen|zum thema|hier geht|abonnieren|folgen sie|jetzt (?:abonnieren|anmelden"
    r"|lesen|weiterlesen)|lire aussi|à lire aussi|a lire aussi|lire la suite|voir aussi"
    r"|abonnez-vous|suivez-nous|leer más|lee también|lea también|ver también"
    r"|te puede interesar|suscríbete|síguenos|leggi anche|leggi di più"
    r"|potrebbe interessarti|iscriviti|leia também|leia mais|veja também|lees ook"
    r"|lees meer|bekijk ook|czytaj (?:też|także|więcej)|zobacz (?:też|także)"
    r"|читайте также|читать также|смотрите также|подписывайтесь|les også|les mer|se også"
    r"|läs också|läs mer|se även|læs også|læs mere|lue myös|lue lisää|para saber más"
    r"|más información|saiba mais|ler mais|daha fazla|ilgili haber|ayrıca bakınız"
    r"|olvassa el|přečtěte si|citiți și|διαβάστε επίσης|関連記事|あわせて読みたい"
    r"|相关阅读|相關新聞|관련기사|관련 기사|you (?:may|might) also (?:like|enjoy|be interested in)"
    r"|must read|recommended reading)"
    r"\b(\s*[:：»>|\-–—】]|\s*$)?",
    re.IGNORECASE,
)
# A pointer phrase without a colon after it ("Mehr zum Thema Hitze") is a pointer only in
# a line this short.
_SHORT_POINTER = 50
# "Quelle: dpa", "Source: AFP": the source line under a story.
_SOURCE = re.compile(
    r"^\(?(?:quelle|quellen|source|sources|fuente|fonte|bron|źródło|источник|kilde|källa"
    r"|lähde|editor|redaktion|redakcja)\s*:|^(?:with (?:additional )?reporting by"
    r"|additional reporting by|mit material von)\b",
    re.IGNORECASE)

# "5 min read", "3 MIN. READ", "Reading time: 4 minutes", "Lesedauer: 3 Min.": a read-time line.
_READ_TIME = re.compile(
    r"^\W*(?:\d+\s*(?:min(?:ute)?s?|min)\.?\s*(?:read|reading|de lecture|de lectura|lesezeit)"
    r"|(?:reading time|read time|time to read|lesedauer|lesezeit|temps de lecture"
    r"|tiempo de lectura|tempo di lettura)\W*(?:ca\.?\s*)?\d+\s*(?:min\w*|minutes?)\.?)\W*$",
    re.IGNORECASE)
# "Tags: Health, Fitness", "Filed under: Politics": the tag list under a story, as a line.
_TAG_LINE = re.compile(
    r"^(?:tags|tagged|tagged with|filed under|categories|category|topics|schlagwörter"
    r"|stichwörter|themen|étiquettes|mots-clés|etiquetas|temas)\s*:", re.IGNORECASE)

# Phrases (lower case) that mark a short paragraph as boilerplate wherever they stand.
# Plain substring tests: a regular expression alternating them is a hundred times slower.
_PHRASES = (
    "all rights reserved", "alle rechte vorbehalten", "tous droits réservés",
    "todos los derechos reservados", "tutti i diritti riservati",
    "todos os direitos reservados", "alle rechten voorbehouden",
    "wszelkie prawa zastrzeżone", "все права защищены", "moderates all comments",
    "moderate all comments", "comments are moderated", "post a comment", "leave a comment",
    "add a comment", "comments are closed", "join the conversation", "kommentar schreiben",
    "kommentare sind geschlossen", "commentaires sont fermés", "we use cookies",
    "this website uses cookies", "this site uses cookies", "wir verwenden cookies",
    "website verwendet cookies", "seite verwendet cookies", "nous utilisons des cookies",
    "site utilise des cookies", "utilizamos cookies", "este sitio web utiliza cookies",
    "sign up for our", "subscribe to our", "this video has failed to load",
    "try refreshing your browser", "browser is no longer supported", "sign up to our",
    "signing up to our", "delivered to your inbox", "by providing your email",
    "jederzeit wieder abmelden", "artikel wurde ausgedruckt", "dieses thema im programm",
    "newsletter abonnieren", "zum newsletter",
    "inscrivez-vous à notre", "suscríbete a nuestro", "share this article",
    "share this story", "artikel teilen", "copyright ©", "sorry, your browser",
    "enable javascript", "javascript is disabled", "this content is not available",
    "dieser inhalt ist nicht verfügbar",
)
_COPYRIGHT = ("©", "(c) ", "(C) ")
# Every phrase above has one of these words: the phrases are looked for only in a
# paragraph that has one (a set lookup per word instead of a scan per phrase).
_TRIGGER_WORDS = frozenset(
    word + end
    for word in (
        "reserved", "vorbehalten", "réservés", "reservados", "riservati", "voorbehouden",
        "zastrzeżone", "защищены", "comments", "comment", "kommentar", "kommentare",
        "commentaires", "conversation", "cookies", "newsletter", "sign", "subscribe",
        "abonnieren", "inscrivez-vous", "suscríbete", "share", "teilen", "copyright",
        "browser", "browser,", "javascript", "verfügbar", "available", "failed",
        "refreshing", "supported", "supported.", "up", "signing", "inbox", "providing",
        "abmelden", "abmelden,", "ausgedruckt", "programm", "programm:",
    )
    for end in ("", ".", ",", ":", ";", "!", ")", "?")
)

# Whole short paragraphs that are labels, not prose.
_LABEL = re.compile(
    r"^\W*(?:advertisement|advertising|anzeige|werbung|publicidad|publicité|pubblicità"
    r"|reklama|реклама|sponsored|share|teilen|partager|compartir|print|drucken|e-?mail"
    r"|tweet|facebook|twitter|whatsapp|linkedin|top|back to top|nach oben|copy link"
    r"|link kopieren|close|schließen|menu|menü|loading\W*|wird geladen\W*"
    r"|(?:article|story) continues below|continue reading|more about|most read|most popular"
    r"|meistgelesen|häufig gelesen|noticia relacionada|noticias relacionadas"
    r"|taip pat skaitykite|sign in|log in|sign in or create an account|pr|getty images"
    r"|reuters|afp|ap|dpa|imago|epa|shutterstock|picture alliance|\(\w{2,5}\)"
    r"|\d+\s*(?:mins?|minutes?|hours?|hrs?|days?|weeks?)\s+ago|auf dieser seite"
    r"|weitere informationen|schlagwörter zu diesem artikel|passend zum artikel|embed"
    r"|player wird geladen|schriftgröße anpassen|contact us|create account"
    r"|don't have an account\W*create account|mit agenturmaterial"
    r"|\d{1,2}\.\d{1,2}\.\d{2,4}\W*(?:\d{1,2}[:.]\d{2})?\s*uhr(?:\W*lesedauer\W*\d+\s*min)?"
    r"|vor\s+\d+\s+(?:minuten|stunden|tagen)|table of contents|contents|in this article"
    r"|on this page|jump to|inhaltsverzeichnis|inhalt|sommaire|índice|indice|contenido"
    r"|about the authors?|über (?:den autor|die autorin)|by|edited by|already have an account"
    r"\W*(?:log in|sign in)?|(?:show|hide) caption)\W*$",
    re.IGNORECASE,
)
# The labels of page widgets left as text: expand/collapse toggles ("Personen-Box aufklappen
# Personen-Box zuklappen", "Show more"), and the placeholders of embeds waiting for consent
# ("Link zum YouTube-Inhalt", "Ein Klick für den Datenschutz").
_WIDGET = re.compile(
    r"^(?:(?:[\w-]+\s+)?(?:aufklappen|ausklappen)(?:\s+(?:[\w-]+\s+)?(?:zuklappen|einklappen))?"
    r"|(?:show|read|see|view) (?:more|less)|mehr anzeigen|weniger anzeigen|voir plus"
    r"|afficher plus|ver más|mostrar más|link zu[mr]? [\w-]+-inhalt"
    r"|ein klick für den datenschutz|externer inhalt|empfohlener redaktioneller inhalt)\W*$",
    re.IGNORECASE,
)
_WIDGET_SIZE = 80
# A short line that is a date or a time and nothing else: "2024.03.17 08:00", "12:40".
_DATE_ONLY = re.compile(
    r"\d{1,2}:\d{2}|\d{4}[./-]\d{1,2}[./-]\d{1,2}|\d{1,2}[./]\d{1,2}[./]\d{2,4}|\d{1,2}月\d{1,2}日")
_EMAIL = re.compile(r"\S@\S+\.\w")
# A caption set as a paragraph ends with its photo credit (looked for in the last
# characters only: a search through the whole text would cost ten times more).
_CREDIT_TAIL = 80
_CITATION = 160
_PHOTO_CREDIT = re.compile(
    r"(?:\b(?i:bildrechte|foto|fotos|photo|photos|photograph|bild|credit|image)\s*:\s*"
    r"[A-ZÀ-ÞĀ-Ž][^.:]{1,60}|©\s*[^.]{2,60}"
    r"|\((?i:archivbild|archivfoto|archive photo|file photo)\))\W*$")

# A heading or label that opens the comment section: everything from here on is dropped.
_COMMENTS_START = re.compile(
    r"^\W*(?:\d+\s+)?(?:comments?|kommentare?|commentaires?|comentarios?|commenti|reacties"
    r"|komentarze|комментарии|yorumlar|leave a reply|join the discussion"
    r"|post a comment|add a comment|write a comment|kommentar schreiben)"
    r"(?:\s*\(\d+\))?\W*$"
    r"|^\W*(?:\d+\s+discussions?|(?:discussion|diskussion)\s*\(\d+\))\W*$",
    re.IGNORECASE,
)

# "By Jane Doe", "Von Max Muster und Erika Beispiel": a preposition, then only names.
_BYLINE = re.compile(
    r"^(?i:by|von|par|por|di|door|av|af|przez)(?:\s*:)?\s+"
    r"(?:[A-ZÀ-ÞĀ-Ž][\w.'’-]*(?:\s*(?:,|&|\band\b|\bund\b|\bet\b|\by\b|\be\b)?\s*)){1,8}"
    r"(?:\s*[|/–—-]\s*.{0,40})?$",
)
_DATE_LINE = re.compile(
    r"^(?:published|updated|posted|last updated|veröffentlicht|aktualisiert|stand"
    r"|publié|mis à jour|publicado|actualizado|pubblicato|aggiornato|gepubliceerd"
    r"|bijgewerkt|opublikowano)\b",
    re.IGNORECASE,
)

# Boilerplate is short: longer paragraphs are prose whatever words they use.
_LONG = 250
# Two letters in a row: a short line without them, above the body, is a date, a time or a
# separator.
_WORDY = re.compile(r"[^\W\d_]{2}")


def _is_boilerplate_text(text: str) -> bool:
    size = len(text)
    if size > _LONG:
        return False
    if size < 40 and _LABEL.match(text):
        return True
    if size < _WIDGET_SIZE and _WIDGET.match(text):
        return True
    pointer = _POINTER.match(text)
    if pointer and (pointer.group(1) or size < _SHORT_POINTER):
        return True
    if size < 80 and (_SOURCE.match(text) or _READ_TIME.match(text)):
        return True
    if size < 150 and _TAG_LINE.match(text):
        return True
    if size < 100 and (_BYLINE.match(text) or _DATE_LINE.match(text)):
        return True
    if text.startswith(_COPYRIGHT) or (size < 80 and _EMAIL.search(text)):
        return True
    tail = max(0, size - _CREDIT_TAIL)
    if ("©" in text or ":" in text[tail:] or text.endswith(")")) and _PHOTO_CREDIT.search(
            text, tail):
        return True  # a caption set as a paragraph
    if size < _CITATION and "://" in text:
        return True  # a citation or print line, not a sentence that mentions a site
    lowered = text.lower()
    if _TRIGGER_WORDS.isdisjoint(lowered.split()):
        return False
    return any(phrase in lowered for phrase in _PHRASES)


def drop_boilerplate(paragraphs: list[str]) -> list[str]:
    """Paragraphs without boilerplate; a comment-section heading cuts the rest off."""
    kept: list[str] = []
    for text in paragraphs:
        if len(text) < 60 and _COMMENTS_START.match(text):
            break
        if len(text) < 40 and not _WORDY.search(text) and (not kept or _DATE_ONLY.search(text)):
            continue  # a separator above the body, or a date anywhere (not a row of figures)
        if not _is_boilerplate_text(text):
            kept.append(text)
    return kept
