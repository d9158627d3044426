"""The extraction's word lists, one per concept, kept as data (trafilatura's ``xpaths.py``
is the model): tag names, class/id words, the labels and phrases of boilerplate text in
the languages we read, byline words, month names and news agencies.

Nothing here decides anything: each module that uses a list builds the matcher it needs
from it (a set, a regular expression) and documents how it matches. A list is one concept
for every module that asks about it, so a new language or a new word is one more entry
here, not a new rule somewhere. Entries marked "regex fragments" are pieces of regular
expressions (matched case-insensitively unless the user says otherwise); the others are
plain lower-case words or phrases.
"""

from __future__ import annotations

__all__ = [
    "ACCOUNT_LABELS",
    "AD_LABELS",
    "AND_WORDS",
    "ARCHIVE_PHOTO_LABELS",
    "ARTICLE_CLASS_PREFIXES",
    "ARTICLE_CLASS_WORDS",
    "AUTHOR_BOX_LABELS",
    "AUTHOR_LABELS",
    "BODY_CLASS_MARKS",
    "BROWSER_NOTICES",
    "BYLINE_LEADS",
    "BYLINE_PREPOSITIONS",
    "CAPTION_CLASS_NAMES",
    "CAPTION_EXCLUDED_CLASS_PARTS",
    "CAPTION_EXCLUDED_CLASS_WORDS",
    "CAPTION_NOTICE_WORDS",
    "CHROME_CLASS_PREFIXES",
    "CHROME_CLASS_WORDS",
    "COLLAPSIBLE_CLASS_WORDS",
    "COMMENT_NOTICES",
    "COMMENT_SECTION_HEADINGS",
    "CONTENTS_LABELS",
    "COOKIE_NOTICES",
    "CREDIT_CLASS_NAMES",
    "CREDIT_LABELS",
    "CREDIT_LOWER_WORDS",
    "CSS_PROPERTY_CLASS_WORDS",
    "DATE_LINE_WORDS",
    "DEK_CLASS_STEMS",
    "DEK_CLASS_WORDS",
    "FOLLOW_NOTICES",
    "HAVING_CLASS_WORDS",
    "MEDIA_CLASS_WORDS",
    "MODULE_CLASS_WORD",
    "MONTH_NAMES",
    "NAME_PARTICLES",
    "NAVIGATION_LABELS",
    "NEWSLETTER_NOTICES",
    "NEWS_AGENCIES",
    "NEWS_AGENCY_CREDITS",
    "NOT_PLACES",
    "NOT_TITLE_PLACES",
    "PAGE_LABELS",
    "PHOTO_AGENCIES",
    "PHOTO_CREDIT_LABELS",
    "PICTURE_POSITIONS",
    "POINTER_PHRASES",
    "POSITION_CLASS_WORDS",
    "PUBLISHED_LABELS",
    "READ_TIME_HEADS",
    "READ_TIME_LABELS",
    "RELATED_LABELS",
    "RELATIVE_TIME_LABELS",
    "REPORTING_CREDITS",
    "RIGHTS_RESERVED",
    "ROLE_SUFFIXES",
    "ROLE_WORDS",
    "SCREEN_CLASS_WORDS",
    "SECOND_LEVEL_DOMAINS",
    "SHARE_LABELS",
    "SHARE_NOTICES",
    "SKIP_TAGS",
    "SOURCE_LABELS",
    "TAG_LABELS",
    "TAXONOMY_CLASSES",
    "TOGGLE_LABELS",
    "UPDATED_LABELS",
    "VISIBILITY_CLASS_WORDS",
    "WEEKDAY_NAMES",
    "WIRE_WORDS",
]

# ---------------------------------------------------------------------------------------
# Tags
# ---------------------------------------------------------------------------------------

# The second level under a country's domain that names no site ("bbc.co.uk", "abc.net.au").
SECOND_LEVEL_DOMAINS = frozenset({"co", "com", "net", "org", "gov", "gob", "edu", "ac", "or",
                                  "ne", "go", "gv", "nic", "ltd", "plc", "info", "biz"})

