"""The fetcher against a real loopback server: pages, feeds, statuses and retries,
redirects, size caps and compression bombs, timeouts, conditional requests.

robots.txt, the private-address guard and per-host politeness have their own files
(test_fetch_robots.py, test_fetch_guard.py, test_fetch_politeness.py).
"""

from __future__ import annotations

import gzip
import tracemalloc
import zlib
from dataclasses import replace
from datetime import timedelta
from email.utils import format_datetime

import brotli  # type: ignore[import-untyped]
import pytest

from scraper.errors import (
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    NetworkError,
    ResponseTooLarge,
    UnsupportedContent,
)
from scraper.fetch import Fetcher, FetchResult
from tests.httpserver import LoopbackServer, Reply, Request
from tests.test_fetch_support import (
    HTML,
    NOW,
    QUICK,
    UA,
    FakeTime,
    closed_port,
    counting_body,
    fetch_once,
    make_fetcher,
    paths,
    run,
)

PAGE_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
FEED_ACCEPT = ("application/rss+xml,application/atom+xml,application/rdf+xml;q=0.9,"
               "application/xml;q=0.9,text/xml;q=0.8,*/*;q=0.5")
RSS = (b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
       b"<title>Wire</title><item><title>One</title></item></channel></rss>")
ATOM = b'<feed xmlns="http://www.w3.org/2005/Atom"><title>Wire</title></feed>'


# --- pages ------------------------------------------------------------------------------


def test_page_result_and_the_requests_the_server_saw(server: LoopbackServer) -> None:
    server.route("/world/story", Reply(body=HTML, headers={"X-Cache-Status": "HIT"}))

    result = fetch_once(server.url("/world/story"), trusted=True)

    assert result.requested_url == server.url("/world/story")
    assert result.url == server.url("/world/story")
    assert result.status == 200
    assert result.content == HTML
    assert result.fetched_at == NOW
    assert result.headers["content-type"] == "text/html; charset=utf-8"
    assert result.headers["x-cache-status"] == "HIT"
    assert all(name == name.lower() for name in result.headers)
    assert paths(server) == ["/robots.txt", "/world/story"]
    for request in server.requests:
        assert request.method == "GET"
        assert request.headers["user-agent"] == UA
        assert request.headers["accept-encoding"] == "gzip, deflate, br"
        assert "cookie" not in request.headers
    page = server.requests_for("/world/story")[0]
    assert page.headers["accept"] == PAGE_ACCEPT


def test_user_agent_from_settings_and_per_call(server: LoopbackServer) -> None:
    server.route("/a", Reply(body=HTML))
    settings = replace(QUICK, user_agent="newsbot/2.0 (+https://example.org/bot)",
                       respect_robots=False)

    async def go() -> None:
        async with make_fetcher(settings) as fetcher:
            await fetcher.fetch(server.url("/a"), trusted=True)
            await fetcher.fetch(server.url("/a"), trusted=True, user_agent="other/1.0")
            await fetcher.fetch(server.url("/a"), trusted=True,
                                headers={"User-Agent": "ignored/0"}, user_agent="third/3")
    run(go())

    assert [r.headers["user-agent"] for r in server.requests] == [
        "newsbot/2.0 (+https://example.org/bot)", "other/1.0", "third/3"]


def _encode(body: bytes, encoding: str) -> bytes:
    if encoding == "gzip":
        return gzip.compress(body)
    if encoding == "deflate":
        return zlib.compress(body)
    if encoding == "raw-deflate":  # what some servers send as "deflate"
        squeeze = zlib.compressobj(wbits=-zlib.MAX_WBITS)
        return squeeze.compress(body) + squeeze.flush()
    if encoding == "br":
        return bytes(brotli.compress(body, quality=5))
    raise AssertionError(encoding)


@pytest.mark.parametrize(("header", "steps"), [
    ("gzip", ["gzip"]),
    ("deflate", ["deflate"]),
    ("deflate", ["raw-deflate"]),
    ("br", ["br"]),
    ("gzip, br", ["gzip", "br"]),
])
def test_compressed_page_is_decoded(server: LoopbackServer, header: str,
                                    steps: list[str]) -> None:
    page = HTML.replace(b"Text.", "Café résumé. ".encode() * 2000)
    wire = page
    for step in steps:
        wire = _encode(wire, step)
    server.route("/z", Reply(body=wire, headers={"Content-Encoding": header}))

    result = fetch_once(server.url("/z"), trusted=True)

    assert len(wire) < len(page) // 10
    assert result.content == page
    assert result.headers["content-encoding"] == header


