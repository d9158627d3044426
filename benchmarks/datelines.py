"""Datelines on real pages: agency-style datelines the truth's lede opens with, and ours.

    python benchmarks/datelines.py ../shared/corpus/fundus-dev ../shared/corpus/wcxb-dev
                                   [--half tune|check] [--list]

Neither corpus has a dateline field, so the truth is derived here from each page's truth
text, independently of the extractor (no import of ``scraper.extract.dateline``): a page
has an agency-style dateline when one of its first truth paragraphs (the standfirst
``summary``, ``body[0]``, ``body[1]``: the truth may keep a standfirst or a label as
``body[0]``, and the issue counts a standfirst that opens with a dateline as the lede)
opens with one of two shapes, the dateline ending within ``_WITHIN`` characters:

* capitals (``_UPPER``): a place in capitals ("PARIS", "LA CROSSE", "ST. LOUIS"), optional
  ", State." or ", date" parts ("Wis.", "Kurdistan Region", "Nov 22"), an optional agency
  or date in parentheses or an agency in slashes ("(AP)", "(January 24, 2017)",
  "/PRNewswire/"), then a dash: em/en dash, a spaced hyphen, a double hyphen, ".-", " _ ";
* mixed case (``_MIXED``), stricter, since "Berlin – eine Stadt ..." and "Bayern - Dortmund"
  start the same way: a one-word place (or places joined by "/") alone, or one to three
  title-case words with an agency in parentheses or ", " and a state/region abbreviation
  ("OR", "Ill.", "N.Y.") or a numeric date ("27.6.2025"); then a *spaced* dash and a
  capitalised lede of at least ``_LEDE_WORDS`` words, ``_LEDE_LOWER`` of them in lower
  case. The first word must not be a sentence opener (``_OPENERS``).

How the derived list was checked (December 2026, both corpora, 869 pages): every truth
paragraph among the standfirst, ``body[0]`` and ``body[1]`` with a dash, a double hyphen or
" _ " in its first 70 characters (about 180 paragraphs) was read by eye against the rule's
verdict, and so were the rule's hits on ``body[1:4]``. The rule takes all 13 agency-style
datelines seen there and nothing else: one has a kicker the truth glued to the place
without a space (hence comparisons that ignore spaces), one opens ``body[1]`` after a
standfirst the truth keeps as ``body[0]``, one follows a label paragraph ("Posted in ...").
It leaves out, by design, datelines closed by a colon or a full stop ("NEW DELHI: ...",
"Berlin. Die ..."), which are not the issue's shapes, and several title-case words without
a state, date or agency ("Key Takeaway - ...", a shop's name before a dash in a list).
The raw pages were also searched for a capitals-and-dash paragraph opening the truth leaves
out: one page prints a wire dateline its (drafted) truth drops; the report shows it apart.
``--list`` prints the derived pages to check them again; no per-page list is kept here.

Report, per corpus and in total:

* pages with a dateline in truth; found by us, exactly (normalised text equal) or by place
  (the place before ",", "(" or "/" equal); missed, each with why: the lede went to the
  summary, our body opens elsewhere (another first paragraph, or the lede not extracted),
  or the lede opens our body but was not split;
* false datelines: pages where we emit a dateline and no truth paragraph above opens with
  one, as a share of all pages (a dateline the page prints and its truth drops is listed
  apart, not counted);
* ``split_dateline`` on the truth text alone: on the first paragraphs above of every page
  (it must find the derived datelines and invent none), and on all later truth paragraphs,
  each with the one after it as the extractor passes it: none of those opens a lede, so
  each one read as a dateline is one a page opening with it would get (list items,
  "Term – definition" lines).
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.extract_bench import half_of
from scraper import extract
from scraper.extract.dateline import split_dateline

_WITHIN = 60
_LEDE_WORDS = 10
_LEDE_LOWER = 3
# A dash that ends a dateline: em/en dash (spaced or not), double hyphen, spaced hyphen,
# the Spanish ".-" and the old AP " _ ".
_END = r"(?:\s*(?:--|[–—])\s*|\s+-\s+|\.-\s*|\s+_\s+)"
_CAP = "A-ZÀ-ÖØ-ÞŁŚŻŹĆŃ"
_UP_WORD = rf"[{_CAP}][{_CAP}'’.\-]*"
_DATE_PART = r"(?:\d{1,2}\.? [A-Za-z]{3,9}\.?|[A-Za-z]{3,9}\.? \d{1,2})(?:,? \d{4})?"
_STATE_PART = rf"[{_CAP}][\w.'’\-]*(?: [{_CAP}][\w.'’\-]*)?"
_AGENCY = (rf"(?:\s{{0,2}}\((?:[A-Za-z][\w .&/\-]{{0,25}}|{_DATE_PART})\)"
           r"|\s?/[A-Z][\w .\-]{1,25}/)")
_UPPER = re.compile(
    rf"(?P<dateline>{_UP_WORD}(?: {_UP_WORD}){{0,3}}(?:, (?:{_DATE_PART}|{_STATE_PART})){{0,2}}"
    rf"{_AGENCY}?){_END}(?=[\w\"“‘'«„])"
)
_TITLE_WORD = rf"[{_CAP}][a-zà-ÿ'’]+(?:-[{_CAP}][a-zà-ÿ'’]+)?"
_PLACE_WORDS = rf"(?:St\. |Ft\. |Mt\. )?{_TITLE_WORD}(?: {_TITLE_WORD}){{0,2}}"
_MIXED = re.compile(
    rf"(?P<dateline>{_TITLE_WORD}(?:/{_TITLE_WORD}){{0,2}}"
    rf"|{_PLACE_WORDS}(?: \([a-zA-Z]{{2,12}}\)|, (?:[A-Z]{{2}}|[A-Z][a-z]{{1,4}}\."
    rf"|(?:[A-Z]\.){{2}}|\d{{1,2}}\.\d{{1,2}}\.\d{{2,4}})))"
    rf"\s+(?:--|[-–—])\s+(?=[{_CAP}0-9\"“„])"
)
# Title-case words that open sentences, headings and labels, not places.
_OPENERS = frozenset({
    "the", "a", "an", "this", "that", "update", "updated", "opinion", "analysis", "review",
    "step", "part", "teil", "today", "breaking", "exclusive", "live", "video", "watch",
    "introduction", "summary", "note", "editor", "editorial", "episode", "chapter",
})


def truth_dateline(paragraph: str) -> str | None:
    """The agency-style dateline ``paragraph`` opens with by the benchmark's own rule."""
    text = paragraph.strip()
    match = _UPPER.match(text)
    if match is not None and match.end("dateline") <= _WITHIN:
        place = re.split(r"[,(/]", match.group("dateline"), maxsplit=1)[0]
        if sum(ch.isalpha() for ch in place) >= 3 and not any(ch.islower() for ch in place):
            return match.group("dateline").strip()
    match = _MIXED.match(text)
    if match is None or match.end("dateline") > _WITHIN:
        return None
    dateline = match.group("dateline")
    if dateline.split()[0].lower() in _OPENERS:
        return None
    words = text[match.end():].split()
    if len(words) < _LEDE_WORDS or sum(w[0].islower() for w in words) < _LEDE_LOWER:
        return None
    return dateline.strip()