# Subtrees that never hold article prose. Figures and captions are read by the image step
# before the body is read.
SKIP_TAGS = frozenset({
    "script", "style", "noscript", "template", "svg", "math", "nav", "aside", "form",
    "iframe", "figure", "figcaption", "picture", "video", "audio", "canvas", "object",
    "embed", "footer", "button", "select", "textarea", "input", "label", "dialog", "menu",
    "head", "title", "link", "meta", "h1", "header", "img", "map", "source",
})

# ---------------------------------------------------------------------------------------
# Class and id words: matched against the words of a class/id value
# (:func:`scraper.extract.cleanup.hint_words`: "article__related-Links" -> 3 words)
# ---------------------------------------------------------------------------------------

# Chrome: comments, share bars, ads, navigation, related links, bylines and dates, media.
CHROME_CLASS_WORDS = frozenset({
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
    "photos", "image", "images", "img", "picture", "pic", "cta", "author", "disclaimer",
    "slider", "badge", "button",
})
# Class words that start with one of these are chrome too ("relatedarticles", "socialshare").
CHROME_CLASS_PREFIXES = (
    "related", "recommend", "newsletter", "subscri", "social", "promo", "advert", "banner",
    "sponsor", "widget", "recirc", "byline", "cookie", "comment", "sharebar", "share_",
)
# An article or its text.
ARTICLE_CLASS_WORDS = frozenset({
    "main", "prose", "richtext", "copy", "paragraph", "paragraphs", "articlebody",
})
ARTICLE_CLASS_PREFIXES = ("article", "story", "content", "body", "text", "post", "entry",
                          "blog", "detail")
# A standfirst / dek / lead near the headline.
DEK_CLASS_WORDS = frozenset({
    "standfirst", "dek", "lede", "lead", "leadin", "leadtext", "summary", "intro",
    "introduction", "subtitle", "subheadline", "subhead", "excerpt", "description",
    "abstract", "sapo", "chapo", "chapeau", "entradilla", "deck", "strapline", "teasertext",
    "articlelead", "articleteaser", "summarytext", "kicker", "preamble", "epigraph",
    "ingress", "sumario", "occhiello",
})
# Every dek word contains one of these stems (regex fragments): a cheap test before
# splitting a class value into words.
DEK_CLASS_STEMS = (
    "lead", "lede", "dek", "deck", "summar", "intro", "sub", "excerpt", "descr", "abstract",
    "sapo", "chap", "entradilla", "strap", "teaser", "kicker", "preamble", "epigraph",
    "standfirst", "ingress", "occhiello",
)
# A picture or its caption (a "lead-image" is not a lead).
MEDIA_CLASS_WORDS = frozenset({"image", "img", "photo", "media", "figure", "video",
                               "picture", "pic", "caption"})
# Parts of a class value that say the element holds the article body; "article-body" beats
# "article-meta" in the same value.
BODY_CLASS_MARKS = ("articlebody", "article-body", "article__body", "story-body",
                    "storybody", "post-body", "entry-content", "article-content",
                    "article__content", "post-content", "article-text", "articletext",
                    "story-content", "rich-text", "richtext", "body-text", "bodytext",
                    "article__text")
# Class grammar that names no role of the element itself (see cleanup.hint_words):
# WordPress taxonomy classes on a post ("tag-<slug>", "category-<slug>"),
TAXONOMY_CLASSES = ("tag", "category", "post_tag", "format")
# responsive and print utilities ("hidden-xs", "d-print-none", "col-print-7"): a screen
# word together with a visibility word,
SCREEN_CLASS_WORDS = frozenset({"xs", "sm", "md", "lg", "xl", "xxl", "print", "mobile",
                                "tablet", "desktop", "screen"})
VISIBILITY_CLASS_WORDS = frozenset({"hidden", "visible", "hide", "show", "col", "d", "only",
                                    "none"})
