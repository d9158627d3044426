"""Boilerplate recognition: class/id words, tags, and paragraph text in several languages."""

from __future__ import annotations

import pytest

from scraper.extract.cleanup import (
    ElementKind,
    drop_boilerplate,
    element_kind,
    hint_words,
    is_body_mark,
    is_dek,
    is_negative,
    is_positive,
    site_name,
)

PROSE = "The committee met on Tuesday and agreed on a plan to rebuild the bridge by spring."


def test_hint_words_split_class_values_into_lower_case_words() -> None:
    assert hint_words("Article__related-Links  js_share main") == [
        "article", "related", "links", "js", "share", "main"]
    assert hint_words("") == []


def test_hint_words_split_camel_case() -> None:
    assert hint_words("articleComments relatedPosts") == [
        "article", "comments", "related", "posts"]
    assert is_negative(hint_words("articleComments"))


@pytest.mark.parametrize(("hints", "words"), [
    # A BEM modifier is a state or variant: the field's label is hidden, the post promoted.
    ("field field--name-body field--label-hidden", ["field", "field", "field"]),
    ("node node--promoted", ["node", "node"]),
    # What the element has: a sidebar beside it.
    ("page-width with-sidebar has-comments", ["page", "width"]),
    ("card card-has-image mv-no-js", ["card", "card", "mv"]),
    # A collapsed part: folded until a click.
    ("kt-accordion-panel kt-accordion-panel-hidden", ["kt", "accordion", "panel"] * 2),
    ("faq-answer collapse hidden", ["faq", "answer", "collapse"]),
    # A CSS utility: the content is clipped, not hidden.
    ("grid overflow-hidden overflow-x-hidden", ["grid"]),
    # WordPress post classes: the slugs of the post's tags and categories.
    ("post-12 post type-post hentry tag-comments category-sidebar",
     ["post", "12", "post", "type", "post", "hentry"]),
    # Responsive and print utilities.
    ("col-12 col-print-7 offset-print-1 hidden-xs md:hidden", ["col", "12"]),
    # A page builder's module.
    ("elementor-widget-container", ["elementor", "container"]),
    ("hs_cos_wrapper hs_cos_wrapper_widget", ["hs", "cos", "wrapper", "hs", "cos", "wrapper"]),
])
def test_hint_words_leave_out_grammar_that_names_no_role(hints: str, words: list[str]) -> None:
    assert hint_words(hints) == words
    assert not is_negative(words)


@pytest.mark.parametrize("hints", [
    "related-card", "card related", "tag-list", "widget widget_text", "widget-area", "hidden",
    "category-sidebar",
])
def test_the_same_words_in_a_role_still_count(hints: str) -> None:
    assert is_negative(hint_words(hints))


@pytest.mark.parametrize("hints", [
    "comments", "comment-list", "share-bar", "article__related", "relatedArticles",
    "newsletter-signup", "ad", "ad-slot", "sidebar", "breadcrumb", "tags", "author-bio",
    "social-links", "promo-box", "most-read", "cookie-banner", "outbrain", "read-more",
    "page x-Recommendations", "wrap  sponsored_box", "cta-box", "wp-block-cta",
    "about-author", "post-author", "affiliate-disclaimer", "product-slider", "badge",
    "share-button",
])
def test_chrome_words(hints: str) -> None:
    assert is_negative(hint_words(hints))


@pytest.mark.parametrize("hints", ["shadow", "thread", "imagery", "loaded", "article-body",
                                   "story", "content", "headline", "paywall", "download",
                                   "unrelated antisocial", "unshared"])
def test_words_that_only_look_like_chrome(hints: str) -> None:
    assert not is_negative(hint_words(hints))


def test_positive_words() -> None:
    assert is_positive(hint_words("story-body"))
    assert is_positive(hint_words("c-article-text"))
    assert is_positive(hint_words("entry-content"))
    assert not is_positive(hint_words("sidebar widget"))


def test_dek_words_but_not_its_picture() -> None:
    assert is_dek(hint_words("article-main__summary"))
    assert is_dek(hint_words("standfirst"))
    assert is_dek(hint_words("c-lead"))
    assert not is_dek(hint_words("lead-image"))
    assert not is_dek(hint_words("article-body"))


