from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.httpserver import LoopbackServer


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    """A fresh HTTP server on 127.0.0.1 for one test."""
    srv = LoopbackServer()
    try:
        yield srv
    finally:
        srv.close()
    assert srv.errors == [], f"the test server's handlers raised: {srv.errors!r}"