# a page builder's unit after the first part ("elementor-widget-container"),
MODULE_CLASS_WORD = "widget"
# where an element stands among its siblings ("panel-last-child", "first", "odd"): the
# chunks of one story stand first, last or between,
POSITION_CLASS_WORDS = ("first", "last", "odd", "even")
# what an element has or lacks, and the rest of the name after it ("with-sidebar",
# "card-has-image", "no-ads"),
HAVING_CLASS_WORDS = frozenset({"has", "with", "no", "without"})
# a CSS utility ("overflow-hidden"),
CSS_PROPERTY_CLASS_WORDS = frozenset({"overflow"})
# and a collapsed part of the page, whose text shows on a click ("accordion-panel hidden",
# "kt-accordion-panel-hidden", "collapse"): "hidden" says it is folded, not chrome.
COLLAPSIBLE_CLASS_WORDS = frozenset({"accordion", "collapse", "collapsible", "collapsed",
                                     "expandable", "toggle", "spoiler"})

# Containers whose pictures are not the article's (the image step): parts of words,
# matched anywhere in a class token ("mainFooter"), and whole words between "-", "_" and
# spaces ("ad-slot").
CAPTION_EXCLUDED_CLASS_PARTS = (
    "footer", "sidebar", "related", "teaser", "newsletter", "outbrain", "taboola",
    "recommend", "breadcrumb", "trending", "mostread", "most-read", "popular", "readmore",
    "read-more", "morestories", "more-stories", "oembed", "consent", "placeholder",
    "advert", "sponsor",
)
CAPTION_EXCLUDED_CLASS_WORDS = frozenset({
    "ad", "ads", "comment", "comments", "author", "authors", "byline", "avatar", "logo",
    "profile", "share", "social", "nav", "navigation", "menu", "banner", "subscribe", "promo",
})
# Class names of a caption, and of a credit (parts of the lower-cased class attribute).
CAPTION_CLASS_NAMES = (
    "caption", "legend", "beschreibung", "description", "subtitle", "bildtext",
    "unterschrift", "figcap", "img-info", "media-text",
)
CREDIT_CLASS_NAMES = (
    "credit", "copyright", "photographer", "fotograf", "rights", "author", "quelle",
    "urheber", "licen", "courtesy", "source", "__src", "-src", "-lic",
)

# ---------------------------------------------------------------------------------------
# Boilerplate text: a short paragraph that is one of these labels (whole), opens with one
# of these pointers or source labels, or holds one of these phrases is not prose.
# Labels and pointers are regex fragments; phrases are plain lower-case substrings.
# ---------------------------------------------------------------------------------------

# Pointers elsewhere ("Read more: ...") and calls to act.
POINTER_PHRASES = (
    "read more", "read also", "also read", "read next", "more on this", "more from",
    "related", "recommended", "see also", "watch", "listen", "click here", "sign up",
    "subscribe", "follow us", "share this", "share on", "download (?:the|our) app",
    "get the app", "lesen sie (?:auch|mehr|hier)", "mehr zum thema", "mehr dazu",
    "auch interessant", "das könnte sie auch interessieren", "weiterlesen", "zum thema",
    "hier geht", "abonnieren", "folgen sie", "jetzt (?:abonnieren|anmelden|lesen|weiterlesen)",
    "lire aussi", "à lire aussi", "a lire aussi", "lire la suite", "voir aussi",
    "abonnez-vous", "suivez-nous", "leer más", "lee también", "lea también", "ver también",
    "te puede interesar", "suscríbete", "síguenos", "leggi anche", "leggi di più",
    "potrebbe interessarti", "iscriviti", "leia também", "leia mais", "veja também",
    "lees ook", "lees meer", "bekijk ook", "czytaj (?:też|także|więcej)",
    "zobacz (?:też|także)", "читайте также", "читать также", "смотрите также",
    "подписывайтесь", "les også", "les mer", "se også", "läs också", "läs mer", "se även",
    "læs også", "læs mere", "lue myös", "lue lisää", "para saber más", "más información",
    "saiba mais", "ler mais", "daha fazla", "ilgili haber", "ayrıca bakınız", "olvassa el",
    "přečtěte si", "citiți și", "διαβάστε επίσης", "関連記事", "あわせて読みたい", "相关阅读",
    "相關新聞", "관련기사", "관련 기사", "you (?:may|might) also (?:like|enjoy|be interested in)",
    "must read", "recommended reading",
)
# Labels of the source line under a story ("Quelle: dpa"), followed by a colon.
SOURCE_LABELS = (
    "quelle", "quellen", "source", "sources", "fuente", "fonte", "bron", "źródło",
    "источник", "kilde", "källa", "lähde", "editor", "redaktion", "redakcja",
)
# Lines crediting other reporters or material, at the start of a line.
REPORTING_CREDITS = ("with (?:additional )?reporting by", "additional reporting by",
                     "mit material von")