def test_element_kinds_by_tag_and_class() -> None:
    assert element_kind("aside", "") is ElementKind.CHROME
    assert element_kind("figure", "article-body") is ElementKind.CHROME
    assert element_kind("div", "share-bar") is ElementKind.CHROME
    assert element_kind("div", "") is ElementKind.TEXT
    assert element_kind("div", "article-body meta") is ElementKind.TEXT
    assert element_kind("p", "article__lead") is ElementKind.DEK
    assert element_kind("div", "lead-image") is ElementKind.CHROME
    assert is_body_mark("js-Article-Body x")
    assert not is_body_mark("article-meta")
    assert is_body_mark("wrap ENTRY-CONTENT")
    assert not is_body_mark("")


@pytest.mark.parametrize("text", [
    "Read more: Kurdish parties agree on a joint vision",
    "READ MORE:",
    "Related: Floods close roads in the north",
    "Lesen Sie auch: Was die Reform bedeutet",
    "Mehr zum Thema",
    "À lire aussi : la réforme des retraites",
    "Lee también: el Gobierno aprueba el plan",
    "Leggi anche: il piano del governo",
    "Leia também: o plano do governo",
    "Czytaj też: rząd przyjął plan",
    "Читайте также: правительство одобрило план",
    "Advertisement",
    "Anzeige",
    "Share this article",
    "Sign up for our newsletter to get the day's top stories.",
    "Rudaw moderates all comments submitted on our website.",
    "Post a comment",
    "We use cookies to improve your experience.",
    "© 2025 Example Media. All rights reserved.",
    "Alle Rechte vorbehalten.",
    "Tous droits réservés.",
    "By Jane Doe",
    "Published: 12 March 2025, 10:00",
    "Aktualisiert am 12.03.2025",
    "Personen-Box aufklappen Personen-Box zuklappen",
    "Box aufklappen",
    "Show more",
    "Externer Inhalt",
])
def test_boilerplate_paragraphs_are_dropped(text: str) -> None:
    assert drop_boilerplate([PROSE, text]) == [PROSE]


@pytest.mark.parametrize("text", [
    "Related to this, the minister said the plan would cost more than expected and take years.",
    "Readers who moderate their spending will see the benefit, the bank said in its report.",
    "By the end of the month, early voting will be underway in at least four states.",
    "He said he would share the findings with the committee once the review was complete.",
    "Show more restraint, the judge told both sides before the hearing was adjourned.",
    "Die Kiste ließ sich nicht aufklappen, sagte der Zeuge vor Gericht.",
    "The company said it uses cookies from a local bakery in its advertising campaign, which "
    "ran for three weeks in the spring and drew complaints from competitors.",
])
def test_prose_that_mentions_boilerplate_words_is_kept(text: str) -> None:
    assert drop_boilerplate([PROSE, text]) == [PROSE, text]


@pytest.mark.parametrize("heading", ["Comments", "3 Comments", "Kommentare (12)", "Leave a Reply",
                                     "Commentaires", "Comentarios", "Discussion (4)",
                                     "12 Discussions", "Join the discussion"])
def test_comment_section_heading_cuts_the_rest(heading: str) -> None:
    later = "Great article, thanks for writing it. I agree with every word of it."
    assert drop_boilerplate([PROSE, heading, later, PROSE + " Again."]) == [PROSE]


@pytest.mark.parametrize("text", [
    "Dieser Artikel wurde ausgedruckt unter der Adresse: https://www.example.de/nachrichten/"
    "region/ein-langer-pfad-zu-einem-artikel-ueber-den-einschlag-eines-meteoriten,meteorit146.html",
    "Do 25.04.24 | 14:07 Uhr | Von Eva Kirchner-Rätsch",
    "Radio | Nachrichten | 28. April 2023 | 10:00 Uhr",
    "Register", "Sign in or register", "Do not have an account? Sign up", "Video loading...",
    "Like Loading…", "Font size", "Schriftgröße ändern", "In partnership with", "Sponsored by",
    "Join our mailing list!", "Other Posts You May Enjoy", "Schlagwörter zu diesem Artikel",
    "We apologize, but this video has failed to load.",
])
def test_print_lines_data_lines_account_prompts_and_promos_are_dropped(text: str) -> None:
    assert drop_boilerplate([PROSE, text]) == [PROSE]


