"""Quality gate: score the extractor on the shared corpora against pinned floors.

Two corpora, two questions: ``fundus-dev`` (160 pages of 112 big publishers) checks that the
fields of news pages stay right; ``wcxb-dev`` (709 pages, every one from a different site)
checks that the engine holds on sites it has never seen.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scraper import extract
from scraper.errors import NotText

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ROOT.parent / "shared" / "corpus"
SCORER = ROOT.parent / "shared" / "eval" / "score.py"
GATE = json.loads((Path(__file__).parent / "eval_floors.json").read_text())


@pytest.mark.slow
@pytest.mark.parametrize("corpus_name", ["fundus-dev", "wcxb-dev"])
def test_quality_gate(corpus_name: str, tmp_path: Path) -> None:
    corpus, gate = CORPORA / corpus_name, GATE[corpus_name]
    if not corpus.is_dir() or not SCORER.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"the dev corpus must be present in CI at {corpus}")
        pytest.skip(f"no dev corpus at {corpus}")
    predictions = tmp_path / "predictions.jsonl"
    with predictions.open("w", encoding="utf-8") as out:
        for truth_path in sorted(corpus.glob("*.json")):
            truth = json.loads(truth_path.read_text(encoding="utf-8"))
            html = gzip.decompress(truth_path.with_suffix(".html.gz").read_bytes())
            try:
                a = extract(html, truth.get("url"))
            except NotText:
                out.write(json.dumps({"id": truth_path.stem}) + "\n")  # scored as empty
                continue
            out.write(json.dumps({
                "id": truth_path.stem, "headline": a.headline, "summary": a.summary,
                "body": a.body, "dateline": a.dateline, "authors": list(a.authors),
                "published": a.published,
                "images": [{"caption": i.caption, "credit": i.credit} for i in a.images],
            }, ensure_ascii=False) + "\n")
    scored = json.loads(subprocess.run(
        [sys.executable, str(SCORER), str(corpus), str(predictions), "--json"],
        check=True, capture_output=True, text=True).stdout)["metrics"]
    below = {k: (scored[k]["value"], floor) for k, floor in gate["floors"].items()
             if scored[k]["value"] < floor}
    above = {k: (scored[k]["value"], ceiling) for k, ceiling in gate["ceilings"].items()
             if scored[k]["value"] > ceiling}
    assert not below, f"{corpus_name}: metrics below their floors (value, floor): {below}"
    assert not above, f"{corpus_name}: metrics above their ceilings (value, ceiling): {above}"
