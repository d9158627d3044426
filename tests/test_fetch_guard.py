"""The guard against server-side request forgery: every hop's resolved address is checked
when the connection is opened. The loopback test server stands for the private network;
no test here sends anything to any other address."""

from __future__ import annotations

import asyncio
import ipaddress
import re
from collections.abc import Iterable
from dataclasses import replace

import httpcore
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scraper.errors import BlockedAddress
from scraper.fetch.netguard import AddressBlocked, ResolvingBackend, address_kind
from tests.httpserver import LoopbackServer, Reply
from tests.test_fetch_support import HTML, QUICK, fetch_once, make_fetcher, paths, run

ADVICE = "; set allow_private_networks to allow it"


async def loopback_names(host: str, port: int) -> list[str]:
    """A resolver for made-up names that all point at the test server."""
    assert host.endswith(".example"), host
    return ["127.0.0.1"]


@pytest.mark.parametrize("respect_robots", [True, False])
def test_discovered_loopback_url_is_refused_before_any_request(
        server: LoopbackServer, respect_robots: bool) -> None:
    server.route("/story", Reply(body=HTML))

    with pytest.raises(BlockedAddress) as caught:
        fetch_once(server.url("/story"), replace(QUICK, respect_robots=respect_robots))

    assert caught.value.url == server.url("/story")
    assert caught.value.reason == "127.0.0.1 is a loopback address" + ADVICE
    assert not caught.value.transient
    assert server.requests == []


def test_ipv4_mapped_ipv6_loopback_is_refused(server: LoopbackServer) -> None:
    url = f"http://[::ffff:127.0.0.1]:{server.port}/story"

    with pytest.raises(BlockedAddress) as caught:
        fetch_once(url)

    assert caught.value.reason == "::ffff:127.0.0.1 is a loopback address" + ADVICE
    assert server.requests == []


def test_name_resolving_to_loopback_is_refused(server: LoopbackServer) -> None:
    with pytest.raises(BlockedAddress) as caught:
        fetch_once(f"http://localhost:{server.port}/story")

    assert re.fullmatch(r"localhost resolves to loopback address (127\.0\.0\.1|::1)"
                        + re.escape(ADVICE), caught.value.reason)
    assert server.requests == []


def test_typed_url_is_fetched_but_its_redirect_elsewhere_is_not(
        server: LoopbackServer) -> None:
    server.route("/go", Reply(302, headers={"Location": f"http://localhost:{server.port}/x"}))

    with pytest.raises(BlockedAddress) as caught:
        fetch_once(server.url("/go"), trusted=True)

    assert caught.value.url == server.url("/go")
    assert caught.value.reason.startswith("localhost resolves to loopback address ")
    assert caught.value.reason.endswith(
        f"{ADVICE} (after redirect to http://localhost:{server.port}/x)")
    assert paths(server) == ["/robots.txt", "/go"]


def test_typed_urls_redirect_to_its_own_url_is_guarded(server: LoopbackServer) -> None:
    server.route("/go", Reply(302, headers={"Location": "/story"}))
    server.route("/story", Reply(body=HTML))

    with pytest.raises(BlockedAddress) as caught:
        fetch_once(server.url("/go"), trusted=True)

    assert caught.value.reason == (f"127.0.0.1 is a loopback address{ADVICE} "
                                   f"(after redirect to {server.url('/story')})")
    assert paths(server) == ["/robots.txt", "/go"]


def test_same_host_redirect_cannot_rebind_to_a_private_address(
        server: LoopbackServer) -> None:
    # The typed name first resolves to the test server, then (DNS rebinding) to the
    # cloud metadata address: the redirect hop must be checked though its origin is the same.
    answers = [["127.0.0.1"], ["169.254.169.254"]]
    seen: list[str] = []

    async def rebinding(host: str, port: int) -> list[str]:
        seen.append(host)
        return answers[min(len(seen), len(answers)) - 1]

    server.route("/go", Reply(302, headers={"Location": "/metadata"}))
    url = f"http://evil.example:{server.port}/go"

    with pytest.raises(BlockedAddress) as caught:
        fetch_once(url, replace(QUICK, respect_robots=False), trusted=True,
                   fetcher_kwargs={"resolver": rebinding})

    assert caught.value.reason == (
        f"evil.example resolves to link-local address 169.254.169.254{ADVICE} "
        f"(after redirect to http://evil.example:{server.port}/metadata)")
    assert seen == ["evil.example", "evil.example"]
    assert paths(server) == ["/go"]


def test_redirect_to_another_port_of_the_same_host_is_guarded(server: LoopbackServer) -> None:
    other = LoopbackServer()
    try:
        server.route("/go", Reply(302, headers={"Location": other.url("/admin")}))
        other.route("/admin", Reply(body=HTML))

        with pytest.raises(BlockedAddress) as caught:
            fetch_once(server.url("/go"), trusted=True)

        assert caught.value.reason == (f"127.0.0.1 is a loopback address{ADVICE} "
                                       f"(after redirect to {other.url('/admin')})")
        assert other.requests == []
    finally:
        other.close()


