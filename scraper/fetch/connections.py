"""The HTTP/1.1 connection pool under the fetcher's clients: httpcore's, with a lighter way
of handing connections to requests.

httpcore's pool hands a queued request an idle connection that another request was given a
moment before and has not started on yet (it starts after a yield, when it takes the
connection's lock); both go, one finds the connection busy (ConnectionNotAvailable) and
queues again. With 16 requests in flight that was 2.5 hand-outs too many per request, each
one a walk over every connection that polls each idle socket, and a count of the idle ones
that walked the connections again for each. Here a connection promised to a request is not
promised again, and the pool is walked once per hand-out; what is closed, expired or
surplus and what is created are as in httpcore.

That walk also asks every idle connection whether its server closed it (its socket is
readable). httpcore's anyio stream found the socket for that through anyio's table of a
stream's attributes, built anew on each call with a getpeername syscall in it: about half
the cost of the walk. :class:`SocketBackend` gives streams that keep their socket at hand.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterable
from typing import Any

import httpcore
from httpcore._async.interfaces import AsyncConnectionInterface
from httpcore._utils import is_socket_readable

__all__ = ["ConnectionPool", "SocketBackend"]


class ConnectionPool(httpcore.AsyncConnectionPool):
    """httpcore.AsyncConnectionPool for HTTP/1.1 (a connection serves one request at a time)."""

    def _assign_requests_to_connections(self) -> list[AsyncConnectionInterface]:
        closing: list[AsyncConnectionInterface] = []
        connections = self._connections
        for connection in list(connections):
            if connection.is_closed():
                connections.remove(connection)
            # httpcore counts every connection against the keep-alive limit, not only the
            # idle ones (it walked them all to count them): kept as it is.
            elif connection.has_expired() or (
                    connection.is_idle() and len(connections) > self._max_keepalive_connections):
                connections.remove(connection)
                closing.append(connection)

        promised = {r.connection for r in self._requests if r.connection is not None}
        for pool_request in self._requests:
            if not pool_request.is_queued():
                continue
            origin = pool_request.request.url.origin
            found = next((c for c in connections if c not in promised
                          and c.can_handle_request(origin) and c.is_available()), None)
            if found is not None:
                connection = found
            else:
                if len(connections) >= self._max_connections:
                    idle = next((c for c in connections if c not in promised and c.is_idle()),
                                None)
                    if idle is None:
                        continue  # waits for a connection to be released
                    connections.remove(idle)
                    closing.append(idle)
                connection = self.create_connection(origin)
                connections.append(connection)
            pool_request.assign_to_connection(connection)
            promised.add(connection)
        return closing


class SocketBackend(httpcore.AsyncNetworkBackend):
    """httpcore's anyio backend, whose streams answer "is_readable" from their own socket."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self, host: str, port: int, timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        return _Stream(await self._inner.connect_tcp(
            host, port, timeout=timeout, local_address=local_address,
            socket_options=socket_options))

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        return _Stream(await self._inner.connect_unix_socket(
            path, timeout=timeout, socket_options=socket_options))

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _Stream(httpcore.AsyncNetworkStream):
    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner
        self._socket = inner.get_extra_info("socket")

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                        timeout: float | None = None) -> httpcore.AsyncNetworkStream:
        return _Stream(await self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            return is_socket_readable(self._socket)
        return self._inner.get_extra_info(info)