# Read-time labels (regex fragments): "5 min read", "Reading time: 4 minutes".
READ_TIME_LABELS = ("read", "reading", "de lecture", "de lectura", "lesezeit")
READ_TIME_HEADS = ("reading time", "read time", "time to read", "lesedauer", "lesezeit",
                   "temps de lecture", "tiempo de lectura", "tempo di lettura")
# Labels of the tag list under a story, followed by a colon ("Tags: Health, Fitness").
TAG_LABELS = (
    "tags", "tagged", "tagged with", "filed under", "categories", "category", "topics",
    "schlagwörter", "stichwörter", "themen", "étiquettes", "mots-clés", "etiquetas", "temas",
)
# Labels of publication and update dates ("Published: 12 March 2025", "Stand: 3. Mai"),
# regex fragments.
PUBLISHED_LABELS = ("published", "posted", "veröffentlicht", "publié", "publicado",
                    "pubblicato", "gepubliceerd", "opublikowano", "publicat", "geplaatst",
                    "yayınlanma", "опубликовано")
UPDATED_LABELS = (
    "updated", "last\\s+updated", "aktualisiert", "stand", "mis\\s+à\\s+jour",
    "actualizado", "actualisé", "aggiornat[oa]", "atualizado", "bijgewerkt", "uppdaterad",
    "opdateret", "oppdatert", "zaktualizowano", "aktualizacja", "actualizat", "güncellendi",
    "güncelleme", "обновлено",
)

# Whole-line labels (regex fragments).
AD_LABELS = ("advertisement", "advertising", "anzeige", "werbung", "publicidad", "publicité",
             "pubblicità", "reklama", "реклама", "sponsored", "pr", "in partnership with",
             "sponsored by", "presented by", "paid partnership")
SHARE_LABELS = ("share", "teilen", "partager", "compartir", "print", "drucken", "e-?mail",
                "tweet", "facebook", "twitter", "whatsapp", "linkedin", "copy link",
                "link kopieren", "embed")
NAVIGATION_LABELS = ("top", "back to top", "nach oben", "close", "schließen", "menu", "menü",
                     "(?:[\\w-]+ )?loading\\W*", "(?:[\\w-]+ )?wird geladen\\W*",
                     "(?:article|story) continues below", "continue reading", "contact us",
                     "(?:schriftgröße|textgröße|font size|text size)(?: anpassen| ändern)?")
RELATED_LABELS = ("more about", "most read", "most popular", "meistgelesen", "häufig gelesen",
                  "noticia relacionada", "noticias relacionadas", "taip pat skaitykite",
                  "weitere informationen",
                  "(?:other |more |related )?(?:posts|articles|stories) you (?:may|might) "
                  "(?:also )?(?:like|enjoy)")
_ACCOUNT_ACTION = "(?:sign in|log in|create (?:an )?account|register|sign up)"
ACCOUNT_LABELS = (
    f"(?:(?:don't|do not|already) have an account\\W*)?{_ACCOUNT_ACTION}"
    f"(?:\\s+or\\s+{_ACCOUNT_ACTION})?",
    "(?:don't|do not|already) have an account",
)
CONTENTS_LABELS = ("table of contents", "contents", "in this article", "on this page",
                   "jump to", "inhaltsverzeichnis", "inhalt", "sommaire", "índice", "indice",
                   "contenido", "auf dieser seite")
AUTHOR_BOX_LABELS = ("about the authors?", "über (?:den autor|die autorin)", "by",
                     "edited by")
