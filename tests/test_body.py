"""Finding the content block and reading its paragraphs."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from scraper import extract
from scraper.extract.body import BodyText, ContentBlock, extract_body, find_content_root
from scraper.extract.metadata import PageMetadata

P1 = "The city council voted on Monday to close the old bridge, citing safety concerns."
P2 = "Engineers found cracks in two of the supporting pillars during an inspection in May."
P3 = "A temporary crossing will open next week, the mayor said, and repairs will take a year."
P4 = "Residents on both banks said they had been worried about the bridge for a long time."


def _block(html: str) -> ContentBlock:
    block = find_content_root(LexborHTMLParser(html), PageMetadata())
    assert block is not None
    return block


def body_of(html: str, **meta: str) -> BodyText:
    tree = LexborHTMLParser(html)
    metadata = PageMetadata(**meta)  # type: ignore[arg-type]
    block = find_content_root(tree, metadata)
    assert block is not None
    return extract_body(block, metadata)


def test_no_body_element_gives_none() -> None:
    tree = LexborHTMLParser("<html><frameset><frame src=a></frameset></html>")
    assert find_content_root(tree, PageMetadata()) is None


def test_page_without_prose_falls_back_to_body() -> None:
    block = _block("<html><body><div>Short</div></body></html>")
    assert block.node.tag == "body"
    assert block.keep == frozenset()


def test_article_block_with_its_paragraphs_in_order() -> None:
    html = f"""<body><nav><p>{P4} nav</p></nav><article><div class="story-body">
      <p>{P1}</p><p>{P2}</p><p>{P3}</p></div></article></body>"""
    block = _block(html)
    assert block.node.attributes["class"] == "story-body"
    assert body_of(html) == BodyText((P1, P2, P3))


def test_one_wrapper_per_paragraph_is_joined_by_their_common_ancestor() -> None:
    chunks = "".join(f'<div class="sc-x1 block"><div class="sc-x2"><p>{p}</p></div></div>'
                     for p in (P1, P2, P3, P4))
    html = f'<body><main><article id="a">{chunks}</article></main></body>'
    block = _block(html)
    assert block.node.attributes["id"] == "a"
    assert body_of(html).paragraphs == (P1, P2, P3, P4)


def test_body_split_between_ads_keeps_every_chunk() -> None:
    html = f"""<body><div class="article"><div class="body-chunk"><p>{P1}</p><p>{P2}</p></div>
      <div class="ad-slot"><p>Advertisement for a long product you might really want</p></div>
      <div class="body-chunk"><p>{P3}</p><p>{P4}</p></div></div></body>"""
    assert body_of(html).paragraphs == (P1, P2, P3, P4)


def test_comment_section_with_more_text_than_the_article_is_not_the_article() -> None:
    comments = "".join(f'<li class="comment"><p>{P4} Comment number {i}.</p></li>'
                       for i in range(12))
    html = f"""<body><article><div class="text"><p>{P1}</p><p>{P2}</p></div></article>
      <section class="comments"><ul class="comment-list">{comments}</ul></section></body>"""
    assert body_of(html).paragraphs == (P1, P2)


def test_side_box_with_more_text_is_not_the_article() -> None:
    box = "".join(f"<p>{P4} Box {i}.</p>" for i in range(6))
    html = f"""<body><div class="page"><div class="col"><p>{P1}</p><p>{P2}</p></div>
      <aside><div class="box">{box}</div></aside></div></body>"""
    assert body_of(html).paragraphs == (P1, P2)


def test_paragraphs_of_the_body_are_kept_whatever_their_wrapper_class_says() -> None:
    html = f"""<body><div class="sidebar-grid"><div class="sidebar-grid__content">
      <p>{P1}</p><p>{P2}</p><p>{P3}</p></div><div class="sidebar-grid__rail">
      <p>Most read stories of the week</p></div></div></body>"""
    assert body_of(html).paragraphs == (P1, P2, P3)


def test_inline_elements_do_not_split_a_paragraph() -> None:
    html = ("<body><article><p>The <a href='/x'>council</a> voted <em>on Monday</em> to "
            "<strong>close</strong> the <span>old</span> bridge, citing<br>safety.</p>"
            f"<p>{P2}</p></article></body>")
    assert body_of(html).paragraphs == (
        "The council voted on Monday to close the old bridge, citing safety.", P2)


def test_text_in_divs_with_double_line_breaks() -> None:
    html = f"""<body><div class="nav"><a href="/">Home</a></div>
      <div class="entry">{P1}<br><br>{P2}<br>
      <br>{P3}</div></body>"""
    assert body_of(html).paragraphs == (P1, P2, P3)


def test_headings_lists_quotes_and_tables_in_reading_order() -> None:
    html = f"""<body><article class="post"><p>{P1}</p><h2>What happens next</h2>
      <ul><li>Closure from <b>June</b></li><li>Ferry service</li></ul>
      <blockquote><p>We had no choice.</p></blockquote>
      <table><tr><th>Year</th><th>Cost</th></tr><tr><td>2024</td><td>3m</td></tr></table>
      <p>{P2}</p></article></body>"""
    assert body_of(html).paragraphs == (
        P1, "What happens next", "Closure from June", "Ferry service", "We had no choice.",
        "Year Cost", "2024 3m", P2)


def test_chrome_inside_the_block_is_dropped() -> None:
    html = f"""<body><article><div class="article-body">
      <p>{P1}</p>
      <div class="share-bar"><a href="#">Facebook</a> <a href="#">X</a></div>
      <figure><img src="a.jpg"><figcaption>The bridge in May. Photo: City</figcaption></figure>
      <p>{P2}</p>
      <div class="related-links"><h3>Related</h3><ul><li><a href="/1">Other bridge story here</a>
      </li></ul></div>
      <ul><li><a href="/2">A list of links to other stories</a></li></ul>
      <p>{P3}</p>
      <div class="newsletter-box"><p>Get our morning briefing in your inbox.</p></div>
      <script>var x = "{P4}";</script>
      <div class="tags"><a href="/t">Bridges</a></div>
      </div></article></body>"""
    assert body_of(html).paragraphs == (P1, P2, P3)


def test_boilerplate_paragraphs_with_the_same_tags_as_the_body() -> None:
    html = f"""<body><div class="content"><p>{P1}</p><p>Read more: Why the bridge failed</p>
      <p>{P2}</p><p>{P3}</p><p>Comments</p>
      <p>Our site moderates all comments. Keep it civil and on topic, please.</p>
      <p>Post a comment</p></div></body>"""
    assert body_of(html).paragraphs == (P1, P2, P3)


def test_dek_in_the_block_becomes_the_summary() -> None:
    html = f"""<body><article><p class="standfirst">The bridge has been open since 1931.</p>
      <p>{P1}</p><p>{P2}</p></article></body>"""
    assert body_of(html) == BodyText((P1, P2), "The bridge has been open since 1931.")


def test_dek_before_the_block_becomes_the_summary() -> None:
    html = f"""<body><article><h1>Bridge to close</h1>
      <div class="article__lead">Repairs will take a year, the council says.</div>
      <div class="meta">By Jane Doe</div>
      <div class="article__body"><p>{P1}</p><p>{P2}</p></div></article></body>"""
    assert body_of(html, headline="Bridge to close") == BodyText(
        (P1, P2), "Repairs will take a year, the council says.")


def test_first_paragraph_equal_to_the_description_becomes_the_summary() -> None:
    html = f"<body><article><p>{P4}</p><p>{P1}</p><p>{P2}</p></article></body>"
    assert body_of(html, summary=P4) == BodyText((P1, P2), P4)


def test_description_not_shown_in_the_page_is_not_a_summary() -> None:
    html = f"<body><article><p>{P1}</p><p>{P2}</p></article></body>"
    assert body_of(html, summary=P4) == BodyText((P1, P2))


def test_headline_and_a_repeated_passage_are_dropped() -> None:
    # The passage shown twice (a second copy for small screens), and once more right
    # after itself.
    html = f"""<body><article><div class="text"><h2>Bridge to close, city says</h2>
      <p>{P1}</p><p>{P2}</p><p>{P3}</p><p>{P1}</p><p>{P2}</p><p>{P3}</p><p>{P3}</p>
      </div></article></body>"""
    assert body_of(html, headline="Bridge to close — city says").paragraphs == (P1, P2, P3)


def test_a_sentence_repeated_alone_is_kept_and_a_short_line_is_not() -> None:
    # The same description under two items of a list is the article's; a short line
    # repeated is not.
    html = f"""<body><article><h3>The old bridge</h3><p>{P1}</p><p>{P2}</p>
      <p>Tickets cost five dollars.</p><h3>The new bridge</h3><p>{P2}</p><p>{P3}</p>
      <p>Tickets cost five dollars.</p></article></body>"""
    assert body_of(html).paragraphs == (
        "The old bridge", P1, P2, "Tickets cost five dollars.", "The new bridge", P2, P3)


def test_a_field_repeated_under_two_items_is_kept() -> None:
    field = "Pet safety: toxic to cats and dogs."
    html = f"""<body><article><h3>The old bridge</h3><p>{field}</p><p>{P1}</p>
      <h3>The new bridge</h3><p>{field}</p><p>{P2}</p></article></body>"""
    assert body_of(html).paragraphs == (
        "The old bridge", field, P1, "The new bridge", field, P2)


def test_repeated_labels_are_kept_but_not_repeated_sentences() -> None:
    cards = "".join(f"<h3>Model {n}</h3><p>Pros</p><p>{p}</p><p>Best for</p><p>Commuters.</p>"
                    "<p>Commuters.</p>" for n, p in ((1, P1), (2, P2)))
    html = f"<body><article>{cards}</article></body>"
    assert body_of(html).paragraphs == (
        "Model 1", "Pros", P1, "Best for", "Commuters.", "Model 2", "Pros", P2, "Best for")


def test_a_table_in_a_figure_is_read_without_its_caption() -> None:
    html = f"""<body><article><p>{P1}</p><figure class="wp-block-table"><table>
      <tr><th>Pillar</th><th>Crack</th></tr><tr><td>North</td><td>12 cm</td></tr></table>
      <figcaption>Table: inspection results</figcaption></figure><p>{P2}</p>
      <figure><img src="a.jpg"><figcaption>The bridge in May</figcaption></figure>
      </article></body>"""
    assert body_of(html).paragraphs == (P1, "Pillar Crack", "North 12 cm", P2)


def test_a_headings_id_is_an_anchor_not_a_class() -> None:
    html = f"""<body><article><p>{P1}</p><h2 id="h-social-media-and-the-bridge">Social media
      and the bridge</h2><p>{P2}</p><h2 class="related-title">Related</h2></article></body>"""
    assert body_of(html).paragraphs == (P1, "Social media and the bridge", P2)


def test_table_rows_are_read_whatever_their_class() -> None:
    html = f"""<body><article><p>{P1}</p><table><tr class="player"><td>Jane Doe</td>
      <td>12 goals</td></tr><tr class="player"><td>John Roe</td><td>9 goals</td></tr>
      </table><p>{P2}</p></article></body>"""
    assert body_of(html).paragraphs == (P1, "Jane Doe 12 goals", "John Roe 9 goals", P2)


def test_a_heading_with_words_of_its_own_is_kept_though_mostly_a_link() -> None:
    html = f"""<body><article><p>{P1}</p><h2>1. <a href="/p/r6">Canon EOS R6 Mark II</a></h2>
      <p>{P2}</p><p>2. <a href="/p/z6">Nikon Z6 Mark III</a></p>
      <h3><a href="/news/other">Another story from the desk</a></h3></article></body>"""
    assert body_of(html).paragraphs == (P1, "1. Canon EOS R6 Mark II", P2)


def test_whitespace_is_normalized() -> None:
    html = ("<body><article><p>  The\u00a0city  council\n\tvoted on Monday to close the old "
            "bridge,\u200b citing safety. </p></article></body>")
    assert body_of(html).paragraphs == (
        "The city council voted on Monday to close the old bridge, citing safety.",)


def test_keep_lists_the_paragraphs_and_their_wrappers() -> None:
    html = f'<body><div id="w"><div id="c"><p id="a">{P1}</p><p id="b">{P2}</p></div></div></body>'
    tree = LexborHTMLParser(html)
    block = find_content_root(tree, PageMetadata())
    assert block is not None
    ids = {tree.css_first(f"#{i}").mem_id for i in ("a", "b", "c")}
    assert block.node.attributes["id"] == "c"
    assert ids <= block.keep
    assert tree.css_first("#w").mem_id not in block.keep
    assert set(block.texts.values()) == {P1, P2}


def test_text_set_straight_in_divs_without_paragraph_tags() -> None:
    blocks = "".join(f'<div class="block">{p}</div>' for p in (P1, P2, P3, P4))
    html = f"""<body><ul class="list"><li><p>Another story with a short teaser</p></li></ul>
      <div id="entry"><h1>Bridge</h1>{blocks}</div></body>"""
    block = _block(html)
    assert block.node.attributes["id"] == "entry"
    assert body_of(html).paragraphs == (P1, P2, P3, P4)


def test_paragraph_showing_the_description_before_the_block_is_the_summary() -> None:
    html = f"""<body><div class="hdr"><h1>Bridge</h1>
      <p class="css-x1">Berlin. The old bridge will close for a year, the council says.</p></div>
      <div class="css-y2"><p>{P1}</p><p>{P2}</p><p>{P3}</p></div></body>"""
    assert body_of(html, summary="The old bridge will close for a year, the council says") == (
        BodyText((P1, P2, P3), "Berlin. The old bridge will close for a year, the council says."))


def test_script_inside_a_paragraph_is_not_read_as_text() -> None:
    html = f"""<body><article><p>{P1}</p><p>{P2}<script>(function(a){{a.x=1}})(window)</script>
      </p><p>{P3}</p></article></body>"""
    assert body_of(html).paragraphs == (P1, P2, P3)


def test_dateline_mark_at_the_start_of_the_lede_is_the_hint() -> None:
    html = f"""<body><article><p><span class="dateline">Zagreb</span> — {P1}</p>
      <p>{P2}</p></article></body>"""
    assert body_of(html).dateline == "Zagreb"


def test_dateline_mark_nested_in_bold_and_as_microdata() -> None:
    html = f"""<body><article><div><b><span itemprop="dateline">Split, Croatia</span></b>
      — {P1}</div><p>{P2}</p><p>{P3}</p></article></body>"""
    assert body_of(html).dateline == "Split, Croatia"


def test_dateline_mark_inside_the_sentence_or_after_the_lede_is_ignored() -> None:
    inside = f"""<body><article><p>In <span class="dateline">Zagreb</span>, {P1}</p>
      <p>{P2}</p></article></body>"""
    late = f"""<body><article><p>{P1}</p><p>{P2}</p><p>{P3}</p>
      <p><span class="dateline">Zagreb</span> — {P4}</p></article></body>"""
    too_long = f"""<body><article><p><span class="dateline">{P4} {P3}</span> — {P1}</p>
      <p>{P2}</p></article></body>"""
    assert [body_of(html).dateline for html in (inside, late, too_long)] == [None, None, None]


def test_page_builder_widget_wrappers_hold_the_body() -> None:
    # Every module of a page builder is a "widget": the word names the unit, not chrome.
    story = "".join(f"<p>{p}</p>" for p in (P1, P2, P3, P4))
    html = f"""<body><div class="elementor-widget elementor-widget-text-editor">
      <div class="elementor-widget-container">{story}</div></div>
      <div class="related-posts"><div class="post__excerpt"><p>{P4} More.</p></div></div>
      </body>"""
    assert body_of(html).paragraphs == (P1, P2, P3, P4)


def test_wordpress_post_classes_naming_tags_do_not_veto_the_article() -> None:
    story = "".join(f"<p>{p}</p>" for p in (P1, P2, P3))
    html = f"""<body><article class="post-7 post type-post hentry tag-comments
      category-sidebar"><div class="entry">{story}</div></article>
      <div class="box"><div><p>{P4}</p></div></div></body>"""
    assert body_of(html).paragraphs == (P1, P2, P3)


def test_numbered_module_wrappers_of_a_split_story_make_one_group() -> None:
    # A page builder numbers each text module; the story is the modules together, not the
    # longest one (here the closing call to action, with more text than any other module).
    modules = "".join(
        f'<div class="et_pb_module et_pb_text et_pb_text_{n}"><div class="et_pb_text_inner">'
        f"<p>{p}</p></div></div>" for n, p in enumerate((P1, P2, P3)))
    html = f"""<body><div class="et_pb_section">{modules}</div>
      <div class="cta"><div class="cta-inner"><p>{P4} {P4}</p></div></div></body>"""
    assert body_of(html).paragraphs == (P1, P2, P3)


def test_an_aside_left_open_around_main_does_not_hide_the_article() -> None:
    story = "".join(f"<p>{p}</p>" for p in (P1, P2, P3))
    html = f"""<body><aside class="banner"><p>Our new service is live.</p>
      <main><article class="post">{story}</article></main>
      <div class="box"><div><p>{P4}</p></div></div></body>"""
    assert body_of(html).paragraphs == (P1, P2, P3)


def test_a_wrapper_recurring_outside_the_story_takes_the_element_holding_most_text() -> None:
    # The same text module sits in the story (three of them) and in the page's bottom bar:
    # the block is the element holding most of the modules' text, not the largest module.
    def module(*paragraphs: str) -> str:
        inner = "".join(f"<p>{p}</p>" for p in paragraphs)
        return f'<div class="text-module"><div class="module-inner">{inner}</div></div>'
    html = f"""<body><div class="content">{module(P1, P2)}{module(P3)}{module(P4)}</div>
      <div class="bottom">{module("Our office is open on weekdays from nine to five.")}</div>
      </body>"""
    assert body_of(html).paragraphs == (P1, P2, P3, P4)


def test_a_list_of_cards_inside_the_story_keeps_the_story_around_it() -> None:
    # The cards' blurbs outweigh the story's own paragraphs, but they sit inside its
    # block: the block is the story's, with the cards in it.
    cards = "".join(
        f'<div class="item"><div class="item-description"><p>{p} {p}</p></div></div>'
        for p in (P3, P4))
    html = f"""<body><div class="entry-content"><p>{P1}</p><p>{P2}</p>
      <div class="list">{cards}</div></div>
      <div class="bottom"><div><p>Our office is open on weekdays from nine to five.</p></div></div>
      </body>"""
    assert body_of(html).paragraphs == (P1, P2, f"{P3} {P3}", f"{P4} {P4}")


def test_one_chrome_word_does_not_veto_a_group_holding_most_of_the_prose() -> None:
    # "sidebar-content" is the column beside the sidebar: the story is most of the page.
    story = "".join(f"<p>{p}</p>" for p in (P1, P2, P3, P4))
    html = f"""<body><div class="layout"><div class="sidebar-content">{story}</div></div>
      <div class="notice"><div class="tab"><p>{P4} Cookies help us run the site.</p>
      </div></div></body>"""
    assert body_of(html).paragraphs == (P1, P2, P3, P4)


def test_repeated_punctuation_is_no_label() -> None:
    # Hypothesis found "&" kept twice once repeated short labels were allowed to repeat.
    html = ("<html><body><article><p>Some prose here, with a comma and enough words.</p>"
            "<div>&amp;<div>Pros</div>&amp;<div>Pros</div></div></article></body></html>")
    assert extract(html).body.split("\n\n") == [
        "Some prose here, with a comma and enough words.", "&", "Pros", "Pros"]


def test_story_set_in_a_div_beats_comments_set_in_paragraphs() -> None:
    # The story is text and links straight in a <div>; the comments, marked as such on
    # both wrappers, are the only <p> on the page.
    story = f'{P1} <a href="/a">{P2}</a> <i>{P3}</i> {P4}'
    comments = "".join(
        f'<div class="comment"><div class="comment-body"><p>{p} I disagree.</p></div></div>'
        for p in (P1, P2, P3, P4) * 3)
    html = f"""<body><article><div class="body"><div class="text">{story}</div></div>
      </article><ul class="comments">{comments}</ul></body>"""
    assert body_of(html).paragraphs == (f"{P1} {P2} {P3} {P4}",)


def test_sibling_parts_of_a_story_are_joined() -> None:
    # The opening and the main part have wrappers of their own.
    teasers = "".join(f'<div class="card"><p>{p} Read on.</p></div>' for p in (P2, P4))
    html = f"""<body><div class="page"><div class="column">
      <section class="opening"><p>{P1}</p><p>{P2}</p></section>
      <div class="ad"><p>An advertisement with a long enough text to be prose.</p></div>
      <section class="main"><p>{P3}</p><p>{P4}</p>
      <p>{P1} Again, at length.</p><p>{P3} And more.</p></section>
      </div><div class="cards">{teasers}</div></div></body>"""
    paragraphs = body_of(html).paragraphs
    assert paragraphs == (P1, P2, P3, P4, f"{P1} Again, at length.", f"{P3} And more.")


def test_teaser_blurbs_beside_the_story_are_not_joined_to_it() -> None:
    teasers = "".join(f'<div class="card"><p>{p} Read on.</p></div>' for p in (P2, P4))
    story = "".join(f"<p>{p}</p>" for p in (P1, P3, P4, P2))
    html = f"""<body><div class="column"><section class="main">{story}</section>
      <div class="cards">{teasers}</div></div></body>"""
    assert body_of(html).paragraphs == (P1, P3, P4, P2)


def test_teaser_cards_with_links_do_not_outweigh_a_shorter_story() -> None:
    # Five cards, each a link to its story and a blurb: together more text than the story
    # (but less than half of the page's prose).
    cards = "".join(
        f'<div class="item"><a href="/s/{n}">Story {n}</a><div class="copy"><p>{p} More.</p>'
        f"</div></div>" for n, p in enumerate((P1, P2, P3, P4, P1)))
    html = f"""<body><div class="story"><p>{P2}</p><p>{P3}</p><p>{P4}</p></div>
      <div class="list">{cards}</div>
      <div class="about"><p>{P1} We are a local paper.</p><p>{P3} Since 1901.</p></div></body>"""
    assert body_of(html).paragraphs == (P2, P3, P4)


def test_one_chrome_word_does_not_veto_a_group_twice_as_large_as_any_other() -> None:
    # The story holds less than half of the page's prose (three notices share the rest)
    # but more than twice as much as any notice.
    story = "".join(f"<p>{p}</p>" for p in (P1, P2, P3, P4))
    html = f"""<body><div class="wrap"><div class="sidebar-content">{story}</div></div>
      <div class="notice"><div class="tab">
        <p>{P4} Cookies help us run the site and count our readers.</p></div></div>
      <div class="policy-box"><section>
        <p>{P1} You may republish it, in print and online.</p></section></div>
      <footer><span><p>{P2} Under a licence of ours, with credit given.</p></span></footer>
      </body>"""
    assert body_of(html).paragraphs == (P1, P2, P3, P4)


def test_teaser_cards_with_half_the_prose_do_not_outweigh_a_story_nearly_as_long() -> None:
    # Four cards, each a link to its story and a blurb: more than half of the page's
    # prose, but not twice the story's.
    cards = "".join(
        f'<div class="item"><a href="/s/{n}">Story {n}</a><div class="copy"><p>{p} More.</p>'
        f"</div></div>" for n, p in enumerate((P1, P2, P3, P4)))
    html = f"""<body><div class="story"><p>{P2}</p><p>{P3}</p><p>{P4}</p></div>
      <div class="list">{cards}</div></body>"""
    assert body_of(html).paragraphs == (P2, P3, P4)


def test_the_pitch_beside_a_signup_form_in_the_story_is_dropped() -> None:
    # The box around the form holds its heading and pitch; the form's own text is skipped
    # already. The story's paragraphs around the box stay.
    signup = """<div class="box"><div class="col"><h3>Like what you read?</h3>
      <p>Get our monthly letter with the latest stories and photos!</p></div>
      <div class="col"><form><input type="email" placeholder="Email">
      <button type="submit">Subscribe</button></form></div></div>"""
    html = f"""<body><article><p>{P1}</p><p>{P2}</p>{signup}<p>{P3}</p><p>{P4}</p>
      </article></body>"""
    assert body_of(html).paragraphs == (P1, P2, P3, P4)


def test_a_form_beside_much_text_takes_none_of_it() -> None:
    # A calculator form under a table: the table is more than a pitch, it stays.
    rows = "".join(f"<tr><td>Item {n}</td><td>${n * 100} to ${n * 150}</td></tr>"
                   for n in range(1, 12))
    html = f"""<body><article><p>{P1}</p><p>{P2}</p><p>{P3}</p>
      <div class="estimate"><table>{rows}</table><form><input type="text"></form></div>
      </article></body>"""
    paragraphs = body_of(html).paragraphs
    assert paragraphs[:3] == (P1, P2, P3)
    assert "Item 11 $1100 to $1650" in paragraphs


def test_a_heading_over_a_list_of_links_goes_with_the_list() -> None:
    links = "".join(f'<li><a href="/s/{n}">Another story of ours, number {n}</a></li>'
                    for n in range(3))
    html = f"""<body><article><p>{P1}</p><p>{P2}</p><h3>Good reads to go with this</h3>
      <ul>{links}</ul></article></body>"""
    assert body_of(html).paragraphs == (P1, P2)


def test_a_heading_over_one_link_stays() -> None:
    # A product's heading with the product's link under it, then its review.
    html = f"""<body><article><p>{P1}</p><h3>The best budget bridge kit</h3>
      <div class="buy"><a href="/kit">Buy the Acme Bridge Kit at the hardware store</a></div>
      <p>{P2}</p><p>{P3}</p></article></body>"""
    assert body_of(html).paragraphs == (P1, "The best budget bridge kit", P2, P3)


def test_chunks_classed_by_their_position_are_one_story() -> None:
    # A page builder marks its first and last module ("panel-first-child"): the chunks of
    # the story share their wrapper all the same, and a chrome word in it ("widget") is
    # forgiven to all of them.
    def chunk(position: str, *texts: str) -> str:
        paragraphs = "".join(f"<p>{t}</p>" for t in texts)
        return (f'<div class="so-panel widget widget_text {position}">'
                f'<div class="textwidget">{paragraphs}</div></div>')
    html = f"""<body><div class="entry-content"><div class="panel-layout">
      {chunk("panel-first-child panel-last-child", P1, P2, P3)}
      {chunk("panel-first-child panel-last-child", P4, P1 + " Again.")}
      {chunk("panel-last-child", P2 + " Once more.")}</div></div></body>"""
    assert body_of(html).paragraphs == (P1, P2, P3, P4, P1 + " Again.", P2 + " Once more.")


def test_a_heading_linked_to_itself_is_kept_and_a_contents_list_is_not() -> None:
    # Static site generators link each heading to its own anchor; a list of such links is
    # a table of contents.
    html = f"""<body><article><ul><li><a href="#cost">What it will cost the city</a></li>
      <li><a href="#when">When the new bridge will open</a></li></ul><p>{P1}</p>
      <h3 id="cost"><a href="#cost">What it will cost the city</a></h3><p>{P2}</p>
      <h3><a href="/news/other">Another story from the desk</a></h3><p>{P3}</p>
      </article></body>"""
    assert body_of(html).paragraphs == (P1, "What it will cost the city", P2, P3)


def test_a_heading_with_nothing_under_it_at_the_end_goes() -> None:
    # The heading of a likes bar or a related-stories carousel: the walk skips what it heads.
    html = f"""<body><article><h2>The inspection</h2><p>{P1}</p><p>{P2}</p>
      <h3>Like this:</h3><div class="likes-widget"><button>Like</button></div>
      <h2>Pin this for later!</h2><figure><img src="/pin.jpg"></figure></article></body>"""
    assert body_of(html).paragraphs == ("The inspection", P1, P2)


def test_a_heading_with_text_under_it_at_the_end_stays() -> None:
    html = f"""<body><article><p>{P1}</p><p>{P2}</p><h3>What comes next</h3>
      <p>{P3}</p></article></body>"""
    assert body_of(html).paragraphs == (P1, P2, "What comes next", P3)


def test_a_standfirst_repeating_the_headline_is_no_summary() -> None:
    title = "The old bridge will close for a year of repairs"
    html = f"""<body><article><h1>{title}</h1><div class="article__lead">{title}</div>
      <div class="article__body"><p>{P1}</p><p>{P2}</p></div></article></body>"""
    assert body_of(html, headline=title) == BodyText((P1, P2))


def test_the_page_footer_inside_the_block_is_skipped_though_it_shares_the_markup() -> None:
    # A site builder's text module holds the story and the footer's notes alike.
    def module(text: str) -> str:
        return f'<div class="sqs-block"><div class="html-content"><p>{text}</p></div></div>'
    notice = "When you buy through links on this site, it may earn a small commission."
    html = f"""<body><div id="canvas"><article>{module(P1)}{module(P2)}{module(P3)}</article>
      <footer>{module("INSTAGRAM")}{module(notice)}</footer></div></body>"""
    assert body_of(html).paragraphs == (P1, P2, P3)


def test_links_to_other_sites_are_kept_under_a_heading_or_an_introduction() -> None:
    # A heading linked to a shop, and a list of sources the text introduces, are the
    # article's; a list of the paper's own stories, or of other sites' pages that nothing
    # introduces, is not.
    own = "".join(f'<li><a href="https://www.paper.co.uk/news/{n}">Another story of ours, '
                  f"number {n}</a></li>" for n in range(2))
    html = f"""<body><article><p>{P1}</p>
      <h3><a href="https://shop.example.com/kit">The Acme Bridge Kit</a></h3><p>{P2}</p>
      <p>The engineers' reports:</p>
      <ul><li><a href="https://council.example.org/r1">Inspection report of May</a></li>
      <li><a href="https://council.example.org/r2">Pillar survey, second part</a></li></ul>
      <p>{P3}</p><p>Our earlier reports on the bridge:</p><ul>{own}</ul><p>{P4}</p>
      <ul><li><a href="https://other.example.net/a">A page on another site</a></li></ul>
      </article></body>"""
    assert body_of(html, canonical_url="https://www.paper.com/news/1").paragraphs == (
        P1, "The Acme Bridge Kit", P2, "The engineers' reports:",
        "Inspection report of May", "Pillar survey, second part", P3,
        "Our earlier reports on the bridge:", P4)


def test_a_link_without_text_does_not_speak_for_the_next_paragraphs_links() -> None:
    # A logo linked to another site (in a heading, or after an introduction) has no text
    # to keep: the paper's own links read after it are still dropped as link text.
    own = '<div><a href="/news/2">Another story of ours, the second one</a></div>'
    logo = '<a href="https://sponsor.example.org/"><img src="/logo.png"></a>'
    html = f"""<body><article><p>{P1}</p><h2>{logo}</h2><p>{P2}</p>{own}
      <p>{P3}</p><p>Our partners:</p><div>{logo}</div><p>{P4}</p>{own}</article></body>"""
    assert body_of(html, canonical_url="https://www.paper.com/news/1").paragraphs == (
        P1, P2, P3, "Our partners:", P4)


def test_a_heading_marked_as_an_anchor_is_kept() -> None:
    html = f"""<body><article><p>{P1}</p>
      <h2><a class="section" name="cost">What it will cost the city</a></h2><p>{P2}</p>
      </article></body>"""
    assert body_of(html).paragraphs == (P1, "What it will cost the city", P2)


def test_a_call_to_act_with_a_link_button_in_the_story_is_dropped() -> None:
    cta = """<div class="block-green"><div class="text"><h3>Earn your degree in data analytics</h3>
      <p>Our program gives you the skills to turn data into decisions.</p></div>
      <div><a class="fusion-button" href="/apply">Apply now</a></div></div>"""
    html = f"<body><article><p>{P1}</p><p>{P2}</p>{cta}<p>{P3}</p></article></body>"
    assert body_of(html).paragraphs == (P1, P2, P3)


def test_cards_with_link_buttons_or_pictures_are_kept() -> None:
    def card(name: str, picture: str = "") -> str:
        return (f'<div class="product">{picture}<h3>{name}</h3>'
                f'<a class="btn" href="/buy">Buy now</a></div>')
    photo = '<img src="/kit.jpg" alt="">'
    html = f"""<body><article><p>{P1}</p>{card("The Acme kit")}{card("The Bolt kit")}
      <p>{P2}</p><div class="box">{card("The Crane kit", photo)}</div><p>{P3}</p>
      </article></body>"""
    assert body_of(html).paragraphs == (
        P1, "The Acme kit", "The Bolt kit", P2, "The Crane kit", P3)


def test_the_page_address_tells_the_site_when_the_page_names_no_canonical_one() -> None:
    html = f"""<html><body><article><p>{P1}</p><p>{P2}</p><p>The engineers' reports:</p>
      <ul><li><a href="https://council.example.org/r1">Inspection report of May</a></li>
      </ul><p>{P3}</p></article></body></html>"""
    assert extract(html, "https://www.paper.com/news/1").body.split("\n\n") == [
        P1, P2, "The engineers' reports:", "Inspection report of May", P3]
    assert "Inspection report" not in extract(html).body


def test_a_link_to_another_page_of_the_site_after_the_story_goes() -> None:
    pointer = "Meet us at the App Promotion Summit in Berlin on 27 November."
    html = f"""<body><article><p>{P1}</p><p>{P2}</p><p>{P3}</p>
      <p><a href="https://www.example.com/events/summit">{pointer}</a></p></article></body>"""
    body = body_of(html, canonical_url="https://example.com/news/bridge")
    assert body.paragraphs == (P1, P2, P3)


def test_a_source_on_another_site_after_the_story_stays() -> None:
    source = "The engineers' full inspection report of the old bridge (PDF)."
    html = f"""<body><article><p>{P1}</p><p>{P2}</p><p>{P3}</p>
      <p><a href="https://www.citycouncil.org/report.pdf">{source}</a></p></article></body>"""
    body = body_of(html, canonical_url="https://example.com/news/bridge")
    assert body.paragraphs == (P1, P2, P3, source)
