"""robots.txt: rules obeyed per hop, cached per site for robots_ttl, Crawl-delay, and what
4xx, 5xx and unreachable answers mean (RFC 9309)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scraper.errors import FetchTimeout, RobotsDisallowed
from scraper.fetch.robots import parse_robots
from tests.httpserver import LoopbackServer, Reply
from tests.test_fetch_support import (
    HTML,
    QUICK,
    FakeTime,
    fetch_once,
    make_fetcher,
    paths,
    recording,
    run,
)

DISALLOW_PRIVATE = b"User-agent: *\nDisallow: /private\n"
REFUSED = "robots.txt disallows this URL for user agent 'scraper/0.1'"


def robots(body: bytes, status: int = 200) -> Reply:
    return Reply(status, body, content_type="text/plain")


def test_disallowed_url_is_not_fetched(server: LoopbackServer) -> None:
    server.route("/robots.txt", robots(DISALLOW_PRIVATE))
    server.route("/private/memo", Reply(body=HTML))

    with pytest.raises(RobotsDisallowed) as caught:
        fetch_once(server.url("/private/memo"), trusted=True)

    assert (caught.value.url, caught.value.reason) == (server.url("/private/memo"), REFUSED)
    assert not caught.value.transient
    assert paths(server) == ["/robots.txt"]


def test_rules_are_cached_per_site(server: LoopbackServer) -> None:
    server.route("/robots.txt", robots(DISALLOW_PRIVATE))
    server.route("/news", Reply(body=HTML))

    async def go() -> list[str]:
        outcomes = []
        async with make_fetcher() as fetcher:
            for path in ["/news", "/private/x", "/news?page=2"]:
                try:
                    await fetcher.fetch(server.url(path), trusted=True)
                    outcomes.append("ok")
                except RobotsDisallowed as exc:
                    outcomes.append(exc.reason)
        return outcomes

    assert run(go()) == ["ok", REFUSED, "ok"]
    assert paths(server) == ["/robots.txt", "/news", "/news?page=2"]


def test_cache_expires_after_robots_ttl(server: LoopbackServer) -> None:
    server.route("/robots.txt", [robots(b""), robots(b"User-agent: *\nDisallow: /\n")])
    server.route("/news", Reply(body=HTML))
    clock = FakeTime()

    async def go() -> list[str]:
        outcomes = []
        async with make_fetcher(replace(QUICK, robots_ttl=100.0), clock) as fetcher:
            for advance in [0.0, 99.0, 2.0]:
                clock.now += advance
                try:
                    await fetcher.fetch(server.url("/news"), trusted=True)
                    outcomes.append("ok")
                except RobotsDisallowed:
                    outcomes.append("refused")
        return outcomes

    assert run(go()) == ["ok", "ok", "refused"]
    assert len(server.requests_for("/robots.txt")) == 2


@pytest.mark.parametrize("status", [401, 403, 404, 410])
def test_robots_4xx_allows_everything(server: LoopbackServer, status: int) -> None:
    server.route("/robots.txt", robots(b"User-agent: *\nDisallow: /\n", status))
    server.route("/private/memo", Reply(body=HTML))

    assert fetch_once(server.url("/private/memo"), trusted=True).content == HTML


@pytest.mark.parametrize(("status", "text"), [
    (500, "HTTP 500 Internal Server Error"), (503, "HTTP 503 Service Unavailable"),
    (429, "HTTP 429 Too Many Requests"),
])
def test_robots_5xx_disallows_everything_for_a_while(server: LoopbackServer, status: int,
                                                     text: str) -> None:
    server.route("/robots.txt", robots(b"", status))
    server.route("/news", Reply(body=HTML))
    clock = FakeTime()
    settings = replace(QUICK, robots_error_ttl=300.0, max_attempts=2)

    async def go() -> list[str]:
        outcomes = []
        async with make_fetcher(settings, clock) as fetcher:
            for advance in [0.0, 299.0, 2.0]:
                clock.now += advance
                if advance == 2.0:
                    server.route("/robots.txt", robots(b""))
                try:
                    await fetcher.fetch(server.url("/news"), trusted=True)
                    outcomes.append("ok")
                except RobotsDisallowed as exc:
                    outcomes.append(exc.reason)
        return outcomes

    refused = f"robots.txt answered {text}, so the site is off limits until it answers again"
    assert run(go()) == [refused, refused, "ok"]
    # two attempts at first (one retry), none while cached, one once the entry expired
    assert paths(server) == ["/robots.txt", "/robots.txt", "/robots.txt", "/news"]
    assert clock.sleeps == [1.0]


def test_robots_blip_is_retried(server: LoopbackServer) -> None:
    server.route("/robots.txt", [robots(b"", 502), robots(DISALLOW_PRIVATE)])
    server.route("/private/x", Reply(body=HTML))
    clock = FakeTime()

    with pytest.raises(RobotsDisallowed) as caught:
        fetch_once(server.url("/private/x"), time_=clock, trusted=True)

    assert caught.value.reason == REFUSED
    assert clock.sleeps == [1.0]


def test_unreachable_robots_disallows_and_is_cached(server: LoopbackServer) -> None:
    server.route("/robots.txt", Reply(body=iter([b"User-agent: *\n"] + [b"#"] * 40),
                                      content_type="text/plain", chunk_delay=0.05))
    server.route("/news", Reply(body=HTML))
    settings = replace(QUICK, deadline=0.2, max_attempts=2)

    async def go() -> list[str]:
        reasons = []
        async with make_fetcher(settings) as fetcher:
            for _ in range(2):
                with pytest.raises(FetchTimeout) as caught:
                    await fetcher.fetch(server.url("/news"), trusted=True)
                reasons.append(caught.value.reason)
        return reasons

    assert run(go()) == ["no complete response within 0.2 s (while fetching robots.txt)"] * 2
    assert paths(server) == ["/robots.txt", "/robots.txt"]  # one retry, then cached


def test_rules_for_our_user_agent_win(server: LoopbackServer) -> None:
    server.route("/robots.txt", robots(
        b"User-agent: news\nDisallow: /\n\n"  # must not match "news-feed" in our UA comment
        b"User-agent: scraper\nDisallow: /live/\n\nUser-agent: *\nDisallow: /\n"))
    server.route("/world", Reply(body=HTML))
    server.route("/live/blog", Reply(body=HTML))

    assert fetch_once(server.url("/world"), trusted=True).status == 200
    with pytest.raises(RobotsDisallowed) as caught:
        fetch_once(server.url("/live/blog"), trusted=True)
    assert caught.value.reason == REFUSED
    with pytest.raises(RobotsDisallowed) as caught:
        fetch_once(server.url("/world"), trusted=True, user_agent="otherbot/1.0")
    assert caught.value.reason == "robots.txt disallows this URL for user agent 'otherbot/1.0'"


def test_ignoring_robots_fetches_no_robots_txt(server: LoopbackServer) -> None:
    server.route("/robots.txt", robots(b"User-agent: *\nDisallow: /\n"))
    server.route("/news", Reply(body=HTML))

    fetch_once(server.url("/news"), replace(QUICK, respect_robots=False), trusted=True)

    assert paths(server) == ["/news"]


def test_robots_is_checked_again_after_a_redirect(server: LoopbackServer) -> None:
    other = LoopbackServer()
    try:
        server.route("/go", Reply(302, headers={"Location": other.url("/secret")}))
        other.route("/robots.txt", robots(b"User-agent: *\nDisallow: /secret\n"))
        other.route("/secret", Reply(body=HTML))

        with pytest.raises(RobotsDisallowed) as caught:
            fetch_once(server.url("/go"), allow_private_networks=True)

        assert caught.value.url == server.url("/go")
        assert caught.value.reason == f"{REFUSED} (after redirect to {other.url('/secret')})"
        assert paths(server) == ["/robots.txt", "/go"]
        assert paths(other) == ["/robots.txt"]
    finally:
        other.close()


def test_robots_txt_redirects_are_followed_up_to_five(server: LoopbackServer) -> None:
    server.route("/robots.txt", Reply(301, headers={"Location": "/r1"}))
    for hop in range(1, 5):
        server.route(f"/r{hop}", Reply(302, headers={"Location": f"/r{hop + 1}"}))
    server.route("/r5", robots(b"User-agent: *\nDisallow: /news\n"))
    server.route("/news", Reply(body=HTML))

    with pytest.raises(RobotsDisallowed):
        fetch_once(server.url("/news"), allow_private_networks=True)
    assert paths(server) == ["/robots.txt", "/r1", "/r2", "/r3", "/r4", "/r5"]


def test_robots_txt_redirecting_too_often_counts_as_missing(server: LoopbackServer) -> None:
    server.route("/robots.txt", Reply(301, headers={"Location": "/r1"}))
    for hop in range(1, 7):
        server.route(f"/r{hop}", Reply(302, headers={"Location": f"/r{hop + 1}"}))
    server.route("/r7", robots(b"User-agent: *\nDisallow: /\n"))
    server.route("/news", Reply(body=HTML))

    assert fetch_once(server.url("/news"), allow_private_networks=True).status == 200
    assert paths(server) == ["/robots.txt", "/r1", "/r2", "/r3", "/r4", "/r5", "/news"]


def test_typed_urls_robots_txt_redirect_to_its_own_host_is_guarded(
        server: LoopbackServer) -> None:
    server.route("/robots.txt", Reply(301, headers={"Location": "/r1"}))
    server.route("/r1", robots(b"User-agent: *\nAllow: /\n"))
    server.route("/news", Reply(body=HTML))

    with pytest.raises(RobotsDisallowed) as caught:
        fetch_once(server.url("/news"), trusted=True)

    assert caught.value.reason == "robots.txt redirects to a blocked address"
    assert paths(server) == ["/robots.txt"]


def test_oversized_robots_txt_is_read_up_to_its_cap(server: LoopbackServer) -> None:
    body = (b"User-agent: *\nDisallow: /early\n" + b"# padding\n" * 60_000
            + b"Disallow: /late\n")
    server.route("/robots.txt", robots(body))
    server.route("/late", Reply(body=HTML))
    server.route("/early", Reply(body=HTML))

    assert fetch_once(server.url("/late"), trusted=True).status == 200
    with pytest.raises(RobotsDisallowed):
        fetch_once(server.url("/early"), trusted=True)


def test_crawl_delay_spaces_requests_to_the_host(server: LoopbackServer) -> None:
    clock = FakeTime()
    seen: list[tuple[str, float]] = []
    server.route("/robots.txt",
                 recording(clock, seen, robots(b"User-agent: *\nCrawl-delay: 5\n")))
    server.route("/news", recording(clock, seen, Reply(body=HTML)))

    async def go() -> None:
        async with make_fetcher(replace(QUICK, per_host_delay=1.0), clock) as fetcher:
            for _ in range(3):
                await fetcher.fetch(server.url("/news"), trusted=True)
    run(go())

    assert seen == [("/robots.txt", 0.0), ("/news", 5.0), ("/news", 10.0), ("/news", 15.0)]


def test_crawl_delay_is_capped(server: LoopbackServer) -> None:
    clock = FakeTime()
    seen: list[tuple[str, float]] = []
    server.route("/robots.txt",
                 recording(clock, seen, robots(b"User-agent: *\nCrawl-delay: 86400\n")))
    server.route("/news", recording(clock, seen, Reply(body=HTML)))

    async def go() -> None:
        async with make_fetcher(replace(QUICK, max_crawl_delay=60.0), clock) as fetcher:
            for _ in range(2):
                await fetcher.fetch(server.url("/news"), trusted=True)
    run(go())

    assert seen == [("/robots.txt", 0.0), ("/news", 60.0), ("/news", 120.0)]


def test_concurrent_fetches_load_robots_txt_once(server: LoopbackServer) -> None:
    server.route("/robots.txt", robots(DISALLOW_PRIVATE))
    server.route("/news", Reply(body=HTML))

    async def go() -> None:
        import asyncio
        async with make_fetcher(replace(QUICK, per_host_concurrency=4)) as fetcher:
            await asyncio.gather(*(fetcher.fetch(server.url(f"/news?n={n}"), trusted=True)
                                   for n in range(6)))
    run(go())

    assert len(server.requests_for("/robots.txt")) == 1
    assert len(server.requests) == 7


@given(st.binary(max_size=2000))
def test_any_robots_body_parses(body: bytes) -> None:
    rules = parse_robots(body)

    refusal = rules.refusal_for("https://example.com/a?b=c", "scraper/0.1")
    assert refusal is None or refusal.error is RobotsDisallowed
    assert rules.refusal_for("https://example.com/robots.txt", "scraper/0.1") is None
    delay = rules.crawl_delay("scraper/0.1")
    assert delay is None or isinstance(delay, float)