# A time ago, or a German date line ("12.12.2025, 05:07 Uhr", "28.04.2023, 19:09 3 Min.",
# "vor 3 Minuten").
RELATIVE_TIME_LABELS = (
    "\\d+\\s*(?:mins?|minutes?|hours?|hrs?|days?|weeks?)\\s+ago",
    "\\d{1,2}\\.\\d{1,2}\\.\\d{2,4}\\W*(?:\\d{1,2}[:.]\\d{2})?\\s*(?:uhr)?"
    "(?:\\W*(?:lesedauer\\W*)?\\d+\\s*min)?",
    "vor\\s+\\d+\\s+(?:minuten|stunden|tagen)",
)
PAGE_LABELS = ("mit agenturmaterial", "(?:show|hide) caption",
               "(?:tags|keywords|schlagwörter|stichwörter)(?: (?:zu diesem|zum) artikel"
               "| (?:for|in) this (?:article|story))?")
# The labels of page widgets left as text: expand/collapse toggles, and the placeholders
# of embeds waiting for consent.
TOGGLE_LABELS = (
    "(?:[\\w-]+\\s+)?(?:aufklappen|ausklappen)(?:\\s+(?:[\\w-]+\\s+)?(?:zuklappen|einklappen))?",
    "(?:show|read|see|view) (?:more|less)", "mehr anzeigen", "weniger anzeigen", "voir plus",
    "afficher plus", "ver más", "mostrar más", "externer inhalt",
)
# A heading or label that opens the comment section (regex fragments).
COMMENT_SECTION_HEADINGS = (
    "comments?", "kommentare?", "commentaires?", "comentarios?", "commenti", "reacties",
    "komentarze", "комментарии", "yorumlar", "leave a reply", "join the discussion",
    "post a comment", "add a comment", "write a comment", "kommentar schreiben",
)

# Phrases (lower case) that mark a short paragraph as boilerplate wherever they stand.
RIGHTS_RESERVED = (
    "all rights reserved", "alle rechte vorbehalten", "tous droits réservés",
    "todos los derechos reservados", "tutti i diritti riservati",
    "todos os direitos reservados", "alle rechten voorbehouden",
    "wszelkie prawa zastrzeżone", "все права защищены", "copyright ©",
)
COMMENT_NOTICES = (
    "moderates all comments", "moderate all comments", "comments are moderated",
    "post a comment", "leave a comment", "add a comment", "comments are closed",
    "join the conversation", "kommentar schreiben", "kommentare sind geschlossen",
    "commentaires sont fermés",
)
COOKIE_NOTICES = (
    "we use cookies", "this website uses cookies", "this site uses cookies",
    "wir verwenden cookies", "website verwendet cookies", "seite verwendet cookies",
    "nous utilisons des cookies", "site utilise des cookies", "utilizamos cookies",
    "este sitio web utiliza cookies",
)
NEWSLETTER_NOTICES = (
    "sign up for our", "subscribe to our", "sign up to our", "signing up to our",
    "delivered to your inbox", "by providing your email", "jederzeit wieder abmelden",
    "newsletter abonnieren", "zum newsletter", "inscrivez-vous à notre", "our mailing list",
    "suscríbete a nuestro",
)
SHARE_NOTICES = ("share this article", "share this story", "artikel teilen")
# Asking the reader to follow the site in a search engine's news ("Add us as a preferred
# source on Google").
FOLLOW_NOTICES = ("as a preferred source", "preferred source on google")
BROWSER_NOTICES = (
    "failed to load", "refreshing your browser", "refresh your browser",
    "browser is no longer supported", "sorry, your browser", "enable javascript",
    "javascript is disabled", "this content is not available",
    "dieser inhalt ist nicht verfügbar",
)

# ---------------------------------------------------------------------------------------
# Bylines, names and credits
# ---------------------------------------------------------------------------------------

# Words that introduce a byline ("By Jane Doe", "Von Max Muster", "Por Ana García").
BYLINE_PREPOSITIONS = ("by", "from", "von", "vom", "por", "par", "di", "door", "av", "af",
                       "od", "de", "da", "van", "ved", "przez")
