"""Polite, bounded, safe HTTP fetching (httpx + tenacity).

Interface contract (implemented by the fetch work; used by the CLI and the daemon)::

    async with Fetcher(FetchSettings(...)) as fetcher:
        result = await fetcher.fetch(url, kind="page", trusted=True)
        result.content  # bytes, content-encoding removed; decode with scraper.encoding

Errors are the FetchError subclasses of :mod:`scraper.errors`.

Each fetch follows redirects itself (at most ``max_redirects``) so that every hop is
checked: robots.txt of the hop's site, the private-address guard (at connect time, in
:mod:`scraper.fetch.netguard`), and caller credentials kept to the first origin. Each request
takes a per-host slot (:mod:`scraper.fetch.politeness`), and transient failures are retried
with backoff, honouring Retry-After. Bodies are decoded and capped by :mod:`scraper.fetch.content`.
Each attempt has its ``deadline``, and the whole fetch (robots.txt, attempts, redirects,
backoff waits) its ``total_deadline``.
"""

from __future__ import annotations

import asyncio
import random
import ssl
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Literal

import httpx
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from scraper.config import FetchSettings
from scraper.errors import (
    BlockedAddress,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    NetworkError,
    ResponseTooLarge,
    RobotsDisallowed,
    UnsupportedContent,
)
from scraper.fetch.connections import ConnectionPool, SocketBackend
from scraper.fetch.content import (
    ACCEPT_ENCODING,
    BodyDecodeError,
    BodyTruncated,
    Decoder,
    UnknownEncoding,
    content_verdict,
    is_feed_type,
    looks_like_feed,
    looks_like_html,
    media_type,
    read_capped,
    refusal_reason,
)
from scraper.fetch.failures import describe_transport_error, retry_after, status_text
from scraper.fetch.netguard import AddressBlocked, NameNotResolved, Resolver, ResolvingBackend
from scraper.fetch.politeness import HostLimiter, Limiter
from scraper.fetch.robots import (
    ALLOW_ALL,
    Refusal,
    RobotsCache,
    RobotsRules,
    SharedRobots,
    parse_robots,
)

__all__ = ["FetchResult", "FetchSettings", "Fetcher"]

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_ROBOTS_REDIRECTS = 5  # RFC 9309, 2.3.1.2
_CREDENTIALS = ("authorization", "cookie", "proxy-authorization")
_ACCEPT = {
    "page": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
    "feed": "application/rss+xml,application/atom+xml,application/rdf+xml;q=0.9,"
            "application/xml;q=0.9,text/xml;q=0.8,*/*;q=0.5",
    "robots": "text/plain,*/*;q=0.5",
}

_Origin = tuple[str, str, int]


@dataclass(frozen=True, slots=True)
class FetchResult:
    """A response that passed every check (status 2xx, or 304 to a conditional request)."""

    requested_url: str
    url: str  # after redirects
    status: int
    headers: Mapping[str, str]  # lower-cased names, as sent (content-encoding included)
    content: bytes  # decoded: no content-encoding left
    fetched_at: datetime  # UTC


@dataclass(frozen=True, slots=True)
class _Hop:
    """One request of a fetch. Errors name the caller's URL and, after a redirect, the hop."""

    requested: str
    url: httpx.URL
    index: int
    kind: Literal["page", "feed", "robots"]
    guarded: bool
    headers: httpx.Headers
    jar: httpx.Cookies
    max_bytes: int
    ends_at: float  # the fetch's total deadline, on the fetcher's clock

    @property
    def conditional(self) -> bool:
        return "if-none-match" in self.headers or "if-modified-since" in self.headers

    def error(self, error: type[FetchError], reason: str) -> FetchError:
        return error(self.requested, self.where(reason))

    def status_error(self, status: int, reason: str,
                     retry_after: float | None = None) -> HTTPStatusError:
        return HTTPStatusError(self.requested, status, self.where(reason), retry_after)

    def where(self, reason: str) -> str:
        return f"{reason} (after redirect to {self.url})" if self.index else reason


@dataclass(frozen=True, slots=True)
class _Answer:
    status: int
    headers: dict[str, str]
    fetched_at: datetime
    content: bytes = b""
    location: str | None = None


@dataclass(frozen=True, slots=True)
class _Policy:
    """Which hops skip the private-address guard: all of them, or only the typed URL (and
    its robots.txt). A redirect, even to the typed URL's own host, is checked again: the
    name may now resolve elsewhere (DNS rebinding)."""

    allow_private: bool
    trusted: bool

    def guarded(self, *, first: bool) -> bool:
        return not self.allow_private and not (self.trusted and first)


