"""A loopback stand-in for the two Google News endpoints that resolve an article link.

- `GET /rss/articles/{token}` (also `/articles/{token}`): the article page. Its `<c-wiz>` holds a
  `<div jscontroller … data-n-a-id data-n-a-ts data-n-a-sg>` with a timestamp and a signature the
  server made for that token (an HMAC here), and a script that would send a browser on.
- `POST /_/DotsSplashUi/data/batchexecute`: the form field `f.req` holds
  `[[["Fbv4je", "<inner JSON>", null, "<id>"], …]]`, inner = `["garturlreq", <context>, token,
  timestamp, signature]`. The answer is `)]}'`, a blank line and one JSON array: per entry
  `["wrb.fr","Fbv4je","[\\"garturlres\\",\\"<url>\\",1]",null,null,null,"<id>"]`, or, for an entry
  whose token is unknown or whose signature does not match, `["wrb.fr","Fbv4je",null,null,null,[3],
  "<id>"]`; then `["di",<ms>]` and `["af.httprm",<ms>,"<id>",<n>]`. With `rt=c` in the query the
  same rows come as the chunked framing: a length line before each JSON array.

Scripted faults (`fault`): "429" (every request answered 429 with `Retry-After`), "sorry" (the page
is a 200 without the attributes, as Google's "sorry"/consent pages are), "batch-format" (the answer's
rows carry another RPC's shape), "batch-500". `refuse` holds tokens the batch call refuses.
`robots_txt` is served when set (else robots.txt is absent). `delay` adds latency to every answer.
`requests` records what crossed the wire; `entries_per_batch` the size of each batch call.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

LINK_BASE = "https://news.google.com"
_KEY = b"loopback-google-news"


@dataclass
class Request:
    method: str
    path: str
    at: float


def opaque_token(seed: str | None = None) -> str:
    """A token of the 2024 kind: base64url of `08 13 22 <len> "AU_yqL…"` (no URL inside)."""
    inner = b"AU_yqL" + (seed or secrets.token_urlsafe(60)).encode()[:150]
    size = len(inner)
    length = bytes([size]) if size < 0x80 else bytes([size & 0x7F | 0x80, size >> 7])  # a protobuf varint
    raw = b"\x08\x13\x22" + length + inner + b"\xd2\x01\x00"
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def signature(token: str, timestamp: int) -> str:
    digest = hmac.new(_KEY, f"{token}:{timestamp}".encode(), hashlib.sha256).digest()
    return "AU_yqL" + base64.urlsafe_b64encode(digest).decode().rstrip("=")


class GoogleNewsFake:
    """`with GoogleNewsFake() as g: link = g.publish("https://outlet/1")`; point the resolver at `g.base_url`."""

    def __init__(self, *, delay: float = 0.0) -> None:
        self.articles: dict[str, str] = {}  # token → publisher URL
        self.refuse: set[str] = set()
        self.fault: str | None = None
        self.retry_after = 1
        self.robots_txt: str | None = None  # None: robots.txt is absent (404)
        self.delay = delay
        self.requests: list[Request] = []
        self.entries_per_batch: list[int] = []
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def _send(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def _begin(self) -> bool:
                with fake._lock:
                    fake.requests.append(Request(self.command, self.path, time.time()))
                if fake.delay:
                    time.sleep(fake.delay)
                if fake.fault == "429" and not self.path.startswith("/robots.txt"):
                    self._send(
                        429,
                        b"<html><body>Too Many Requests</body></html>",
                        "text/html; charset=UTF-8",
                        {"Retry-After": str(fake.retry_after)},
                    )
                    return False
                return True

            def do_GET(self) -> None:
                if not self._begin():
                    return
                path = urlsplit(self.path).path
                if path == "/robots.txt":
                    if fake.robots_txt is None:
                        self._send(404, b"", "text/plain")
                    else:
                        self._send(200, fake.robots_txt.encode(), "text/plain")
                    return
                for prefix in ("/rss/articles/", "/articles/"):
                    if path.startswith(prefix) and len(path) > len(prefix):
                        self._send(200, fake.article_page(path[len(prefix) :]).encode(), "text/html; charset=utf-8")
                        return
                self._send(404, b"<html><body>Not Found</body></html>", "text/html; charset=utf-8")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = self.rfile.read(length).decode("utf-8", "replace")
                if not self._begin():
                    return
                parts = urlsplit(self.path)
                if parts.path != "/_/DotsSplashUi/data/batchexecute":
                    self._send(404, b"Not Found", "text/html")
                    return
                if fake.fault == "batch-500":
                    self._send(500, b"<html><body>Error 500</body></html>", "text/html")
                    return
                try:
                    calls = json.loads(parse_qs(form)["f.req"][0])[0]
                except (KeyError, IndexError, ValueError):
                    self._send(400, b')]}\'\n\n[["er",null,null,null,null,400]]', "application/json; charset=utf-8")
                    return
                chunked = "c" in parse_qs(parts.query).get("rt", [])
                body = fake.batch_answer(calls, chunked=chunked)
                self._send(200, body.encode(), "application/json; charset=utf-8")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    # -- content ------------------------------------------------------------------------------------

    def publish(self, publisher_url: str, *, seed: str | None = None) -> str:
        """A new Google News link (as a feed carries it) that resolves to `publisher_url`."""
        token = opaque_token(seed)
        self.articles[token] = publisher_url
        return f"{LINK_BASE}/rss/articles/{token}?oc=5"

    def article_page(self, token: str) -> str:
        if self.fault == "sorry":
            return (
                "<html><head><title>Google</title></head><body><div id='infoDiv'>Our systems have detected "
                "unusual traffic from your computer network.</div></body></html>"
            )
        timestamp = int(time.time())
        return f"""<!doctype html><html lang="ko" dir="ltr"><head><base href="https://news.google.com/">
