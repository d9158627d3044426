"""Per-source extract rules (sources.yaml ``extract:``) win over the generic extractor."""

from __future__ import annotations

import pytest

from scraper import extract
from scraper.errors import ExtractionError
from scraper.models import ExtractRules, Image

P1 = "The city council voted on Monday to close the old bridge, citing safety concerns."
P2 = "Engineers found cracks in two of the supporting pillars during an inspection in May."
TEASER = "A much longer teaser text about another story, which the generic extractor favours, " * 3

PAGE = f"""<html><head><meta property="og:title" content="Generic title | Site"></head><body>
<h1>Generic title</h1>
<div class="story-kicker"><span class="x-title">Bridge to close</span></div>
<div id="main"><div class="box"><p>{TEASER}</p><p>{TEASER} Two.</p><p>{TEASER} 3.</p></div></div>
<section class="x-zone"><p>{P1}</p><p class="editor-note">Editor's note: this story was
updated.</p><p>{P2}</p></section>
<div class="pic"><img src="/a.jpg"><span class="x-cap">The bridge in May.</span></div>
</body></html>"""


def test_without_rules_the_generic_result_stands() -> None:
    article = extract(PAGE, "https://example.com/a")
    assert article.headline == "Generic title"
    assert article.body == "\n\n".join((TEASER.strip(), TEASER + "Two.", TEASER + "3."))


def test_body_rule_wins_and_remove_rule_drops_nodes() -> None:
    rules = ExtractRules(body="section.x-zone", remove=(".editor-note",))
    assert extract(PAGE, "https://example.com/a", rules).body == f"{P1}\n\n{P2}"


def test_body_rule_without_remove_keeps_what_the_source_puts_there() -> None:
    rules = ExtractRules(body="section.x-zone")
    assert extract(PAGE, "https://example.com/a", rules).body == (
        f"{P1}\n\nEditor's note: this story was updated.\n\n{P2}")


def test_headline_rule_wins() -> None:
    rules = ExtractRules(headline=".x-title")
    assert extract(PAGE, "https://example.com/a", rules).headline == "Bridge to close"


def test_caption_rule_wins() -> None:
    rules = ExtractRules(body="section.x-zone", caption=".x-cap")
    images = extract(PAGE, "https://example.com/a", rules).images
    assert [image.caption for image in images] == ["The bridge in May."]


def test_rules_that_match_nothing_fall_back_to_the_generic_result() -> None:
    rules = ExtractRules(headline=".nope", body=".nope", caption=".nope", remove=(".nope",))
    generic = extract(PAGE, "https://example.com/a")
    assert extract(PAGE, "https://example.com/a", rules) == generic


def test_remove_rule_applies_before_the_generic_extractor() -> None:
    rules = ExtractRules(remove=(".box",))
    assert extract(PAGE, "https://example.com/a", rules).body == (
        f"{P1}\n\nEditor's note: this story was updated.\n\n{P2}")


@pytest.mark.parametrize("field", ["headline", "body", "caption"])
def test_invalid_selector_raises_extraction_error(field: str) -> None:
    rules = ExtractRules(**{field: "p["})
    with pytest.raises(ExtractionError, match=r"^invalid CSS selector 'p\[' in extract rules$"):
        extract(PAGE, "https://example.com/a", rules)


def test_invalid_remove_selector_raises_extraction_error() -> None:
    with pytest.raises(ExtractionError, match="invalid CSS selector '!!'"):
        extract(PAGE, None, ExtractRules(remove=("!!",)))


def test_caption_rule_adds_captions_beyond_the_images_found() -> None:
    html = f"<body><article><p>{P1}</p></article><i class='c'>One</i><i class='c'>Two</i></body>"
    images = extract(html, None, ExtractRules(caption="i.c")).images
    assert images == (Image(caption="One"), Image(caption="Two"))