@pytest.mark.parametrize("text", [
    "The report, published by the city in March and available at https://example.org/report, "
    "found that the bridge had been inspected only twice in the ten years before it closed.",
    "Prices rose 3% in May | the fastest pace since 2023, the statistics office said.",
    "Register your bike with the city before 1 June, the council said on Monday.",
])
def test_sentences_with_an_address_a_bar_or_an_account_word_are_kept(text: str) -> None:
    assert drop_boilerplate([PROSE, text]) == [PROSE, text]


@pytest.mark.parametrize("text", ["Od Jana Nowaka", "Geplaatst op 12 maart 2025, 10:02",
                                  "Zaktualizowano: 3 marca 2025", "ANSA", "Xinhua"])
def test_bylines_and_date_lines_in_the_lexicons_languages_are_dropped(text: str) -> None:
    assert drop_boilerplate([PROSE, text]) == [PROSE]


@pytest.mark.parametrize("heading", ["Discussion", "Diskussion"])
def test_a_discussion_section_of_the_article_is_kept(heading: str) -> None:
    # a report's or a paper's own section, not the readers' comments (those give a count)
    assert drop_boilerplate([PROSE, heading, PROSE + " Again."]) == [
        PROSE, heading, PROSE + " Again."]


def test_long_paragraphs_are_never_boilerplate() -> None:
    text = "Read more: " + "word " * 100
    assert drop_boilerplate([text]) == [text]


def test_dates_and_separators_above_the_body_are_dropped_figures_below_kept() -> None:
    assert drop_boilerplate(["22.04.2024 | 15:54", "|", PROSE, "2024 3.5"]) == [PROSE, "2024 3.5"]


def test_a_japanese_date_line_is_a_date() -> None:
    assert drop_boilerplate([PROSE, "1月13日", PROSE]) == [PROSE, PROSE]


@pytest.mark.parametrize("text", ["Mehr zum Thema Hitzeschäden", "Related coverage", "Quelle: dpa",
                                  "Source: AFP", "【関連記事】", "Les også: Slik gikk det"])
def test_short_pointers_and_source_lines_are_dropped(text: str) -> None:
    assert drop_boilerplate([PROSE, text]) == [PROSE]


def test_a_sentence_starting_like_a_pointer_is_kept() -> None:
    assert drop_boilerplate(["Watching the game were 40,000 fans."]) == [
        "Watching the game were 40,000 fans."]


@pytest.mark.parametrize("text", [
    "2024.03.17 08:00", "1 day ago", "21 mins ago", "Getty Images", "REUTERS", "(dmk)",
    "Von: Simone Jung", "• Email: reporter@example.com", "Article continues below",
    "Sign In or Create an Account", "We apologize, but this video has failed to load.",
])
def test_labels_credits_dates_and_player_errors_are_dropped(text: str) -> None:
    assert drop_boilerplate([PROSE, text]) == [PROSE]


@pytest.mark.parametrize("text", [
    "The mayor at the opening on Monday. Photo: Jane Doe/City Press",
    "Schüler im Klassenzimmer in Neuss. Bildrechte: MDR/David Straub",
    "Der Bürgermeister bei der Eröffnung © Gemeinde Tristach",
    "Der Kreml in Moskau. (Archivbild)",
    "Zitiervorschlag: Brücke gesperrt. In: Tagesblatt, https://example.com/a/123",
    "Your web browser is no longer supported. To improve your experience update it here",
    "Get daily news delivered to your inbox so you never miss the top stories.",
])
def test_captions_citations_and_service_notes_set_as_paragraphs_are_dropped(text: str) -> None:
    assert drop_boilerplate([PROSE, text]) == [PROSE]


def test_a_sentence_mentioning_a_photo_is_kept() -> None:
    assert drop_boilerplate([PROSE, "He said the photo: was taken in May."]) == [
        PROSE, "He said the photo: was taken in May."]


@pytest.mark.parametrize("text", [
    "Auf dieser Seite:", "Schlagwörter zu diesem Artikel", "12.12.2025, 05:07 Uhr",
    "(Quelle: APA/sda/dpa)", "Kilde: Helsenorge.no", "Editor : Heryadi", "Embed",
    "With reporting by Associated Press writer Jane Doe", "Don't have an account? Create Account",
])
def test_page_labels_and_source_credits_are_dropped(text: str) -> None:
    assert drop_boilerplate([PROSE, text]) == [PROSE]