# Of those, the ones that also start names when capitalised ("Di Maio", "De Niro").
NAME_PARTICLES = frozenset({"de", "da", "di", "van"})
# Words before "by" in a byline ("Written by", "Ein Kommentar von"), regex fragments.
BYLINE_LEADS = (
    "written", "reported", "reporting", "posted", "published", "compiled", "text", "texte",
    "words", "story", "photos?", "fotos?", "bilder", "interview", "analysis", "analyse",
    "commentary", "kommentar", "ein\\s+(?:kommentar|gastbeitrag|interview)",
    "eine\\s+(?:analyse|reportage|kolumne)",
)
# Labels that introduce an author or a source instead of a preposition ("Autorin: X",
# "Text: X", "Foto: X"), regex fragments.
AUTHOR_LABELS = (
    "autor(?:in|a)?", "author", "auteur", "autore", "redacción", "redaccion", "redazione",
    "texto", "text", "texte", "testo", "tekst", "fotos?", "photos?", "bild", "quelle",
    "source", "fuente",
)
# "And" between names, in the languages we read (regex fragments).
AND_WORDS = ("and", "&", "und", "u\\.", "y", "e", "et", "og", "och", "en", "ve", "и", "és",
             "with", "mit", "con", "avec")
# Words for what a person is rather than who (regex fragments, each starting with a letter).
ROLE_WORDS = (
    "staff", "senior", "chief", "editor", "editors", "editorial", "writer", "writers",
    "reporter", "reporters", "correspondent", "correspondents", "columnist", "contributor",
    "contributing", "journalist", "journalists", "producer", "photographer", "photojournalist",
    "analyst", "freelance", "freelancer", "intern", "news\\s*desk", "newsroom", "desk", "team",
    "bureau", "redakteur(?:in)?", "redaktion", "korrespondent(?:in)?", "reporter(?:in)?",
    "autor(?:in)?", "mitarbeiter(?:in)?", "volont[äa]r(?:in)?", "fotograf(?:in)?",
    "chefredakteur(?:in)?", "ressortleiter(?:in)?", "leiter(?:in)?", "corresponsal",
    "redactor(?:a)?", "periodista", "enviad[oa]\\s+especial", "inviat[oa]", "giornalista",
    "corrispondente", "envoy[ée]\\s+sp[ée]ciale?", "journaliste", "r[ée]dacteur",
    "r[ée]dactrice", "updated", "aktualisiert", "published", "veröffentlicht", "min\\s+read",
    "read\\s+more", "follow", "profile", "more\\s+from", "contact", "email", "e-mail",
    "twitter", "facebook", "folgen", "seguir", "suivre", "segui", "abonnieren", "subscribe",
    "alle\\s+artikel", "all\\s+articles", "mehr\\s+zum\\s+autor",
)
# Role words East Asian bylines put after the name ("신현주 기자", "松岡大地記者").
ROLE_SUFFIXES = ("기자", "특파원", "선임기자", "記者", "特派員", "编辑", "记者", "撮影")
# Words that introduce a picture credit ("Photo: X", "Foto: X", "Bild: X").
CREDIT_LABELS = (
    "photo", "photos", "photograph", "photographs", "picture", "pictures", "image", "images",
    "image credit", "image credits", "credit", "credits", "illustration", "illustrations",
    "graphic", "graphics", "video", "vídeo", "source", "foto", "fotos", "bild", "bilder",
    "grafik", "quelle", "fotó", "foto's", "kuva", "zdjęcie", "fot.", "ảnh", "фото",
    "источник", "isithombe", "sithombe", "imagem", "immagine", "imagen", "crédito",
    "créditos", "copyright", "bildquelle", "fotoquelle", "symbolfoto", "symbolbild",
    "archivfoto", "archivbild", "photographer", "fotograf",
)
# The labels of a caption paragraph's photo credit ("Photo: Jane Doe"), regex fragments:
# only picture words. The credit labels above also hold "source" and "graphics", which at
# the end of a paragraph close a data note or a spec line ("Graphics: Nvidia RTX 3060"),
# not a caption (tried: fundus-dev -0.0001, wcxb-dev check -0.0001).
PHOTO_CREDIT_LABELS = ("bildrechte", "foto", "fotos", "photo", "photos", "photograph", "bild",
                       "credit", "image")