<meta name="referrer" content="origin"><title>Google 뉴스</title>
<script nonce="n">window.WIZ_global_data = {{"sdch": "x"}};</script></head>
<body jscontroller="ndVBn" data-hl="ko"><c-wiz jsrenderer="p5fYVb" jsshadow jsdata="deferred-i1"
 data-p="%.@.]" jsmodel="hc6Ubd" c-wiz><div jscontroller="aLI87" jsname="hXVQie" jsaction="rcuQ6b:npT2md"
 data-n-a-id="{token}" data-n-a-ts="{timestamp}" data-n-a-sg="{signature(token, timestamp)}"
 data-n-a-ac=""></div><c-data id="i1" jsdata=" Xzjuc;_;1"></c-data></c-wiz>
<script nonce="n">this.gbar_=this.gbar_||{{}};</script></body></html>"""

    def batch_answer(self, calls: list[list[object]], *, chunked: bool = False) -> str:
        rows: list[list[object]] = []
        with self._lock:
            self.entries_per_batch.append(len(calls))
        for call in calls:
            entry_id = call[3] if len(call) > 3 else "generic"
            if self.fault == "batch-format":
                rows.append(["wrb.fr", "Xq7nHd", json.dumps(["articleurlres", None]), None, None, None, entry_id])
                continue
            url = self._resolve(call)
            if url is None:
                rows.append(["wrb.fr", call[0], None, None, None, [3], entry_id])
            else:
                rows.append(["wrb.fr", call[0], json.dumps(["garturlres", url, 1]), None, None, None, entry_id])
        tail = [["di", 23], ["af.httprm", 22, "-4184213546721736120", 14]]
        if not chunked:
            return ")]}'\n\n" + json.dumps([*rows, *tail], separators=(",", ":"))
        chunks = [json.dumps([row], separators=(",", ":")) for row in rows] + [json.dumps(tail, separators=(",", ":"))]
        return ")]}'\n" + "".join(f"\n{len(chunk) + 1}\n{chunk}" for chunk in chunks) + "\n"

    def _resolve(self, call: list[object]) -> str | None:
        if call[0] != "Fbv4je" or not isinstance(call[1], str):
            return None
        try:
            inner = json.loads(call[1])
            name, _context, token, timestamp, sig = inner
        except ValueError:
            return None
        if name != "garturlreq" or token in self.refuse or token not in self.articles:
            return None
        if not isinstance(timestamp, int) or sig != signature(token, timestamp):
            return None
        return self.articles[token]

    # -- bookkeeping -----------------------------------------------------------------------------------

    def count(self, method: str, prefix: str = "/") -> int:
        with self._lock:
            return sum(1 for r in self.requests if r.method == method and r.path.startswith(prefix))

    def start(self) -> GoogleNewsFake:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> GoogleNewsFake:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
