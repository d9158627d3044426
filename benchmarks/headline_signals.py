"""Headline signals on a corpus folder: which of a page's title candidates the truth takes,
and how general orders of those candidates would score.

    python benchmarks/headline_signals.py ../shared/corpus/fundus-dev [--misses]

For every page the candidates are read as the extractor reads them (JSON-LD ``headline`` of
the article object, og:title, twitter:title, the first ``<h1>``, ``<title>``), each cleaned
of site names, and compared with the truth after the scorer's normalisation. The report
gives our accuracy, the accuracy of every priority order and of majority votes, and the
pages where signals that agree with each other point away from the truth.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import itertools
import json
from collections import Counter
from pathlib import Path
from types import ModuleType
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser

from scraper import extract
from scraper.extract.headline import Site, clean_title, strip_site
from scraper.extract.jsonld import flatten, parse_jsonld, pick_article

SIGNALS = ("jsonld", "og", "twitter", "h1", "title")


def _scorer(corpus: Path) -> ModuleType:
    path = corpus.resolve().parent.parent / "eval" / "score.py"
    spec = importlib.util.spec_from_file_location("score", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _meta(tree: LexborHTMLParser, key: str) -> str | None:
    node = tree.css_first(f'meta[property="{key}"], meta[name="{key}"]')
    return node.attributes.get("content") if node is not None else None


def candidates(html: bytes, url: str | None) -> dict[str, str]:
    """The page's title candidates, cleaned of site names ("" where the page has none)."""
    tree = LexborHTMLParser(html)
    objects = [o for s in tree.css('script[type="application/ld+json"]')
               for o in flatten(parse_jsonld(s.text()))]
    h1 = [n.text(strip=True) for n in tree.css("h1") if n.text(strip=True)]
    article = pick_article(objects, url=url, h1=h1)
    title = tree.css_first("title")
    raw = {
        "jsonld": article.get("headline") if article is not None else None,
        "og": _meta(tree, "og:title"),
        "twitter": _meta(tree, "twitter:title"),
        "h1": h1[0] if h1 else None,
        "title": title.text() if title is not None else None,
    }
    site = Site.of([n for n in (_meta(tree, "og:site_name"),) if n],
                   urlsplit(url).hostname if url else None)
    return {k: strip_site(clean_title(v), site) if isinstance(v, str) else ""
            for k, v in raw.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--misses", action="store_true", help="print every page we miss")
    args = parser.parse_args()
    norm = _scorer(args.corpus).norm
    rows = []
    for truth_path in sorted(args.corpus.glob("*.json")):
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        if not truth.get("headline"):
            continue
        html = gzip.decompress(truth_path.with_suffix(".html.gz").read_bytes())
        url = truth.get("url")
        cands = {k: norm(v) for k, v in candidates(html, url).items()}
        rows.append((truth_path.stem, norm(truth["headline"]),
                     norm(extract(html, url).headline), cands))
    total = len(rows)
    print(f"pages with a headline: {total}")
    print(f"ours: {sum(t == o for _, t, o, _ in rows)}/{total}")
    print(f"some candidate equals the truth: "
          f"{sum(t in c.values() for _, t, _, c in rows)}/{total}")

    def first_of(order: tuple[str, ...], cands: dict[str, str]) -> str:
        return next((cands[k] for k in order if cands[k]), "")

    def vote(order: tuple[str, ...], cands: dict[str, str]) -> str:
        counts = Counter(v for v in cands.values() if v)
        best = max(counts.values(), default=0)
        return next((cands[k] for k in order if cands[k] and counts[cands[k]] == best), "")

    results = []
    for order in itertools.permutations(SIGNALS):
        for name, rule in (("first of", first_of), ("vote, ties by", vote)):
            score = sum(rule(order, c) == t for _, t, _, c in rows)
            results.append((score, f"{name} {' > '.join(order)}"))
    results.sort(reverse=True)
    print("best general orders of the signals:")
    for score, name in results[:5]:
        print(f"  {score}/{total}  {name}")

    # Pages where two signals agree with each other against the JSON-LD headline: which
    # side the truth takes.
    sides: Counter[str] = Counter()
    for _, t, _, c in rows:
        if c["jsonld"] and c["og"] and c["og"] == c["h1"] and c["og"] != c["jsonld"]:
            sides["h1 = og:title" if t == c["og"] else
                  "JSON-LD" if t == c["jsonld"] else "neither"] += 1
    print(f"pages with h1 = og:title != JSON-LD, truth takes: {dict(sides)}")
    if args.misses:
        for page, t, o, c in rows:
            if t != o:
                agree = [k for k in SIGNALS if c[k] == t] or ["none"]
                print(f"{page}: truth = {', '.join(agree)}\n  truth: {t}\n  ours:  {o}")


if __name__ == "__main__":
    main()
