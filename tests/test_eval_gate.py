"""Quality gate: score the extractor on the shared dev corpus against pinned floors."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scraper import extract

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "fundus-dev"
SCORER = ROOT.parent / "shared" / "eval" / "score.py"
GATE = json.loads((Path(__file__).parent / "eval_floors.json").read_text())


@pytest.mark.slow
def test_quality_gate(tmp_path: Path) -> None:
    if not CORPUS.is_dir() or not SCORER.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"the dev corpus must be present in CI at {CORPUS}")
        pytest.skip(f"no dev corpus at {CORPUS}")
    predictions = tmp_path / "predictions.jsonl"
    with predictions.open("w", encoding="utf-8") as out:
        for truth_path in sorted(CORPUS.glob("*.json")):
            truth = json.loads(truth_path.read_text(encoding="utf-8"))
            html = gzip.decompress(truth_path.with_suffix(".html.gz").read_bytes())
            a = extract(html, truth.get("url"))
            out.write(json.dumps({
                "id": truth_path.stem, "headline": a.headline, "summary": a.summary,
                "body": a.body, "dateline": a.dateline, "authors": list(a.authors),
                "published": a.published,
                "images": [{"caption": i.caption, "credit": i.credit} for i in a.images],
            }, ensure_ascii=False) + "\n")
    scored = json.loads(subprocess.run(
        [sys.executable, str(SCORER), str(CORPUS), str(predictions), "--json"],
        check=True, capture_output=True, text=True).stdout)["metrics"]
    below = {k: (scored[k]["value"], floor) for k, floor in GATE["floors"].items()
             if scored[k]["value"] < floor}
    above = {k: (scored[k]["value"], ceiling) for k, ceiling in GATE["ceilings"].items()
             if scored[k]["value"] > ceiling}
    assert not below, f"metrics below their floors (value, floor): {below}"
    assert not above, f"metrics above their ceilings (value, ceiling): {above}"
