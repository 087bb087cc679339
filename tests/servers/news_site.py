"""A fake news site: a real HTTP server on loopback that serves a table of routes.

Each route is a `Page` (bytes, content type, status, headers, delay). Tests change the table while
the server runs (new articles appear) and read `requests` to see what crossed the wire. One server
can stand for several outlets: routes are plain paths, so give each outlet its own prefix.

Misbehaving sites: `Page.stream` produces a body piece by piece (huge or endless, sent chunked unless
a Content-Length header is given), `chunk_delay` trickles it, `drop` closes the connection without
an answer. POST is answered from the same table (the body sent is in `Request.body`).
`max_in_flight` is the most requests the server was handling at once; `bytes_sent` counts
the body bytes written per path.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Page:
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    stream: Callable[[], Iterable[bytes]] | None = None  # body made piece by piece, instead of `body`
    chunk_delay: float = 0.0  # pause before each streamed piece
    drop: bool = False  # close the connection without sending a response


class _QuietServer(ThreadingHTTPServer):
    """A client that hangs up (a fetcher stopping at its size cap) is normal here, not a traceback."""

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    at: float
    body: bytes = b""  # what a POST sent


class NewsSite:
    """`with NewsSite() as site: site.add('/list', Page(...)); site.url('/list')`."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.routes: dict[str, Page | Callable[[Request], Page]] = {}
        self.requests: list[Request] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.bytes_sent: dict[str, int] = {}
        self._lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # quiet
                pass

            def _serve(self, head_only: bool) -> None:
                with site._lock:
                    site.in_flight += 1
                    site.max_in_flight = max(site.max_in_flight, site.in_flight)
                try:
                    self._answer(head_only)
                finally:
                    with site._lock:
                        site.in_flight -= 1

            def _count(self, n: int) -> None:
                path = self.path.split("?")[0]
                with site._lock:
                    site.bytes_sent[path] = site.bytes_sent.get(path, 0) + n

            def _write_stream(self, page: Page) -> None:
                chunked = "content-length" not in {k.lower() for k in page.headers}
                assert page.stream is not None
                for piece in page.stream():
                    if page.chunk_delay:
                        time.sleep(page.chunk_delay)
                    if not piece:
                        continue
                    if chunked:
                        self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                    else:
                        self.wfile.write(piece)
                    self._count(len(piece))
                if chunked:
                    self.wfile.write(b"0\r\n\r\n")

            def _answer(self, head_only: bool) -> None:
                length = int(self.headers.get("Content-Length") or 0) if self.command == "POST" else 0
                sent = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                req = Request(self.command, self.path, headers, time.time(), sent)
                with site._lock:
                    site.requests.append(req)
                    route = site.routes.get(self.path) or site.routes.get(self.path.split("?")[0])
                page = route(req) if callable(route) else route
                if page is None:
                    page = Page(b"<html><body>not found</body></html>", status=404)
                if page.delay:
                    time.sleep(page.delay)
                if page.drop:
                    self.close_connection = True
                    return
                try:
                    self.send_response(page.status)
                    if page.content_type:
                        self.send_header("Content-Type", page.content_type)
                    for k, v in page.headers.items():
                        self.send_header(k, v)
                    if page.stream is not None:
                        if "content-length" not in {k.lower() for k in page.headers}:
                            self.send_header("Transfer-Encoding", "chunked")
                    elif "content-length" not in {k.lower() for k in page.headers}:
                        self.send_header("Content-Length", str(len(page.body)))
                    self.end_headers()
                    if head_only:
                        return
                    if page.stream is not None:
                        self._write_stream(page)
                    else:
                        self.wfile.write(page.body)
                        self._count(len(page.body))
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

            def do_GET(self) -> None:
                self._serve(head_only=False)

            def do_HEAD(self) -> None:
                self._serve(head_only=True)

            def do_POST(self) -> None:
                self._serve(head_only=False)

        self._server = _QuietServer((host, port), Handler)
        self._server.daemon_threads = True
        self.host, self.port = self._server.server_address[:2]
        # A short poll interval so stop() returns at once instead of after up to half a second.
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def url(self, path: str = "/") -> str:
        return f"http://{self.host}:{self.port}{path}"

    def add(self, path: str, page: Page | Callable[[Request], Page]) -> None:
        with self._lock:
            self.routes[path] = page

    def hits(self, path: str) -> int:
        with self._lock:
            return sum(1 for r in self.requests if r.path == path)

    def start(self) -> NewsSite:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> NewsSite:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