def test_gzip_members_in_a_row_are_all_decoded(server: LoopbackServer) -> None:
    server.route("/z", Reply(body=gzip.compress(b"<html><p>one") + gzip.compress(b"two</p>"),
                             headers={"Content-Encoding": "gzip"}))

    assert fetch_once(server.url("/z"), trusted=True).content == b"<html><p>onetwo</p>"


def test_xhtml_is_a_page(server: LoopbackServer) -> None:
    server.route("/x", Reply(body=b"<html xmlns='http://www.w3.org/1999/xhtml'/>",
                             content_type="application/xhtml+xml"))

    assert fetch_once(server.url("/x"), trusted=True).status == 200


def test_missing_content_type_is_accepted_when_the_bytes_are_html(
        server: LoopbackServer) -> None:
    server.route("/html", Reply(body=b"\xef\xbb\xbf\n  <!doctype html><title>x</title>",
                                content_type=None))
    server.route("/text", Reply(body=b"Just some words.", content_type=None))

    assert fetch_once(server.url("/html"), trusted=True).content.endswith(b"</title>")
    with pytest.raises(UnsupportedContent) as caught:
        fetch_once(server.url("/text"), trusted=True)
    assert caught.value.url == server.url("/text")
    assert caught.value.reason == ("not HTML (no content type, and the body does not look "
                                   "like HTML)")


@pytest.mark.parametrize("content_type", [
    "image/png", "application/pdf", "application/octet-stream", "video/mp4", "text/plain",
    "application/json",
])
def test_non_html_page_is_refused_without_reading_the_body(server: LoopbackServer,
                                                           content_type: str) -> None:
    body, produced = counting_body(30_000_000)
    server.route("/file", Reply(body=body, content_type=content_type))

    with pytest.raises(UnsupportedContent) as caught:
        fetch_once(server.url("/file"), trusted=True)

    assert caught.value.reason == f"not HTML (content type {content_type})"
    assert not caught.value.transient
    assert produced[0] < 10_000_000


# --- feeds ------------------------------------------------------------------------------


@pytest.mark.parametrize(("content_type", "body"), [
    ("application/rss+xml", RSS),
    ("application/atom+xml; charset=utf-8", ATOM),
    ("application/rdf+xml", b"<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'/>"),
    ("application/xml", RSS),
    ("text/xml", RSS),
    ("text/html", RSS),  # served wrong, but it is a feed
    ("text/plain", b"\n\n" + ATOM),
    (None, RSS),
])
def test_feed_content_types(server: LoopbackServer, content_type: str | None,
                            body: bytes) -> None:
    server.route("/feed", Reply(body=body, content_type=content_type))

    result = fetch_once(server.url("/feed"), kind="feed", trusted=True)

    assert result.content == body
    assert server.requests_for("/feed")[0].headers["accept"] == FEED_ACCEPT


@pytest.mark.parametrize(("content_type", "reason"), [
    ("image/png", "not a feed (content type image/png)"),
    ("application/octet-stream", "not a feed (content type application/octet-stream)"),
    ("image/svg+xml", "not a feed (content type image/svg+xml)"),
    ("text/html", "not a feed (content type text/html, and the body does not look like RSS, "
                  "Atom or RDF)"),
])
def test_feed_refusals(server: LoopbackServer, content_type: str, reason: str) -> None:
    server.route("/feed", Reply(body=HTML, content_type=content_type))

    with pytest.raises(UnsupportedContent) as caught:
        fetch_once(server.url("/feed"), kind="feed", trusted=True)

    assert caught.value.reason == reason


# --- statuses and retries ---------------------------------------------------------------


def test_503_then_200_is_retried_once_after_the_backoff(server: LoopbackServer) -> None:
    server.route("/flaky", [Reply(503, b"busy", content_type="text/plain"), Reply(body=HTML)])
    clock = FakeTime()

    result = fetch_once(server.url("/flaky"), time_=clock, trusted=True)

    assert result.content == HTML
    assert len(server.requests_for("/flaky")) == 2
    assert clock.sleeps == [1.0]