def test_names_are_checked_by_what_they_resolve_to(server: LoopbackServer) -> None:
    server.route("/story", Reply(body=HTML))
    server.route("/go", Reply(302, headers={"Location": f"http://cdn.example:{server.port}/x"}))
    resolver = {"resolver": loopback_names}

    typed = fetch_once(f"http://news.example:{server.port}/story", trusted=True,
                       fetcher_kwargs=resolver)
    with pytest.raises(BlockedAddress) as caught:
        fetch_once(f"http://news.example:{server.port}/go", trusted=True,
                   fetcher_kwargs=resolver)

    assert typed.content == HTML  # the typed host is exempt
    assert caught.value.reason == (
        f"cdn.example resolves to loopback address 127.0.0.1{ADVICE} "
        f"(after redirect to http://cdn.example:{server.port}/x)")
    assert server.requests[-1].headers["host"] == f"news.example:{server.port}"


def test_allow_private_networks_per_call_or_in_settings(server: LoopbackServer) -> None:
    server.route("/story", Reply(body=HTML))

    assert fetch_once(server.url("/story"), allow_private_networks=True).content == HTML
    allowed = replace(QUICK, allow_private_networks=True)
    assert fetch_once(server.url("/story"), allowed).content == HTML
    with pytest.raises(BlockedAddress):
        fetch_once(server.url("/story"), allowed, allow_private_networks=False)


def test_a_trusted_connection_is_not_reused_for_a_discovered_url(
        server: LoopbackServer) -> None:
    server.route("/story", Reply(body=HTML))

    async def go() -> str:
        async with make_fetcher() as fetcher:
            await fetcher.fetch(server.url("/story"), trusted=True)
            try:
                await fetcher.fetch(server.url("/story"))
            except BlockedAddress as exc:
                return exc.reason
        return "fetched"

    assert run(go()) == "127.0.0.1 is a loopback address" + ADVICE
    assert paths(server) == ["/robots.txt", "/story"]


class _RecordingBackend(httpcore.AsyncNetworkBackend):
    """Stands in for the socket layer: records where it was asked to connect."""

    def __init__(self) -> None:
        self.connects: list[tuple[str, int]] = []

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
                          ) -> httpcore.AsyncNetworkStream:
        self.connects.append((host, port))
        return httpcore.AsyncMockStream([])


def _backend_connect(answer: list[str], guard: bool = True) -> list[tuple[str, int]]:
    inner = _RecordingBackend()

    async def resolver(host: str, port: int) -> list[str]:
        return answer

    backend = ResolvingBackend(guard=guard, resolver=resolver, inner=inner)
    asyncio.run(backend.connect_tcp("news.example", 443))
    return inner.connects


def test_backend_connects_to_the_address_it_checked() -> None:
    assert _backend_connect(["93.184.215.14"]) == [("93.184.215.14", 443)]


def test_backend_refuses_when_any_address_is_private() -> None:
    with pytest.raises(AddressBlocked) as caught:
        _backend_connect(["93.184.215.14", "10.1.2.3"])

    assert caught.value.reason == "news.example resolves to private address 10.1.2.3" + ADVICE


def test_backend_without_guard_only_resolves() -> None:
    assert _backend_connect(["10.1.2.3"], guard=False) == [("10.1.2.3", 443)]


@pytest.mark.parametrize(("address", "kind"), [
    ("8.8.8.8", None),
    ("93.184.215.14", None),
    ("2606:4700:4700::1111", None),
    ("::ffff:8.8.8.8", None),
    ("127.0.0.1", "loopback"),
    ("127.255.0.9", "loopback"),
    ("10.0.0.5", "private"),
    ("172.16.3.4", "private"),
    ("192.168.1.1", "private"),
    ("169.254.169.254", "link-local"),
    ("100.64.0.1", "shared"),
    ("100.127.255.254", "shared"),
    ("224.0.0.251", "multicast"),
    ("239.255.255.250", "multicast"),
    ("0.0.0.0", "unspecified"),
    ("240.0.0.1", "reserved"),
    ("255.255.255.255", "reserved"),
    ("192.0.2.10", "private"),  # documentation range
    ("198.18.0.1", "private"),  # benchmarking range
    ("::1", "loopback"),
    ("::", "unspecified"),
    ("fe80::1", "link-local"),
    ("fc00::1", "private"),
    ("fd12:3456::1", "private"),
    ("fec0::1", "site-local"),
    ("ff02::1", "multicast"),
    ("::ffff:127.0.0.1", "loopback"),
    ("::ffff:10.0.0.1", "private"),
    ("::ffff:169.254.169.254", "link-local"),
    ("2002:7f00:1::", "loopback"),  # 6to4 of 127.0.0.1
    ("2002:a00:1::", "private"),  # 6to4 of 10.0.0.1
    ("64:ff9b::7f00:1", "loopback"),  # NAT64 of 127.0.0.1
    ("64:ff9b::a9fe:a9fe", "link-local"),  # NAT64 of 169.254.169.254
    ("::127.0.0.1", "reserved"),  # the old IPv4-compatible form
    ("2001:db8::1", "private"),  # documentation range
])
def test_address_kinds(address: str, kind: str | None) -> None:
    assert address_kind(ipaddress.ip_address(address)) == kind


@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_an_ipv4_address_and_its_mapped_form_are_judged_alike(number: int) -> None:
    v4 = ipaddress.IPv4Address(number)
    mapped = ipaddress.IPv6Address(f"::ffff:{v4}")

    assert address_kind(mapped) == address_kind(v4)


@given(st.integers(min_value=0, max_value=2**128 - 1))
def test_every_ipv6_address_is_judged(number: int) -> None:
    kind = address_kind(ipaddress.IPv6Address(number))

    assert kind in (None, "loopback", "unspecified", "link-local", "multicast", "shared",
                    "reserved", "private", "non-public", "site-local")