# Notes that say a picture is an archive photo: "(Archivbild)".
ARCHIVE_PHOTO_LABELS = ("archivbild", "archivfoto", "archive photo", "file photo")
# Lowercase words that do occur in credits ("picture alliance/dpa", "Ludwig van Beethoven").
CREDIT_LOWER_WORDS = frozenset({
    "via", "and", "und", "de", "da", "del", "der", "den", "van", "von", "vom", "zu", "y", "e",
    "et", "i", "dpa", "afp", "imago", "picture", "alliance", "images", "photo", "foto", "pool",
    "file", "archive", "archiv", "handout",
})
# Words of texts in caption-like elements that are not about a picture (consent and
# script notices).
CAPTION_NOTICE_WORDS = ("javascript", "cookies", "newsletter", "datenschutz", "privacy",
                        "abmelden", "unsubscribe")

# ---------------------------------------------------------------------------------------
# News agencies, wires and picture libraries
# ---------------------------------------------------------------------------------------

# News agencies and wires, lower case, as they appear in datelines ("Berlin (dpa) -").
NEWS_AGENCIES = frozenset({
    "ap", "afp", "reuters", "dpa", "dpa-afx", "afx", "epd", "kna", "apa", "sda", "keystone-sda",
    "ansa", "efe", "europa", "xinhua", "tass", "ians", "pti", "ani", "bernama", "kyodo", "yonhap",
    "cnn", "bloomberg", "interfax", "pap", "ctk", "čtk", "mti", "bta", "agerpres", "ntb", "tt",
    "ritzau", "stt", "belga", "anp", "lusa", "aa", "irna", "wam", "spa", "kuna", "mena", "anadolu",
    "upi", "cp", "aap", "pa", "ots", "apa-ots", "sid", "kap", "epa", "ria", "ria-novosti",
    "sputnik", "dha", "iha", "hina", "tanjug",
})
# Words in a wire's name ("PRNewswire", "Europa Press", "Agencia EFE").
WIRE_WORDS = ("wire", "press", "news", "newswire", "presse", "prensa", "agencia", "agence",
              "agentur")
# Agencies and picture libraries that are credits on their own ("(Reuters)", "/ AFP"), as
# printed (matched case-sensitively).
NEWS_AGENCY_CREDITS = (
    "AP", "AFP", "Reuters", "REUTERS", "dpa", "DPA", "EPA", "EFE", "ANSA", "ANP", "Belga",
    "BELGA", "APA", "Keystone", "KEYSTONE", "PA", "AAP", "Getty Images", "Getty",
    "Shutterstock", "iStock", "IMAGO", "imago", "Imago", "Xinhua", "TASS", "PAP", "Bloomberg",
    "Alamy", "NurPhoto", "SIPA", "Sipa", "Ritzau", "NTB", "TT", "Lusa", "Kyodo", "Yonhap",
    "AP Photo",
)
# Picture libraries, lower case.
PHOTO_AGENCIES = ("getty images", "imago", "shutterstock", "picture alliance")

# ---------------------------------------------------------------------------------------
# Dates and datelines
# ---------------------------------------------------------------------------------------