def test_backoff_has_jitter(server: LoopbackServer, monkeypatch: pytest.MonkeyPatch) -> None:
    server.route("/flaky", [Reply(500), Reply(502), Reply(body=HTML)])
    monkeypatch.setattr("scraper.fetch.client.random.random", lambda: 0.5)
    clock = FakeTime()

    fetch_once(server.url("/flaky"), replace(QUICK, backoff_jitter=0.4), clock, trusted=True)

    assert clock.sleeps == [pytest.approx(1.2), pytest.approx(2.4)]


def test_server_errors_give_up_after_max_attempts(server: LoopbackServer) -> None:
    server.route("/down", Reply(503, b"down", content_type="text/plain"))
    clock = FakeTime()

    with pytest.raises(HTTPStatusError) as caught:
        fetch_once(server.url("/down"), time_=clock, trusted=True)

    assert caught.value.status == 503
    assert caught.value.reason == "HTTP 503 Service Unavailable"
    assert caught.value.transient
    assert len(server.requests_for("/down")) == 3
    assert clock.sleeps == [1.0, 2.0]


@pytest.mark.parametrize(("retry_after", "slept"), [
    ("7", 7.0),
    ("3600", 30.0),  # capped at max_retry_after
    (format_datetime(NOW + timedelta(seconds=20), usegmt=True), 20.0),
    (format_datetime(NOW - timedelta(seconds=20), usegmt=True), 0.0),
    ("soon", 1.0),  # unreadable: the ordinary backoff
])
def test_429_honours_retry_after(server: LoopbackServer, retry_after: str,
                                 slept: float) -> None:
    server.route("/busy", [Reply(429, headers={"Retry-After": retry_after}), Reply(body=HTML)])
    clock = FakeTime()

    fetch_once(server.url("/busy"), replace(QUICK, max_retry_after=30.0), clock, trusted=True)

    assert clock.sleeps == [slept]
    assert len(server.requests_for("/busy")) == 2


def test_429_to_the_end_keeps_retry_after_on_the_error(server: LoopbackServer) -> None:
    server.route("/busy", Reply(429, headers={"Retry-After": "90"}))

    with pytest.raises(HTTPStatusError) as caught:
        fetch_once(server.url("/busy"), replace(QUICK, max_attempts=2), trusted=True)

    assert (caught.value.status, caught.value.retry_after) == (429, 90.0)
    assert caught.value.reason == "HTTP 429 Too Many Requests"


@pytest.mark.parametrize(("status", "reason"), [
    (404, "HTTP 404 Not Found"), (410, "HTTP 410 Gone"), (403, "HTTP 403 Forbidden"),
    (451, "HTTP 451 Unavailable For Legal Reasons"), (299, None), (499, "HTTP 499"),
])
def test_other_4xx_is_not_retried(server: LoopbackServer, status: int,
                                  reason: str | None) -> None:
    if reason is None:  # an odd 2xx is still a success
        server.route("/p", Reply(status, HTML))
        assert fetch_once(server.url("/p"), trusted=True).status == 299
        return
    server.route("/p", Reply(status, b"no", content_type="text/plain"))
    clock = FakeTime()

    with pytest.raises(HTTPStatusError) as caught:
        fetch_once(server.url("/p"), time_=clock, trusted=True)

    assert (caught.value.status, caught.value.reason) == (status, reason)
    assert caught.value.retry_after is None
    assert not caught.value.transient
    assert len(server.requests_for("/p")) == 1
    assert clock.sleeps == []


def test_connection_refused_is_a_network_error_retried(server: LoopbackServer) -> None:
    url = f"http://127.0.0.1:{closed_port()}/story"
    clock = FakeTime()

    with pytest.raises(NetworkError) as caught:
        fetch_once(url, replace(QUICK, respect_robots=False), clock, trusted=True)

    assert type(caught.value) is NetworkError
    assert (caught.value.url, caught.value.reason) == (url, "connection refused")
    assert clock.sleeps == [1.0, 2.0]


def test_connection_refused_while_fetching_robots_txt(server: LoopbackServer) -> None:
    url = f"http://127.0.0.1:{closed_port()}/story"
    clock = FakeTime()

    with pytest.raises(NetworkError) as caught:
        fetch_once(url, time_=clock, trusted=True)

    assert caught.value.reason == "connection refused (while fetching robots.txt)"
    assert clock.sleeps == [1.0, 2.0]