@pytest.mark.parametrize("text", [
    "Table of Contents", "In this article:", "Jump to:", "Inhaltsverzeichnis", "5 min read",
    "3 MIN. READ", "Reading Time: 11 minutes", "Lesedauer: ca. 4 Minuten", "About the Author",
    "Edited by", "By", "Show Caption", "Hide Caption", "Already have an account? Log in",
    "Tags: Employment, Health & Fitness, Mid-sized Businesses",
    "Category: Personal Finance 101", "YOU MIGHT ALSO LIKE:",
    "You may also like", "Must read: How we test laptops", "Jane Doe | 5 min read",
    "March 3, 2024 · 4 min read", "Jane Doe • May 2 • 4 min read",
    "di Teresa Fallavollita 20 Novembre 2024",
    "By Jane Doe 3 March 2024", "28.04.2023, 19:09 3 Min.",
    "Add us as a preferred source on Google",
    "Follow us on Google News and add us as a preferred source to get our news in your feeds.",
])
def test_contents_read_time_author_box_and_tag_lines_are_dropped(text: str) -> None:
    assert drop_boilerplate([PROSE, text]) == [PROSE]


@pytest.mark.parametrize("text", [
    "Contents of the report were leaked to the press on Friday.",
    "By 2030, the city wants every bus to run on electricity.",
    "Tags on the luggage showed it had been checked in Frankfurt.",
    "You may also like the new bridge, the mayor joked at the opening.",
    "The tour | 5 min read of the plan",
    "By 2030 the city wants 5 new buses on the road.",
])
def test_sentences_opening_like_those_labels_are_kept(text: str) -> None:
    assert drop_boilerplate([PROSE, text]) == [PROSE, text]


def test_a_sentence_starting_with_sources_is_kept() -> None:
    text = "Sources say the deal is close to being done, officials told reporters."
    assert drop_boilerplate([PROSE, text]) == [PROSE, text]


@pytest.mark.parametrize(("text", "kept"), [
    # The article's pointers to other sites: a registration page, a shop under a product.
    ("Registration: https://www.conference.example.com/tickets", True),
    ("Amazon USA at $19.99: https://amzn.to/3itnPwZ", True),
    # The page's own address (a print or citation line), and bare addresses (references,
    # profiles), whatever site they lead to.
    ("Printed from: https://www.paper.co.uk/news/bridge-to-close-1234", False),
    ("[1] https://www.journal.example.org/articles/bridges", False),
    ("https://www.facebook.com/thepaper, https://x.com/thepaper", False),
])
def test_a_short_line_with_an_address_is_kept_when_it_points_to_another_site(
        text: str, kept: bool) -> None:
    assert drop_boilerplate([PROSE, text], "paper") == ([PROSE, text] if kept else [PROSE])
    assert drop_boilerplate([PROSE, text]) == [PROSE]  # the page's site unknown


def test_site_name_is_the_name_a_domain_is_registered_under() -> None:
    assert site_name("https://www.bbc.co.uk/news/1") == "bbc"
    assert site_name("https://bbc.com/news") == "bbc"
    assert site_name("//shop.example.com:8080/kit") == "example"
    assert site_name("/news/other") == ""


@pytest.mark.parametrize("text", [
    "Read more: the committee met on Tuesday", "Recommended reading: a long report on the plan",
    "Recommended", "READ ALSO » Bridge works", "Mehr zum Thema", "Read the full report",
    "»Lesen Sie auch: Hitze", "recommended readings", PROSE,
])
def test_pointer_phrases_grouped_by_first_letter_match_as_the_plain_alternation(text: str) -> None:
    # The phrases are grouped by first letter for speed; which phrase matches, and so what
    # follows it (a colon or not), must stay what the plain alternation in order gives.
    import re

    from scraper.extract.cleanup import _POINTER
    from scraper.extract.lexicon import POINTER_PHRASES

    plain = re.compile(
        rf"^\W*(?:{'|'.join(POINTER_PHRASES)})\b(\s*[:：»>|\-–—】]|\s*$)?", re.IGNORECASE)
    grouped, expected = _POINTER.match(text), plain.match(text)
    assert (grouped and (grouped.group(0), grouped.group(1))) == (
        expected and (expected.group(0), expected.group(1)))