# Month names and abbreviations, January first, in the languages we read.
MONTH_NAMES = (
    "january jan januar janvier enero ene gennaio genn gen janeiro januari januar jänner jän "
    "stycznia styczeń styczen ianuarie ocak январь января янв",
    "february feb februar février fevrier févr fevr febrero febbraio fevereiro fev februari "
    "lutego luty februarie şubat subat февраль февраля фев",
    "march mar mär märz maerz mars marzo março marco maart marca marzec martie mart "
    "март марта",
    "april apr avril abril aprile abr kwietnia kwiecień aprilie nisan апрель апреля апр",
    "may mai mayo maggio mag maio mei maj maja mayıs mayis май мая",
    "june jun juni juin junio giugno giu junho jun czerwca czerwiec iunie haziran июнь июня",
    "july jul juli juillet juil julio luglio lug julho lipca lipiec iulie temmuz июль июля",
    "august aug août aout agosto ago augustus augusti sierpnia sierpień ağustos agustos "
    "август августа авг",
    "september sep sept septembre septiembre settembre set setembro setiembre "
    "wrzesień wrzesnia września septembrie eylül eylul сентябрь сентября сен",
    "october oct oktober octobre octubre ottobre ott outubro out okt października "
    "październik octombrie ekim октябрь октября окт",
    "november nov novembre noviembre novembro listopada listopad noiembrie kasım kasim "
    "ноябрь ноября ноя",
    "december dec dezember déc décembre decembre diciembre dic dicembre dezembro dez "
    "grudnia grudzień decembrie aralık aralik декабрь декабря дек",
)
# The words around a date on a date line besides the month: labels, prepositions and
# read-time words, in the languages whose month names are above.
DATE_LINE_WORDS = frozenset({
    "published", "publish", "posted", "post", "date", "dated", "on", "at", "by", "the", "of",
    "in", "updated", "update", "last", "modified", "min", "mins", "minute", "minutes", "read",
    "reading", "time", "pm", "am", "veröffentlicht", "aktualisiert", "zuletzt", "stand", "datum",
    "um", "uhr", "von", "publié", "mis", "à", "jour", "le", "par", "publicado",
    "actualizado", "el", "de", "por", "las", "a", "pubblicato", "aggiornato", "il", "di", "alle",
    "em", "às", "atualizado", "gepubliceerd", "bijgewerkt", "geplaatst", "op", "door",
    "opublikowano", "zaktualizowano", "dnia", "przez", "publicat", "actualizat", "yayınlanma",
    "güncelleme", "tarihi", "опубликовано", "обновлено",
})
# Weekday names and abbreviations.
WEEKDAY_NAMES = frozenset({
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "mon", "tue",
    "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun", "montag", "dienstag",
    "mittwoch", "donnerstag", "freitag", "samstag", "sonntag", "lundi", "mardi", "mercredi",
    "jeudi", "vendredi", "samedi", "dimanche", "lunes", "martes", "miércoles", "jueves",
    "viernes", "sábado", "domingo", "lunedì", "martedì", "mercoledì", "giovedì", "venerdì",
    "sabato", "domenica",
})
# Capitalised words that open sentences or name organisations rather than places.
NOT_PLACES = frozenset({"UPDATE", "BREAKING", "EXCLUSIVE", "WATCH", "LIVE", "VIDEO", "PHOTOS",
                        "ANALYSIS", "OPINION", "EDITORIAL", "NATO", "NASA", "FIFA", "UEFA",
                        "OPEC", "UNICEF", "UNESCO", "WHO", "IMF", "OECD", "NOTE", "CORRECTION",
                        "ADVISORY", "PHOTO", "AUDIO", "REVIEW", "COMMENT", "INTERVIEW"})
# Where a person stands in a picture, in lower case and parentheses after a name as an
# agency follows a place ("Smith (left) -", "Müller (li) -").
PICTURE_POSITIONS = frozenset({"left", "top", "li", "re", "oben", "vorn", "sx", "dx"})
# Title-case words that open headings and sentences the way a place opens a dateline.
NOT_TITLE_PLACES = frozenset({
    "update", "updated", "breaking", "exclusive", "watch", "live", "video", "photos",
    "analysis", "opinion", "editorial", "note", "correction", "review", "comment",
    "interview", "explainer", "sponsored", "podcast", "commentary", "perspective",
    "letters", "obituary", "advertisement", "summary", "background", "today", "yesterday",
    "tomorrow", "meanwhile", "however", "also", "first", "second", "third", "finally",
    "then", "now", "so", "but", "and", "yes", "no", "well", "okay", "ok", "introduction",
    "conclusion", "overview", "disclaimer", "tl;dr", "step", "tip", "warning", "question",
    "answer", "q", "a", "the", "this", "that", "it", "he", "she", "we", "they", "i", "you",
    "there", "here", "why", "what", "how", "when", "where", "who",
})
