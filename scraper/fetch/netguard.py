"""The guard against server-side request forgery, enforced where the socket is opened.

A URL found in a feed or a redirect may name a host that resolves to the machine's own
network (a metadata service at 169.254.169.254, an admin page on 10.0.0.1, ...). Checking
the URL before the request is not enough: the name could resolve to something else a
moment later (DNS rebinding), and every redirect hop opens a new connection. So the check
lives in an httpcore network backend: it resolves the name once, refuses if any address is
not public, and connects to the very address it checked::

    pool = httpcore.AsyncConnectionPool(network_backend=ResolvingBackend(guard=True))
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable

import httpcore

__all__ = ["AddressBlocked", "NameNotResolved", "Resolver", "ResolvingBackend", "address_kind",
           "system_resolver"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]

_SHARED = ipaddress.IPv4Network("100.64.0.0/10")  # carrier-grade NAT, not private in ipaddress
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def address_kind(ip: IPAddress) -> str | None:
    """Say why ``ip`` must not be reached from a discovered URL, or None for a public address.

    >>> address_kind(ipaddress.ip_address("::ffff:10.0.0.5"))
    'private'
    """
    if isinstance(ip, ipaddress.IPv6Address):
        # An IPv6 address that carries an IPv4 one reaches that IPv4 host: judge the host.
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return address_kind(embedded)
        if ip.is_site_local:
            return "site-local"
    checks: Iterable[tuple[bool, str]] = (
        (ip.is_loopback, "loopback"),
        (ip.is_unspecified, "unspecified"),
        (ip.is_link_local, "link-local"),
        (ip.is_multicast, "multicast"),
        (isinstance(ip, ipaddress.IPv4Address) and ip in _SHARED, "shared"),
        (ip.is_reserved, "reserved"),
        (ip.is_private, "private"),
        (not ip.is_global, "non-public"),
    )
    return next((kind for hit, kind in checks if hit), None)


class AddressBlocked(Exception):
    """Raised from inside the connection pool; the fetcher names the URL."""

    def __init__(self, host: str, address: str, kind: str) -> None:
        self.host = host
        self.address = address
        self.kind = kind
        super().__init__(self.reason)

    @property
    def reason(self) -> str:
        advice = "; set allow_private_networks to allow it"
        if _same_address(self.host, self.address):
            return f"{self.address} is a {self.kind} address{advice}"
        return f"{self.host} resolves to {self.kind} address {self.address}{advice}"


class NameNotResolved(Exception):
    """The host name has no address (or the lookup failed)."""

    def __init__(self, host: str, detail: str) -> None:
        self.host = host
        self.detail = detail
        super().__init__(f"could not resolve host {host!r} ({detail})")


def _same_address(host: str, address: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")) == ipaddress.ip_address(address)
    except ValueError:
        return False


async def system_resolver(host: str, port: int) -> list[str]:
    """The addresses of ``host`` from the system resolver, in its order, without repeats."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class ResolvingBackend(httpcore.AsyncNetworkBackend):
    """Resolves each host itself and connects to a checked address.

    With ``guard=False`` it only resolves (so DNS errors read the same either way).
    """

    def __init__(self, *, guard: bool, resolver: Resolver | None = None,
                 inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self._guard = guard
        self._resolver = resolver or system_resolver
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self, host: str, port: int, timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await self._resolve(host, port, timeout)
        if self._guard:
            for address in addresses:
                kind = address_kind(ipaddress.ip_address(address))
                if kind is not None:
                    raise AddressBlocked(host, address, kind)
        last_error: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last_error = exc
        assert last_error is not None  # _resolve never returns an empty list
        raise last_error

    async def _resolve(self, host: str, port: int, timeout: float | None) -> list[str]:
        try:
            async with asyncio.timeout(timeout):
                addresses = await self._resolver(host, port)
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(f"DNS lookup of {host!r} timed out") from exc
        except OSError as exc:
            detail = exc.strerror if isinstance(exc, socket.gaierror) and exc.strerror else str(exc)
            raise NameNotResolved(host, detail) from exc
        if not addresses:
            raise NameNotResolved(host, "no address")
        return addresses

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("Unix sockets are not used by the fetcher")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)
