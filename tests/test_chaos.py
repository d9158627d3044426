"""The README's promises under a kill -9 loop and hostile servers (tests/chaos.py), in a
small run: 3 kills mid-poll, 2 sources of 4 stories (one more per kill) whose pages change
between kills, six hostile feeds and six hostile pages. benchmarks/chaos.py runs the full
version (20 kills)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.chaos import HOSTILE_FEEDS, run_chaos


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_kill_9_loop_and_hostile_servers_keep_every_promise(tmp_path: Path) -> None:
    figures = run_chaos(tmp_path, kills=3, sources=2, stories=4, seed=7)
    assert figures.kills == 3
    # Stories changed after their first record, and every story's last text is written
    # (checked per story inside): so later revisions were written, one text each.
    assert figures.changes >= 3 * 2 and figures.revisions > 0
    assert figures.articles == 2 * (4 + 3) + 6  # a story more per source and kill
    assert sorted(figures.hostile_feeds) == sorted(HOSTILE_FEEDS)
