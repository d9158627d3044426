"""The fetcher's connection pool: a connection promised to a request is not promised to
another meanwhile (httpcore's pool did, and the loser queued again), connections are kept
and reused up to the limit, and requests beyond it wait for one; its streams tell when
their server hung up."""

from __future__ import annotations

import asyncio
import socket

import httpcore
import httpx
import pytest

from scraper.config import FetchSettings
from scraper.errors import FetchError
from scraper.fetch import Fetcher
from scraper.fetch.connections import ConnectionPool, SocketBackend
from tests.httpserver import LoopbackServer, Reply


def _not_available_counter(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times a request was handed a connection that turned out busy."""
    count = [0]
    handle = httpcore.AsyncHTTPConnection.handle_async_request

    async def counted(self: httpcore.AsyncHTTPConnection,
                      request: httpcore.Request) -> httpcore.Response:
        try:
            return await handle(self, request)
        except httpcore.ConnectionNotAvailable:
            count[0] += 1
            raise

    monkeypatch.setattr(httpcore.AsyncHTTPConnection, "handle_async_request", counted)
    return count


def test_concurrent_fetches_share_the_connections_without_collisions(
        server: LoopbackServer, monkeypatch: pytest.MonkeyPatch) -> None:
    for n in range(40):
        server.route(f"/page/{n}", Reply(200, f"<html><p>Page {n}</p></html>".encode(),
                                         content_type="text/html"))
    busy = _not_available_counter(monkeypatch)
    settings = FetchSettings(per_host_delay=0.0, respect_robots=False, per_host_concurrency=4,
                             max_connections=4, allow_private_networks=True)

    async def go() -> tuple[list[bytes], int]:
        async with Fetcher(settings) as fetcher:
            results = await asyncio.gather(*(
                fetcher.fetch(server.url(f"/page/{n}")) for n in range(40)))
            pool = fetcher._open._transport._pool  # type: ignore[attr-defined]
            assert isinstance(pool, ConnectionPool)
            return [r.content for r in results], len(pool.connections)

    contents, connections = asyncio.run(go())
    assert contents == [f"<html><p>Page {n}</p></html>".encode() for n in range(40)]
    assert busy == [0]
    assert 1 <= connections <= 4
    assert len(server.requests) == 40


def test_requests_over_the_limit_wait_for_a_released_connection(
        server: LoopbackServer, monkeypatch: pytest.MonkeyPatch) -> None:
    server.route("/x", Reply(200, b"ok", content_type="text/plain"))
    busy = _not_available_counter(monkeypatch)

    async def go() -> tuple[list[int], int]:
        pool = ConnectionPool(max_connections=2, max_keepalive_connections=2)
        async with httpx.AsyncClient(transport=httpx.AsyncHTTPTransport()) as client:
            client._transport._pool = pool  # type: ignore[attr-defined]
            answers = await asyncio.gather(*(client.get(server.url("/x")) for _ in range(12)))
            return [a.status_code for a in answers], len(pool.connections)

    statuses, connections = asyncio.run(go())
    assert statuses == [200] * 12
    assert connections == 2
    assert busy == [0]


def test_a_stream_is_readable_once_its_server_hung_up() -> None:
    # What tells the pool that an idle connection is dead: it is then closed, not reused.
    with socket.create_server(("127.0.0.1", 0)) as listener:

        async def go() -> tuple[bool, bool, bytes]:
            stream = await SocketBackend().connect_tcp("127.0.0.1", listener.getsockname()[1])
            try:
                alive = stream.get_extra_info("is_readable")
                accepted, _ = listener.accept()
                accepted.close()
                return alive, stream.get_extra_info("is_readable"), await stream.read(10)
            finally:
                await stream.aclose()

        assert asyncio.run(go()) == (False, True, b"")


def test_answers_without_a_body_to_keep_leave_their_connection_open(
        server: LoopbackServer, monkeypatch: pytest.MonkeyPatch) -> None:
    # A 304, a redirect and an error page: read to their (small) end, so one connection
    # serves them all and the page after them.
    server.route("/feed", Reply(304, b"", headers={"ETag": '"v1"'}, content_type=None))
    server.route("/moved", Reply(301, b"<p>Moved</p>", headers={"Location": "/page"},
                                 content_type="text/html"))
    server.route("/gone", Reply(404, b"<p>Not here</p>" * 50, content_type="text/html"))
    server.route("/page", Reply(200, b"<html><p>Page</p></html>", content_type="text/html"))
    connects = [0]
    connect = SocketBackend.connect_tcp

    async def counted(self: SocketBackend, *args: object, **kwargs: object) -> object:
        connects[0] += 1
        return await connect(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(SocketBackend, "connect_tcp", counted)
    settings = FetchSettings(per_host_delay=0.0, respect_robots=False, max_attempts=1,
                             allow_private_networks=True)

    async def go() -> tuple[int, bytes, str]:
        async with Fetcher(settings) as fetcher:
            unchanged = await fetcher.fetch(server.url("/feed"), kind="feed",
                                            headers={"If-None-Match": '"v1"'})
            moved = await fetcher.fetch(server.url("/moved"))
            with pytest.raises(FetchError):
                await fetcher.fetch(server.url("/gone"))
            return unchanged.status, moved.content, moved.url

    status, content, url = asyncio.run(go())
    assert (status, content, url) == (304, b"<html><p>Page</p></html>", server.url("/page"))
    assert [r.path for r in server.requests] == ["/feed", "/moved", "/page", "/gone"]
    assert connects == [1]
