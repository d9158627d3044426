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
"""

from __future__ import annotations

import httpcore
from httpcore._async.interfaces import AsyncConnectionInterface

__all__ = ["ConnectionPool"]


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