class Fetcher:
    """Shared by all jobs of a process: its per-host limits and robots cache are global."""

    def __init__(
        self,
        settings: FetchSettings | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        resolver: Resolver | None = None,
        limiter: Limiter | None = None,
        shared_robots: SharedRobots | None = None,
    ) -> None:
        self.settings = s = settings or FetchSettings()
        self._clock = clock
        self._sleep = sleep
        self._now = now
        # ``limiter``: the distributed mode's, shared by every worker of the cluster.
        self._limiter: Limiter = limiter or HostLimiter(
            concurrency=s.per_host_concurrency, delay=s.per_host_delay, total=s.max_connections,
            max_crawl_delay=s.max_crawl_delay, clock=clock, sleep=sleep,
        )
        self._robots = RobotsCache(ttl=s.robots_ttl, error_ttl=s.robots_error_ttl, clock=clock)
        # The distributed mode's: one worker's robots.txt answer serves the others.
        self._shared_robots = shared_robots
        # Two pools, so a connection opened without the guard is never reused by a hop
        # that must be guarded.
        ssl_context = httpx.create_ssl_context(trust_env=False)  # loading CAs is slow: once
        self._guarded = self._client(ResolvingBackend(
            guard=True, resolver=resolver, inner=SocketBackend()), ssl_context)
        self._open = self._client(ResolvingBackend(
            guard=False, resolver=resolver, inner=SocketBackend()), ssl_context)

    def _client(self, backend: ResolvingBackend,
                ssl_context: ssl.SSLContext) -> _Client:
        s = self.settings
        transport = httpx.AsyncHTTPTransport(verify=ssl_context, trust_env=False)
        # httpx offers no hook for the network backend: swap in a pool that uses ours,
        # keeping httpx's request conversion and exception mapping.
        transport._pool = ConnectionPool(
            ssl_context=ssl_context, max_connections=s.max_connections,
            max_keepalive_connections=s.max_connections, keepalive_expiry=5.0,
            network_backend=backend,
        )
        return _Client(
            transport=transport, follow_redirects=False,
            # Environment proxies would make the guard check the proxy, not the target.
            trust_env=False,
            timeout=httpx.Timeout(connect=s.connect_timeout, read=s.read_timeout,
                                  write=s.read_timeout, pool=s.deadline),
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pools."""
        await self._guarded.aclose()
        await self._open.aclose()

    async def fetch(
        self,
        url: str,
        *,
        kind: Literal["page", "feed"] = "page",
        trusted: bool = False,
        headers: Mapping[str, str] | None = None,
        user_agent: str | None = None,
        allow_private_networks: bool | None = None,
    ) -> FetchResult:
        """Fetch ``url``; raise a :class:`~scraper.errors.FetchError` subclass on failure.

        ``kind`` picks the accepted content types (HTML for pages, XML/RSS/Atom for feeds).
        ``trusted`` (a URL a person typed) skips the private-address guard for that URL
        itself, not for its redirects. ``headers`` are extra request headers
        (``If-None-Match`` ...); a 304 answer to such a conditional request is returned as
        a result with empty content. The whole fetch is bounded by ``total_deadline``.
        """
        s = self.settings
        start = _parse_url(url)
        allow_private = (s.allow_private_networks if allow_private_networks is None
                         else allow_private_networks)
        policy = _Policy(allow_private, trusted)
        ends_at = self._clock() + s.total_deadline
        total = asyncio.timeout(s.total_deadline)
        try:
            async with total:
                return await self._follow(url, start, kind, policy, headers, user_agent,
                                          ends_at)
        except TimeoutError as exc:
            if not total.expired():
                raise
            raise FetchTimeout(url, "no complete fetch within the total deadline of "
                                    f"{s.total_deadline:g} s") from exc

    async def _follow(self, url: str, start: httpx.URL, kind: Literal["page", "feed"],
                      policy: _Policy, headers: Mapping[str, str] | None,
                      user_agent: str | None, ends_at: float) -> FetchResult:
        s = self.settings
        agent = user_agent or s.user_agent
        base = httpx.Headers({"Accept": _ACCEPT[kind]})
        base.update(headers or {})
        base["User-Agent"] = agent
        base["Accept-Encoding"] = ACCEPT_ENCODING  # only what _body can decode
        # Cookies set during the redirect chain go back to the origin that set them only
        # (stricter than browsers, which share them across ports and subdomains).
        jars: dict[_Origin, httpx.Cookies] = {}
        current = start
        for index in range(max(0, s.max_redirects) + 1):
            hop_headers = base.copy()
            if _origin(current) != _origin(start):
                for name in _CREDENTIALS:
                    hop_headers.pop(name, None)
            jar = jars.setdefault(_origin(current), httpx.Cookies())
            hop = _Hop(url, current, index, kind, policy.guarded(first=index == 0),
                       hop_headers, jar, s.max_bytes, ends_at)
            if s.respect_robots:
                await self._obey_robots(hop, policy, agent)
            answer = await self._with_retries(hop)
            if answer.location is None:
                return FetchResult(url, str(current), answer.status, answer.headers,
                                   answer.content, answer.fetched_at)
            current = _redirect_target(hop, answer)
        raise HTTPStatusError(url, answer.status,
                              f"too many redirects (more than {s.max_redirects})")

    async def _obey_robots(self, hop: _Hop, policy: _Policy, agent: str) -> None:
        token = agent.split()[0] if agent.strip() else agent
        site = "{}://{}:{}".format(*_origin(hop.url))
        rules = await self._robots.rules(
            site, lambda: self._load_shared_robots(site, hop, policy, agent))
        self._limiter.set_crawl_delay(hop.url.host, rules.crawl_delay(token))
        refusal = rules.refusal_for(str(hop.url), token)
        if refusal is not None:
            raise hop.error(refusal.error, refusal.reason)

    async def _load_shared_robots(self, site: str, hop: _Hop, policy: _Policy,
                                  agent: str) -> RobotsRules:
        """The rules another worker shared, else loaded here (and shared, unless they are a
        refusal: a failure is retried by each worker after ``robots_error_ttl``)."""
        shared = self._shared_robots
        if shared is None:
            return await self._load_robots(hop, policy, agent)
        body = await shared.get(site)
        if body is not False:
            return ALLOW_ALL if body is None else parse_robots(body)
        rules = await self._load_robots(hop, policy, agent)
        if rules.refusal is None:
            await shared.put(site, rules.body, self.settings.robots_ttl)
        return rules

    async def _load_robots(self, page: _Hop, policy: _Policy, agent: str) -> RobotsRules:
        current = page.url.copy_with(path="/robots.txt", query=None, fragment=None)
        headers = httpx.Headers({"Accept": _ACCEPT["robots"], "User-Agent": agent,
                                 "Accept-Encoding": ACCEPT_ENCODING})
        for index in range(_ROBOTS_REDIRECTS + 1):
            # index 0: the reasons are cached, so they must not name this fetch's redirects
            first = page.index == 0 and index == 0
            hop = _Hop(page.requested, current, 0, "robots", policy.guarded(first=first),
                       headers, httpx.Cookies(), self.settings.robots_max_bytes, page.ends_at)
            try:
                answer = await self._with_retries(hop)
            except BlockedAddress as exc:
                if index == 0:  # the page's own host is blocked: say so, not "robots.txt"
                    raise page.error(BlockedAddress, exc.reason) from exc
                return _refuse(RobotsDisallowed, "robots.txt redirects to a blocked address")
            except NetworkError as exc:
                return _refuse(type(exc), f"{exc.reason} (while fetching robots.txt)")
            except HTTPStatusError as exc:  # 429 or 5xx, after the retries
                return _refuse(RobotsDisallowed, f"robots.txt answered {exc.reason}, so the "
                                                 "site is off limits until it answers again")
            except FetchError as exc:
                return _refuse(RobotsDisallowed, f"robots.txt is unusable ({exc.reason})")
            if answer.location is not None:
                try:
                    current = _parse_url(str(current.join(answer.location)))
                except FetchError:
                    return ALLOW_ALL
                continue
            if 200 <= answer.status < 300:
                return parse_robots(answer.content)
            return ALLOW_ALL  # 4xx: there are no rules
        return ALLOW_ALL  # RFC 9309 lets a crawler treat a redirect loop as no robots.txt

    async def _with_retries(self, hop: _Hop) -> _Answer:
        """The hop's answer, tried again after a transient failure (``max_attempts`` in
        all) with backoff. The first attempt runs outside tenacity: building its retrying
        object and running its state machine cost 8 % of the instructions of a small fetch,
        spent on the attempt that is almost always the last. After a transient failure,
        tenacity takes over and sees that failure as its first attempt, so its policy
        (stop, wait, the deadline check) counts the whole history."""
        try:
            return await self._checked_attempt(hop)
        except FetchError as exc:
            if not exc.transient or self.settings.max_attempts <= 1:
                raise
            first: FetchError | None = exc

        async def attempt() -> _Answer:
            nonlocal first
            if first is not None:
                failed, first = first, None
                raise failed
            return await self._checked_attempt(hop)

        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.settings.max_attempts),
            wait=self._backoff,
            retry=retry_if_exception(lambda e: isinstance(e, FetchError) and e.transient),
            sleep=self._sleep,
            before_sleep=lambda state: self._check_budget(hop, state),
            reraise=True,
        )
        return await retrying(attempt)

    def _check_budget(self, hop: _Hop, state: RetryCallState) -> None:
        """Give up now when the wait before the next attempt would pass the total deadline,
        rather than sleep only to be cut off."""
        wait = state.upcoming_sleep
        if self._clock() + wait <= hop.ends_at:
            return
        last = state.outcome.exception() if state.outcome else None
        detail = f"{last.reason}; " if isinstance(last, FetchError) else ""
        raise FetchTimeout(hop.requested, f"{detail}a retry in {wait:g} s would pass the "
                           f"total deadline of {self.settings.total_deadline:g} s") from last

    def _backoff(self, state: RetryCallState) -> float:
        """The wait after a failed attempt: the server's Retry-After (capped), else an
        exponential backoff with jitter."""
        s = self.settings
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, HTTPStatusError) and error.retry_after is not None:
            return min(max(error.retry_after, 0.0), s.max_retry_after)
        delay = s.backoff_base * 2.0 ** (state.attempt_number - 1)
        return min(delay * (1 + s.backoff_jitter * random.random()), s.max_backoff)

    async def _checked_attempt(self, hop: _Hop) -> _Answer:
        answer = await self._attempt(hop)
        status = answer.status
        if answer.location is not None or 200 <= status < 300:
            return answer
        if status == 304 and hop.conditional:
            return answer
        # Google treats a 429 robots.txt like a 5xx: being rate limited says nothing about
        # the rules. Other robots.txt statuses are answers, read by _load_robots.
        if hop.kind == "robots" and status != 429 and status < 500:
            return answer
        if answer.status in _REDIRECTS:
            raise hop.status_error(answer.status,
                                   f"{status_text(answer.status)} without a Location header")
        if status == 304:  # nothing to be "not modified" against: no content to return
            raise hop.status_error(status, f"{status_text(status)} without a conditional "
                                           "request")
        raise hop.status_error(answer.status, status_text(answer.status),
                               retry_after(answer.headers.get("retry-after"), self._now()))

    async def _attempt(self, hop: _Hop) -> _Answer:
        """One HTTP request, within a host slot and the per-attempt deadline."""
        s = self.settings
        client = self._guarded if hop.guarded else self._open
        async with self._limiter.slot(hop.url.host) as started:
            deadline = asyncio.timeout(s.deadline)
            try:
                async with deadline:
                    request = client.build_request("GET", hop.url, headers=hop.headers)
                    if hop.jar:  # an empty jar adds nothing, at the cost of a urllib request
                        hop.jar.set_cookie_header(request)
                    response = await client.start(request)
                    try:
                        await started()
                        return await self._answer(hop, response)
                    finally:
                        await response.aclose()
            except TimeoutError as exc:
                reason = (f"no complete response within {s.deadline:g} s" if deadline.expired()
                          else "timed out")
                raise hop.error(FetchTimeout, reason) from exc
            except AddressBlocked as exc:
                raise hop.error(BlockedAddress, exc.reason) from exc
            except NameNotResolved as exc:
                raise hop.error(NetworkError, str(exc)) from exc
            except httpx.HTTPError as exc:
                error, reason = describe_transport_error(
                    exc, connect_timeout=s.connect_timeout, read_timeout=s.read_timeout)
                raise hop.error(error, reason) from exc

    async def _answer(self, hop: _Hop, response: httpx.Response) -> _Answer:
        fetched_at = self._now()
        headers = {name.lower(): value for name, value in response.headers.items()}
        if "set-cookie" in headers or "set-cookie2" in headers:
            hop.jar.extract_cookies(response)
        status = response.status_code
        if not 200 <= status < 300:
            await _drain(response, headers)
            if status in _REDIRECTS and headers.get("location"):
                return _Answer(status, headers, fetched_at, location=headers["location"])
            return _Answer(status, headers, fetched_at)
        return _Answer(status, headers, fetched_at, await self._body(hop, response, headers))

    async def _body(self, hop: _Hop, response: httpx.Response, headers: dict[str, str]) -> bytes:
        try:
            decoder = Decoder(headers.get("content-encoding"))
        except UnknownEncoding as exc:
            raise hop.error(UnsupportedContent,
                            f"unsupported content encoding {exc.args[0]!r}") from exc
        if hop.kind == "robots":  # any type; parsed as far as the cap
            return await self._read(hop, response, decoder, keep_cut=True)
        mtype = media_type(headers.get("content-type"))
        verdict = content_verdict(hop.kind, mtype)
        if verdict == "refuse":
            raise UnsupportedContent(
                hop.requested, hop.where(refusal_reason(hop.kind, mtype, sniffed=False)),
                is_feed=hop.kind == "page" and is_feed_type(mtype))
        length = headers.get("content-length", "")
        if decoder.identity and length.isdigit() and int(length) > hop.max_bytes:
            raise hop.error(ResponseTooLarge, f"response larger than {hop.max_bytes} bytes "
                                              f"(Content-Length is {length})")
        content = await self._read(hop, response, decoder, keep_cut=False)
        looks_right = looks_like_html if hop.kind == "page" else looks_like_feed
        if verdict == "sniff" and not looks_right(content):
            raise hop.error(UnsupportedContent, refusal_reason(hop.kind, mtype, sniffed=True))
        return content

    async def _read(self, hop: _Hop, response: httpx.Response, decoder: Decoder, *,
                    keep_cut: bool) -> bytes:
        try:
            content, cut = await read_capped(response.aiter_raw(), decoder, hop.max_bytes,
                                             keep_cut=keep_cut)
        except BodyTruncated as exc:  # like a connection reset mid-body: worth a retry
            raise hop.error(NetworkError, f"response cut short ({exc})") from exc
        except BodyDecodeError as exc:
            raise hop.error(UnsupportedContent, f"body could not be decoded: {exc}") from exc
        if cut and not keep_cut:
            raise hop.error(ResponseTooLarge, f"response larger than {hop.max_bytes} bytes")
        return content


class _Client(httpx.AsyncClient):
    """httpx's client without a jar of its own, whose requests go straight to its transport.

    Cookies live for one fetch (its redirect chain), in the fetch's jars (``_Hop.jar``),
    never across fetches: the client's jar only refused every cookie, after httpx had made
    a urllib request and an email message of every response for it (7 % of the
    instructions of a small fetch)."""

    def __init__(self, *, transport: httpx.AsyncHTTPTransport, **kwargs: Any) -> None:
        super().__init__(transport=transport, **kwargs)
        self._direct = transport

    async def start(self, request: httpx.Request) -> httpx.Response:
        """``send(request, stream=True)`` without the layers this fetcher does not use: an
        authentication flow, redirects (each hop is a fetch's own), event hooks, a cookie
        jar, proxies (trust_env is off, none is mounted) and an INFO log line that the
        daemon silences. The request, built by ``build_request``, carries the client's
        timeouts; the transport maps httpcore's errors to httpx's, as under ``send``."""
        response = await self._direct.handle_async_request(request)
        response.request = request  # the fetch's jar reads the cookies' origin from it
        return response

    @property
    def cookies(self) -> httpx.Cookies:
        return _NO_COOKIES

    @cookies.setter
    def cookies(self, cookies: object) -> None:
        pass  # httpx's __init__ sets it: there is nothing to keep


class _NoCookies(httpx.Cookies):
    """An empty jar that keeps nothing it is given."""

    def extract_cookies(self, response: httpx.Response) -> None:
        pass


_NO_COOKIES = _NoCookies()


def _parse_url(url: str) -> httpx.URL:
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise FetchError(url, f"not a valid URL ({exc})") from exc
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise FetchError(url, "not an http or https URL")
    return parsed


def _origin(url: httpx.URL) -> _Origin:
    return (url.scheme, url.host.lower(), url.port or (443 if url.scheme == "https" else 80))


def _redirect_target(hop: _Hop, answer: _Answer) -> httpx.URL:
    assert answer.location is not None
    try:
        return _parse_url(str(hop.url.join(answer.location)))
    except (FetchError, httpx.InvalidURL) as exc:
        raise hop.status_error(answer.status,
                               f"redirect to an unusable URL {answer.location!r}") from exc


def _refuse(error: type[FetchError], reason: str) -> RobotsRules:
    return RobotsRules(refusal=Refusal(error, reason))


# httpcore keeps a connection only when its exchange is complete: a response closed before
# its body was read closes its connection, so every 304 of a round of conditional requests
# opened a new one (987 connects for 1,000 feeds). A body known to be empty (204, 304) or
# small is read to its end instead; a failure there only costs the connection.
_DRAIN_LIMIT = 16 * 1024


async def _drain(response: httpx.Response, headers: dict[str, str]) -> None:
    length = headers.get("content-length", "")
    if response.status_code not in (204, 304) and not (
            length.isdigit() and int(length) <= _DRAIN_LIMIT):
        return
    try:
        async for _ in response.aiter_raw():
            pass
    except httpx.HTTPError:
        pass
