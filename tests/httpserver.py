"""A real HTTP server on 127.0.0.1 for the tests: routes, scripted replies, and a log of
every request it saw (method, path, headers)."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]  # lower-cased names
    body: bytes = b""
    # time.monotonic() when the request was read: for politeness checks across processes,
    # where no clock can be injected (the gaps are compared, never the durations).
    received: float = field(default_factory=time.monotonic)


@dataclass
class Reply:
    """What the server answers. ``body`` may be an iterable of chunks; ``chunk_delay``
    seconds pass between chunks (only for tests of deadlines on a slow server)."""

    status: int = 200
    body: bytes | Iterable[bytes] = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = "text/html; charset=utf-8"
    chunk_delay: float = 0.0


Handler = Callable[[Request], Reply]
Route = Reply | list[Reply] | Handler


class _QuietServer(ThreadingHTTPServer):
    """Keeps handler errors in ``errors`` instead of printing them to stderr (where they would
    mix with the output of the commands under test). A client that hangs up early (the
    fetcher refusing a binary body or cutting a huge one off) is normal, not an error."""

    errors: list[BaseException]

    def handle_error(self, request: object, client_address: object) -> None:
        error = sys.exc_info()[1]
        if error is not None and not isinstance(error, ConnectionError | TimeoutError):
            self.errors.append(error)


class LoopbackServer:
    """Start with ``LoopbackServer()``; ``url(path)`` gives an absolute URL; ``route(path, r)``
    sets what a path answers: a Reply, a list of Replies served in turn (the last repeats),
    or a function of the Request. Unknown paths answer 404."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.requests: list[Request] = []
        self._routes: dict[str, Route] = {}
        self._served: dict[str, int] = {}
        self._lock = threading.Lock()
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Without this, keep-alive requests stall ~40 ms on delayed ACKs.
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: object) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = Request(
                    self.command, self.path,
                    {k.lower(): v for k, v in self.headers.items()}, body,
                )
                reply = server._reply_for(request)
                self.send_response(reply.status)
                headers = dict(reply.headers)
                if reply.content_type and "Content-Type" not in headers:
                    headers["Content-Type"] = reply.content_type
                chunks: Iterable[bytes]
                if isinstance(reply.body, bytes):
                    headers.setdefault("Content-Length", str(len(reply.body)))
                    chunks = [reply.body]
                else:
                    headers.setdefault("Connection", "close")
                    chunks = reply.body
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                if self.command == "HEAD":
                    return
                try:
                    for chunk in chunks:
                        self.wfile.write(chunk)
                        self.wfile.flush()
                        if reply.chunk_delay:
                            time.sleep(reply.chunk_delay)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                if "Content-Length" not in headers:
                    self.close_connection = True

            do_GET = do_POST = do_HEAD = _handle

        self._httpd = _QuietServer((host, 0), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.errors = []
        self.port = self._httpd.server_address[1]
        self.base = f"http://{host}:{self.port}"
        # A short poll interval keeps shutdown (once per test) from costing half a second.
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True,
                                        kwargs={"poll_interval": 0.05})
        self._thread.start()

    def url(self, path: str) -> str:
        return self.base + path

    def route(self, path: str, route: Route) -> None:
        with self._lock:
            self._routes[path] = route
            self._served[path] = 0

    def requests_for(self, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def _reply_for(self, request: Request) -> Reply:
        with self._lock:
            self.requests.append(request)
            route = self._routes.get(request.path)
            if route is None:
                route = self._routes.get(request.path.split("?", 1)[0])
            if route is None:
                return Reply(404, b"not found", content_type="text/plain")
            if isinstance(route, Reply):
                return route
            if isinstance(route, list):
                index = min(self._served.get(request.path, 0), len(route) - 1)
                self._served[request.path] = index + 1
                return route[index]
        return route(request)

    @property
    def errors(self) -> list[BaseException]:
        """Unexpected exceptions raised while handling requests (a test bug or server bug)."""
        return self._httpd.errors

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