def test_unresolvable_host(server: LoopbackServer) -> None:
    import socket

    async def no_such_host(host: str, port: int) -> list[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    with pytest.raises(NetworkError) as caught:
        fetch_once("http://news.invalid/story", replace(QUICK, max_attempts=1),
                   fetcher_kwargs={"resolver": no_such_host}, trusted=True)

    assert caught.value.reason == ("could not resolve host 'news.invalid' (Name or service "
                                   "not known) (while fetching robots.txt)")


def test_dripping_server_hits_the_total_deadline(server: LoopbackServer) -> None:
    drip = (b"<html>" if i == 0 else b"x" for i in range(200))  # 10 s in all
    server.route("/drip", Reply(body=drip, chunk_delay=0.05))
    settings = replace(QUICK, deadline=0.3, read_timeout=5.0, max_attempts=1,
                       respect_robots=False)

    with pytest.raises(FetchTimeout) as caught:
        fetch_once(server.url("/drip"), settings, trusted=True)

    # The reason is given only when the deadline expired (not the read timeout, not the end
    # of the 10 s drip); how long after it the fetch gave up: benchmarks/bounded_work.py.
    assert caught.value.reason == "no complete response within 0.3 s"
    assert caught.value.transient


def test_silent_server_hits_the_read_timeout(server: LoopbackServer) -> None:
    server.route("/slow", Reply(body=iter([b"<html>", b"late"]), chunk_delay=1.0))
    settings = replace(QUICK, read_timeout=0.2, max_attempts=1, respect_robots=False)

    with pytest.raises(FetchTimeout) as caught:
        fetch_once(server.url("/slow"), settings, trusted=True)

    assert caught.value.reason == "no data from the server for 0.2 s"


def test_retries_go_through_the_deadline_each_time(server: LoopbackServer) -> None:
    server.route("/drip", Reply(body=iter([b"<html>"] + [b"x"] * 20), chunk_delay=0.05))
    settings = replace(QUICK, deadline=0.2, max_attempts=2, respect_robots=False)
    clock = FakeTime()

    with pytest.raises(FetchTimeout):
        fetch_once(server.url("/drip"), settings, clock, trusted=True)

    assert len(server.requests_for("/drip")) == 2
    assert clock.sleeps == [1.0]


def test_total_deadline_bounds_every_attempt_together(server: LoopbackServer) -> None:
    drip = (b"<html>" if i == 0 else b"x" for i in range(200))  # 10 s in all
    server.route("/drip", Reply(body=drip, chunk_delay=0.05))
    settings = replace(QUICK, deadline=0.3, total_deadline=0.45, max_attempts=5,
                       backoff_base=0.01, respect_robots=False)
    clock = FakeTime()

    with pytest.raises(FetchTimeout) as caught:
        fetch_once(server.url("/drip"), settings, clock, trusted=True)

    assert caught.value.url == server.url("/drip")
    assert caught.value.reason == "no complete fetch within the total deadline of 0.45 s"
    assert caught.value.transient
    assert len(server.requests_for("/drip")) == 2  # not 5 x 0.3 s
    assert clock.sleeps == [0.01]


def test_total_deadline_counts_robots_txt(server: LoopbackServer) -> None:
    drip = (b"User-agent: *\n" if i == 0 else b"#" for i in range(200))
    server.route("/robots.txt", Reply(body=drip, content_type="text/plain", chunk_delay=0.05))
    server.route("/story", Reply(body=HTML))
    settings = replace(QUICK, deadline=5.0, total_deadline=0.3)

    with pytest.raises(FetchTimeout) as caught:
        fetch_once(server.url("/story"), settings, trusted=True)

    assert caught.value.reason == "no complete fetch within the total deadline of 0.3 s"
    assert paths(server) == ["/robots.txt"]


def test_no_retry_is_started_that_would_pass_the_total_deadline(
        server: LoopbackServer) -> None:
    server.route("/busy", Reply(503, b"busy", content_type="text/plain"))
    settings = replace(QUICK, backoff_base=8.0, max_attempts=5, total_deadline=20.0,
                       respect_robots=False)
    clock = FakeTime()

    with pytest.raises(FetchTimeout) as caught:
        fetch_once(server.url("/busy"), settings, clock, trusted=True)

    assert caught.value.reason == ("HTTP 503 Service Unavailable; a retry in 16 s would "
                                   "pass the total deadline of 20 s")
    assert isinstance(caught.value.__cause__, HTTPStatusError)
    assert clock.sleeps == [8.0]
    assert len(server.requests_for("/busy")) == 2


def test_retry_after_beyond_the_total_deadline_is_not_waited_for(
        server: LoopbackServer) -> None:
    server.route("/busy", Reply(429, b"slow down", headers={"Retry-After": "30"},
                                content_type="text/plain"))
    settings = replace(QUICK, total_deadline=20.0, respect_robots=False)
    clock = FakeTime()

    with pytest.raises(FetchTimeout) as caught:
        fetch_once(server.url("/busy"), settings, clock, trusted=True)

    assert caught.value.reason == ("HTTP 429 Too Many Requests; a retry in 30 s would "
                                   "pass the total deadline of 20 s")
    assert clock.sleeps == []
    assert len(server.requests_for("/busy")) == 1


# --- size caps and bombs ----------------------------------------------------------------


def test_huge_page_is_cut_off_early(server: LoopbackServer) -> None:
    body, produced = counting_body(60_000_000)
    server.route("/huge", Reply(body=body))

    with pytest.raises(ResponseTooLarge) as caught:
        fetch_once(server.url("/huge"), trusted=True)

    assert caught.value.reason == "response larger than 10000000 bytes"
    assert not caught.value.transient
    assert produced[0] < 25_000_000  # the cap plus what the sockets had buffered
    assert len(server.requests_for("/huge")) == 1  # not retried


def test_declared_length_over_the_cap_is_refused_before_reading(
        server: LoopbackServer) -> None:
    body, produced = counting_body(60_000_000)
    server.route("/huge", Reply(body=body, headers={"Content-Length": "60000000"}))

    with pytest.raises(ResponseTooLarge) as caught:
        fetch_once(server.url("/huge"), trusted=True)

    assert caught.value.reason == ("response larger than 10000000 bytes (Content-Length is "
                                   "60000000)")
    assert produced[0] < 10_000_000


def test_page_exactly_at_the_cap_passes(server: LoopbackServer) -> None:
    server.route("/fit", Reply(body=b"<html>" + b"x" * 994))
    server.route("/over", Reply(body=b"<html>" + b"x" * 995))
    settings = replace(QUICK, max_bytes=1000)

    assert len(fetch_once(server.url("/fit"), settings, trusted=True).content) == 1000
    with pytest.raises(ResponseTooLarge):
        fetch_once(server.url("/over"), settings, trusted=True)


def _peak_memory_of(call: object) -> int:
    tracemalloc.start()
    try:
        assert callable(call)
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_compression_bomb_is_cut_off_with_bounded_memory(server: LoopbackServer,
                                                         encoding: str) -> None:
    inflated = 100_000_000 if encoding == "br" else 50_000_000
    bomb = _encode(b"<html>" + bytes(inflated), encoding)
    server.route("/bomb", Reply(body=bomb, headers={"Content-Encoding": encoding}))
    errors: list[FetchError] = []

    def attempt() -> None:
        try:
            fetch_once(server.url("/bomb"), replace(QUICK, max_bytes=2_000_000), trusted=True)
        except FetchError as exc:
            errors.append(exc)

    peak = _peak_memory_of(attempt)

    assert len(bomb) < 100_000
    assert [type(e) for e in errors] == [ResponseTooLarge]
    assert errors[0].reason == "response larger than 2000000 bytes"
    assert peak < 3_500_000  # the 2 MB kept, a piece or two of output, the bomb itself


def test_corrupt_gzip_is_refused(server: LoopbackServer) -> None:
    server.route("/bad", Reply(body=b"\x1f\x8b\x08\x00garbage-not-deflate",
                               headers={"Content-Encoding": "gzip"}))

    with pytest.raises(UnsupportedContent) as caught:
        fetch_once(server.url("/bad"), trusted=True)

    assert caught.value.reason.startswith("body could not be decoded: invalid gzip data (")


def test_truncated_gzip_is_a_network_error_worth_a_retry(server: LoopbackServer) -> None:
    wire = gzip.compress(HTML * 50)
    server.route("/cut", [Reply(body=wire[:-20], headers={"Content-Encoding": "gzip"}),
                          Reply(body=wire, headers={"Content-Encoding": "gzip"})])
    clock = FakeTime()

    result = fetch_once(server.url("/cut"), time_=clock, trusted=True)

    assert result.content == HTML * 50
    assert clock.sleeps == [1.0]


def test_truncated_gzip_reason(server: LoopbackServer) -> None:
    server.route("/cut", Reply(body=gzip.compress(HTML)[:-20],
                               headers={"Content-Encoding": "gzip"}))

    with pytest.raises(NetworkError) as caught:
        fetch_once(server.url("/cut"), replace(QUICK, max_attempts=1), trusted=True)

    assert caught.value.reason == "response cut short (gzip data ends early)"


def test_unknown_content_encoding_is_refused(server: LoopbackServer) -> None:
    server.route("/z", Reply(body=b"(\xb5/\xfd", headers={"Content-Encoding": "zstd"}))

    with pytest.raises(UnsupportedContent) as caught:
        fetch_once(server.url("/z"), trusted=True)

    assert caught.value.reason == "unsupported content encoding 'zstd'"


# --- redirects --------------------------------------------------------------------------


def test_redirect_chain_is_followed(server: LoopbackServer) -> None:
    server.route("/old", Reply(301, headers={"Location": "/moved"}))
    server.route("/moved", Reply(302, headers={"Location": server.url("/news/final?id=3")}))
    server.route("/news/final", Reply(303, headers={"Location": "story"}))
    server.route("/news/story", Reply(body=HTML))

    result = fetch_once(server.url("/old"), allow_private_networks=True)

    assert result.requested_url == server.url("/old")
    assert result.url == server.url("/news/story")
    assert result.content == HTML
    assert paths(server) == ["/robots.txt", "/old", "/moved", "/news/final?id=3",
                             "/news/story"]


def test_redirect_count_is_limited(server: LoopbackServer) -> None:
    for hop in range(5):
        server.route(f"/r{hop}", Reply(302, headers={"Location": f"/r{hop + 1}"}))

    with pytest.raises(HTTPStatusError) as caught:
        fetch_once(server.url("/r0"), replace(QUICK, max_redirects=2),
                   allow_private_networks=True)

    assert caught.value.status == 302
    assert caught.value.reason == "too many redirects (more than 2)"
    assert paths(server) == ["/robots.txt", "/r0", "/r1", "/r2"]


def test_redirect_loop_ends(server: LoopbackServer) -> None:
    server.route("/a", Reply(307, headers={"Location": "/b"}))
    server.route("/b", Reply(308, headers={"Location": "/a"}))

    with pytest.raises(HTTPStatusError) as caught:
        fetch_once(server.url("/a"), allow_private_networks=True)

    assert caught.value.reason == "too many redirects (more than 10)"
    assert len(server.requests) == 1 + 11


def test_redirect_without_location_or_to_another_scheme(server: LoopbackServer) -> None:
    server.route("/nowhere", Reply(302))
    server.route("/ftp", Reply(301, headers={"Location": "ftp://files.example/a.html"}))

    with pytest.raises(HTTPStatusError) as caught:
        fetch_once(server.url("/nowhere"), trusted=True)
    assert caught.value.reason == "HTTP 302 Found without a Location header"
    assert len(server.requests_for("/nowhere")) == 1

    with pytest.raises(HTTPStatusError) as caught:
        fetch_once(server.url("/ftp"), trusted=True)
    assert caught.value.reason == "redirect to an unusable URL 'ftp://files.example/a.html'"


def test_credentials_are_dropped_on_cross_origin_redirects(server: LoopbackServer) -> None:
    other = LoopbackServer()
    try:
        server.route("/go", Reply(302, headers={"Location": "/go2"}))
        server.route("/go2", Reply(302, headers={"Location": other.url("/land")}))
        other.route("/land", Reply(body=HTML))
        sent = {"Authorization": "Bearer secret", "Cookie": "session=1",
                "If-None-Match": '"v1"', "X-Trace": "t-1"}

        result = fetch_once(server.url("/go"), headers=sent, trusted=True,
                            allow_private_networks=True)

        assert result.url == other.url("/land")
        for request in server.requests_for("/go") + server.requests_for("/go2"):
            assert request.headers["authorization"] == "Bearer secret"
            assert request.headers["cookie"] == "session=1"
        (landed,) = other.requests_for("/land")
        assert "authorization" not in landed.headers
        assert "cookie" not in landed.headers
        assert landed.headers["if-none-match"] == '"v1"'
        assert landed.headers["x-trace"] == "t-1"
    finally:
        other.close()


def test_cookies_follow_the_redirect_chain_of_one_fetch_only(server: LoopbackServer) -> None:
    other = LoopbackServer()
    try:
        server.route("/consent", Reply(302, headers={"Location": "/article",
                                                     "Set-Cookie": "consent=yes; Path=/"}))
        server.route("/article", Reply(302, headers={"Location": other.url("/cdn")}))
        other.route("/cdn", Reply(body=HTML))

        async def go() -> None:
            async with make_fetcher() as fetcher:
                await fetcher.fetch(server.url("/consent"), allow_private_networks=True)
                await fetcher.fetch(server.url("/article"), allow_private_networks=True)
        run(go())

        first, second = server.requests_for("/article")
        assert first.headers["cookie"] == "consent=yes"
        assert "cookie" not in second.headers  # not kept across fetches
        assert all("cookie" not in r.headers for r in other.requests)
    finally:
        other.close()


# --- conditional requests and odd URLs --------------------------------------------------


def test_conditional_request_gets_304(server: LoopbackServer) -> None:
    server.route("/feed", Reply(304, headers={"ETag": '"abc"'}, content_type=None))
    sent = {"If-None-Match": '"abc"', "If-Modified-Since": "Tue, 03 Mar 2026 10:00:00 GMT"}

    result = fetch_once(server.url("/feed"), kind="feed", headers=sent, trusted=True)

    assert result == FetchResult(server.url("/feed"), server.url("/feed"), 304,
                                 result.headers, b"", NOW)
    assert result.headers["etag"] == '"abc"'
    (request,) = server.requests_for("/feed")
    assert request.headers["if-none-match"] == '"abc"'
    assert request.headers["if-modified-since"] == "Tue, 03 Mar 2026 10:00:00 GMT"


def test_unsolicited_304_is_an_error(server: LoopbackServer) -> None:
    server.route("/story", Reply(304, headers={"ETag": '"abc"'}, content_type=None))

    with pytest.raises(HTTPStatusError) as caught:
        fetch_once(server.url("/story"), trusted=True, headers={"X-Trace": "t-1"})

    assert caught.value.url == server.url("/story")
    assert caught.value.status == 304
    assert caught.value.reason == "HTTP 304 Not Modified without a conditional request"
    assert not caught.value.transient
    assert len(server.requests_for("/story")) == 1


@pytest.mark.parametrize("sent", [{"If-None-Match": '"abc"'},
                                  {"If-Modified-Since": "Tue, 03 Mar 2026 10:00:00 GMT"}])
def test_either_validator_makes_a_304_a_result(server: LoopbackServer,
                                               sent: dict[str, str]) -> None:
    server.route("/feed", Reply(304, content_type=None))

    result = fetch_once(server.url("/feed"), kind="feed", headers=sent, trusted=True)

    assert (result.status, result.content) == (304, b"")


@pytest.mark.parametrize(("url", "reason"), [
    ("ftp://example.com/file", "not an http or https URL"),
    ("example.com/story", "not an http or https URL"),
    ("http:///nohost", "not an http or https URL"),
])
def test_unusable_urls(url: str, reason: str) -> None:
    with pytest.raises(FetchError) as caught:
        fetch_once(url, trusted=True)

    assert (caught.value.url, caught.value.reason) == (url, reason)


def test_concurrent_fetches_share_one_fetcher(server: LoopbackServer) -> None:
    def handler(request: Request) -> Reply:
        return Reply(body=b"<html>" + request.path.encode())
    server.route("/s", handler)

    async def go() -> list[bytes]:
        import asyncio
        async with Fetcher(replace(QUICK, per_host_concurrency=4)) as fetcher:
            results = await asyncio.gather(*(
                fetcher.fetch(server.url(f"/s?n={n}"), trusted=True) for n in range(8)))
        return [r.content for r in results]

    assert run(go()) == [f"<html>/s?n={n}".encode() for n in range(8)]
    assert len(server.requests_for("/robots.txt")) == 1