def norm(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


def same(ours: str | None, truth: str) -> bool:
    """Equal but for case and spaces (the truth joins adjacent elements without one)."""
    return "".join(norm(ours).split()) == "".join(norm(truth).split())


def place(dateline: str | None) -> str:
    return "".join(norm(re.split(r"[,(/]", dateline or "", maxsplit=1)[0]).split())


@dataclass
class Tally:
    """Counts of one corpus (or of all)."""

    pages: int = 0
    truth: int = 0
    exact: int = 0
    place: int = 0
    missed: list[str] = field(default_factory=list)
    false: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    # split_dateline on the truth paragraphs alone
    rule_found: int = 0
    rule_missed: list[str] = field(default_factory=list)
    rule_false: list[str] = field(default_factory=list)
    paragraphs: int = 0
    derived: list[str] = field(default_factory=list)
    # split_dateline on the paragraphs after those: none of them opens with a dateline
    deeper: int = 0
    deeper_read: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        for name, value in vars(other).items():
            setattr(self, name, getattr(self, name) + value)


def first_paragraphs(truth: dict[str, Any]) -> list[str]:
    """The truth paragraphs a dateline could open, spaces normalised as the extractor does:
    the standfirst, then the body's first two (a standfirst is often ``body[0]``)."""
    body = truth.get("body") or []
    body = body if isinstance(body, list) else str(body).split("\n\n")
    paragraphs = [truth.get("summary") or "", *body[:2]]
    return [" ".join(p.split()) for p in paragraphs if p.strip()]


def deeper_paragraphs(truth: dict[str, Any]) -> list[str]:
    """The truth paragraphs after ``first_paragraphs``: list items, subheads and prose that
    would open the body if the extractor started it there."""
    body = truth.get("body") or []
    body = body if isinstance(body, list) else str(body).split("\n\n")
    return [" ".join(p.split()) for p in body[2:] if p.strip()]


def why_missed(dateline: str, lede: str, ours: Any) -> str:
    """Why our record has not the truth's dateline ``dateline`` opening ``lede``."""
    after = norm(lede[len(dateline):].lstrip(" -–—_.")[:40])
    summary, body = norm(ours.summary), norm(ours.body)
    if ours.dateline:
        return f"other dateline {ours.dateline!r}"
    if summary.startswith(norm(dateline)) or (after and after in summary[:200]):
        return "lede taken as the summary"
    if body.startswith(norm(dateline)):
        return "lede opens our body, not split: " + repr(ours.body[:70])
    if after and after in body:
        return "our body opens elsewhere: " + repr(ours.body[:70])
    return "lede not extracted"


def measure(corpus: Path, half: str | None) -> Tally:
    """Run the extractor on every page of ``corpus`` (or of one half) and count."""
    tally = Tally()
    for truth_path in sorted(corpus.glob("*.json")):
        page_id = truth_path.stem
        if half is not None and half_of(page_id) != half:
            continue
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        raw = gzip.decompress(truth_path.with_suffix(".html.gz").read_bytes())
        ours = extract(raw, truth.get("url"))
        tally.pages += 1
        derived = [(p, truth_dateline(p)) for p in first_paragraphs(truth)]
        lede, dateline = next(((p, d) for p, d in derived if d), ("", None))
        for paragraph, expected in derived:
            tally.paragraphs += 1
            found = split_dateline(paragraph)[0]
            if expected and place(found) == place(expected):
                tally.rule_found += 1
            elif expected:
                tally.rule_missed.append(f"{page_id}: {paragraph[:70]!r}")
            elif found:
                tally.rule_false.append(f"{page_id}: {found!r} in {paragraph[:70]!r}")
        deeper = deeper_paragraphs(truth)
        for at, paragraph in enumerate(deeper):
            tally.deeper += 1
            # as the extractor reads a lede: with the paragraph after it
            found = split_dateline(paragraph, None, (deeper[at + 1:] or [None])[0])[0]
            if found:
                tally.deeper_read.append(f"{page_id}: {found!r} in {paragraph[:60]!r}")
        if dateline is None:
            if ours.dateline and _truth_drops(ours, derived, raw):
                tally.dropped.append(f"{page_id}: {ours.dateline!r} before {ours.body[:50]!r}")
            elif ours.dateline:
                tally.false.append(f"{page_id}: {ours.dateline!r} before {ours.body[:50]!r}")
            continue
        tally.truth += 1
        tally.derived.append(f"{page_id}: {dateline!r} | {lede[:70]!r}")
        if same(ours.dateline, dateline):
            tally.exact += 1
        elif ours.dateline and place(ours.dateline) == place(dateline):
            tally.place += 1
        else:
            tally.missed.append(f"{page_id}: {dateline!r}: {why_missed(dateline, lede, ours)}")
    return tally


def _truth_drops(ours: Any, derived: list[tuple[str, str | None]], raw: bytes) -> bool:
    """Whether the page prints our dateline right before a truth paragraph that leaves it
    out (a truth drafted without the dateline): not counted as a false dateline."""
    page = norm(html.unescape(raw.decode("utf-8", "replace")))
    dateline = norm(ours.dateline)
    return any(
        re.search(re.escape(dateline) + r"\s*(?:--|[-–—_.:]|\.-)*\s*"
                  + re.escape(norm(paragraph)[:40]), page) is not None
        for paragraph, _ in derived)


def _share(part: int, whole: int) -> str:
    return f"{part}/{whole} = {100 * part / whole:.1f} %" if whole else f"{part}/0"


def report(name: str, t: Tally, listing: bool) -> None:
    print(f"== {name}: {t.pages} pages, {t.truth} with an agency dateline in truth")
    print(f"  found: {_share(t.exact + t.place, t.truth)} (exact {t.exact}, place {t.place})")
    print(f"  missed: {len(t.missed)}")
    for line in t.missed:
        print(f"    {line}")
    print(f"  false datelines: {_share(len(t.false), t.pages)} of all pages")
    for line in t.false:
        print(f"    {line}")
    print(f"  printed datelines the truth leaves out (not counted): {len(t.dropped)}")
    for line in t.dropped:
        print(f"    {line}")
    print(f"  split_dateline on the truth's first paragraphs ({t.paragraphs}): found "
          f"{_share(t.rule_found, t.rule_found + len(t.rule_missed))}, invented "
          f"{_share(len(t.rule_false), t.paragraphs)}")
    for line in t.rule_missed:
        print(f"    missed {line}")
    for line in t.rule_false:
        print(f"    invented {line}")
    print(f"  split_dateline on the paragraphs after them, none a lede ({t.deeper}): read as "
          f"datelines {_share(len(t.deeper_read), t.deeper)}")
    if listing:
        for line in t.deeper_read:
            print(f"    read {line}")
    if listing:
        for line in t.derived:
            print(f"    truth {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpora", type=Path, nargs="+")
    parser.add_argument("--half", choices=["tune", "check"], help="only one half of each corpus")
    parser.add_argument("--list", action="store_true", help="print the derived truth datelines")
    args = parser.parse_args()
    total = Tally()
    for corpus in args.corpora:
        tally = measure(corpus, args.half)
        report(corpus.name, tally, args.list)
        total.add(tally)
    if len(args.corpora) > 1:
        report("all", total, args.list)


if __name__ == "__main__":
    main()
