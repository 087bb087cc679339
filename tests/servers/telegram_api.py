"""A fake Telegram Bot API server: a real HTTP server on loopback that answers like api.telegram.org.

What it mimics (as documented at core.telegram.org/bots/api and measured against the real server):

- routes ``POST /bot<token>/<method>``, method names case-insensitive; 404 for other paths and unknown
  methods, 401 for a wrong token;
- bodies: empty, ``application/x-www-form-urlencoded`` (what PTB sends), JSON, and the query string;
  object-valued fields (``link_preview_options``, ``reply_markup``, ...) are JSON-decoded;
- the envelope: ``{"ok": true, "result": ...}`` with 200, errors with HTTP status == ``error_code``;
- ``sendMessage``/``editMessageText`` check the chat (unknown → 400 "chat not found", bot not in the
  channel → 403), parse ``parse_mode=HTML`` like tdlib (same error texts, UTF-8 byte offsets), trim,
  count the visible text in code points (4096), and return a channel post Message;
- ``getUpdates`` long-polls and honours ``offset``; tests queue updates with `push_update` /
  `push_command`.

Every request is recorded in `calls` (also the failed and dropped ones). Faults are scripted per method
as a queue consumed by the next calls (`fail_next`), and a per-chat flood limit can be enforced
(`rate_limit=(20, 60.0)`), answering 429 with ``retry_after`` like the real server.

    with TelegramApiServer() as tg:
        request = HTTPXRequest(httpx_kwargs={"trust_env": False})
        bot = telegram.Bot(tg.token, base_url=tg.base_url, request=request)
        tg.fail_next("sendMessage", Fault.retry_after(1), Fault.drop_after())
        ...
        assert tg.sent_messages(tg.channel_id) == [...]
"""

from __future__ import annotations

import contextlib
import json
import math
import socket
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

DEFAULT_TOKEN = "123456789:AAF-fake-token-for-tests_xyzXYZ0123456"
CHANNEL_ID = -1001234567890
CHANNEL_USERNAME = "gwangju_ai_test"
ADMIN_ID = 111111111
MAX_TEXT_LENGTH = 4096
MAX_RAW_TEXT_BYTES = 32768

# Lower-cased name → canonical camelCase name, for the methods this fake implements.
METHODS = {
    m.lower(): m
    for m in (
        "getMe",
        "deleteWebhook",
        "getUpdates",
        "sendMessage",
        "editMessageText",
        "deleteMessage",
        "setMyCommands",
        "getMyCommands",
        "sendChatAction",
        "getChat",
        "logOut",
        "close",
    )
}
_OBJECT_FIELDS = {
    "link_preview_options",
    "reply_markup",
    "reply_parameters",
    "entities",
    "allowed_updates",
    "commands",
    "scope",
}
_INT_FIELDS = {"message_id", "offset", "limit", "timeout", "message_thread_id"}
_BOOL_FIELDS = {
    "disable_notification",
    "protect_content",
    "drop_pending_updates",
    "disable_web_page_preview",
    "allow_paid_broadcast",
}

_STATUS_PREFIX = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    429: "Too Many Requests",
    500: "Internal Server Error",
}


class ApiError(Exception):
    """An error answer: HTTP status == error_code, description, optional parameters."""

    def __init__(self, status: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters or {}


# -- faults ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fault:
    """One scripted misbehaviour for one call. Build with the class methods.

    kind: "error" (answer `status`/`description`/`parameters` without processing), "drop_before"
    (close the connection without processing or answering), "drop_after" (process the call, then close
    without answering: the message exists but the client never hears of it), "slow" (process, then
    answer after `delay` seconds; with ``process_first=False`` wait before processing).
    """

    kind: str
    status: int = 0
    description: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)
    delay: float = 0.0
    process_first: bool = True
    body: bytes | None = None  # raw body instead of JSON (e.g. an HTML 502 page from a proxy)

    @classmethod
    def retry_after(cls, seconds: int) -> Fault:
        return cls("error", 429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds})

    @classmethod
    def server_error(cls, status: int = 500) -> Fault:
        prefix = _STATUS_PREFIX.get(status, "Internal Server Error")
        return cls("error", status, prefix if status != 500 else "Internal Server Error: internal error")

    @classmethod
    def bad_gateway_html(cls) -> Fault:
        return cls("error", 502, "Bad Gateway", body=b"<html><body><h1>502 Bad Gateway</h1></body></html>")

    @classmethod
    def drop_before(cls) -> Fault:
        return cls("drop_before")

    @classmethod
    def drop_after(cls) -> Fault:
        return cls("drop_after")

    @classmethod
    def slow(cls, delay: float, *, process_first: bool = True) -> Fault:
        return cls("slow", delay=delay, process_first=process_first)

    @classmethod
    def forbidden(cls, description: str = "Forbidden: bot is not a member of the channel chat") -> Fault:
        return cls("error", 403, description)

    @classmethod
    def chat_not_found(cls) -> Fault:
        return cls("error", 400, "Bad Request: chat not found")

    @classmethod
    def bad_request(cls, description: str) -> Fault:
        return cls(
            "error", 400, description if description.startswith("Bad Request") else f"Bad Request: {description}"
        )

    @classmethod
    def migrated(cls, new_chat_id: int) -> Fault:
        return cls(
            "error",
            400,
            "Bad Request: group chat was upgraded to a supergroup chat",
            {"migrate_to_chat_id": new_chat_id},
        )


# -- records -----------------------------------------------------------------------------------------


@dataclass
class Call:
    """One request as it arrived. `status` is the HTTP status answered (None: connection dropped)."""

    method: str
    params: dict[str, Any]
    token: str
    at: float
    status: int | None = None
    fault: str | None = None
    description: str | None = None


@dataclass
class Chat:
    """A chat the fake knows. `bot_status`: "administrator" (may post), "member", "left", "kicked"."""

    id: int
    type: str = "channel"
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    bot_status: str = "administrator"

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.title is not None:
            data["title"] = self.title
        if self.username is not None:
            data["username"] = self.username
        if self.first_name is not None:
            data["first_name"] = self.first_name
        return data


@dataclass
class StoredMessage:
    """A message the bot sent, with its current content (after edits)."""

    chat_id: int
    message_id: int
    html: str  # the raw text as last submitted
    sent_html: str  # the raw text of the original send
    text: str  # visible text after HTML parsing
    entities: list[dict[str, Any]]
    date: int
    edits: int = 0
    link_preview_options: dict[str, Any] | None = None
    reply_to: int | None = None  # the message id it replies to
    deleted: bool = False


# -- HTML parse mode, after tdlib's parse_html ---------------------------------------------------------

_SUPPORTED_TAGS = {
    "a",
    "b",
    "strong",
    "i",
    "em",
    "s",
    "strike",
    "del",
    "u",
    "ins",
    "tg-spoiler",
    "tg-emoji",
    "span",
    "pre",
    "code",
    "blockquote",
    "tg-time",
}
_ENTITY_TYPE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "code": "code",
    "pre": "pre",
    "tg-emoji": "custom_emoji",
    "tg-time": "date_time",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def _utf16_len(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


def _decode_entity(text: str, i: int) -> tuple[str, int] | None:
    """Decode the HTML entity at text[i] == '&'; None when it is not a supported one (kept literally)."""
    end = text.find(";", i + 1, i + 12)
    if end < 0:
        return None
    name = text[i + 1 : end]
    if name.startswith("#"):
        try:
            code = int(name[2:], 16) if name[1:2] in ("x", "X") else int(name[1:])
        except ValueError:
            return None
        if not 0 < code < 0x110000 or 0xD800 <= code < 0xE000:
            return None
        return chr(code), end + 1
    if name in _NAMED_ENTITIES:
        return _NAMED_ENTITIES[name], end + 1
    return None


def _decode_attr(value: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(value):
        if value[i] == "&" and (decoded := _decode_entity(value, i)):
            out.append(decoded[0])
            i = decoded[1]
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


class _Cursor:
    """Walks a str while tracking the UTF-8 byte offset, which tdlib's error messages report."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        self._byte_at = [0]
        for ch in text:
            self._byte_at.append(self._byte_at[-1] + len(ch.encode("utf-8")))

    def byte(self, i: int) -> int:
        return self._byte_at[i]


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Return (visible text, entities) like tdlib, or raise ApiError 400 "can't parse entities: ..."."""

    def fail(message: str) -> ApiError:
        return ApiError(400, f"Bad Request: can't parse entities: {message}")

    cur = _Cursor(text)
    n = len(text)
    out: list[str] = []
    out_utf16 = 0
    stack: list[tuple[str, int, dict[str, str]]] = []  # tag name, utf16 start, attributes
    entities: list[dict[str, Any]] = []
    i = 0
    while i < n:
        ch = text[i]
        if ch == "&":
            decoded = _decode_entity(text, i)
            piece, i = (decoded[0], decoded[1]) if decoded else ("&", i + 1)
            out.append(piece)
            out_utf16 += _utf16_len(piece)
            continue
        if ch != "<":
            out.append(ch)
            out_utf16 += _utf16_len(ch)
            i += 1
            continue
        begin = i
        i += 1
        if i < n and text[i] == "/":
            if not stack:
                raise fail(f"Unexpected end tag at byte offset {cur.byte(begin)}")
            i += 1
            while i < n and not text[i].isspace() and text[i] != ">":
                i += 1
            end_name = text[begin + 2 : i].lower()
            while i < n and text[i].isspace():
                i += 1
            if i >= n or text[i] != ">":
                raise fail(f"Unclosed end tag at byte offset {cur.byte(begin)}")
            i += 1
            name, start, open_attrs = stack[-1]
            if end_name and end_name != name:
                raise fail(
                    f'Unmatched end tag at byte offset {cur.byte(begin)}, expected "</{name}>", found "</{end_name}>"'
                )
            stack.pop()
            length = out_utf16 - start
            if length > 0:
                entities.append(_entity(name, start, length, open_attrs))
            continue
        while i < n and not text[i].isspace() and text[i] != ">":
            i += 1
        if i >= n:
            raise fail(f"Unclosed start tag at byte offset {cur.byte(begin)}")
        name = text[begin + 1 : i].lower()
        if name not in _SUPPORTED_TAGS:
            raise fail(f'Unsupported start tag "{name}" at byte offset {cur.byte(begin)}')
        attrs: dict[str, str] = {}
        while True:
            while i < n and text[i].isspace():
                i += 1
            if i >= n:
                raise fail(f"Unclosed start tag at byte offset {cur.byte(begin)}")
            if text[i] == ">":
                i += 1
                break
            attr_begin = i
            while i < n and not text[i].isspace() and text[i] not in "=>":
                i += 1
            attr_name = text[attr_begin:i].lower()
            if not attr_name:
                raise fail(f'Empty attribute name in the tag "{name}" at byte offset {cur.byte(begin)}')
            while i < n and text[i].isspace():
                i += 1
            if i < n and text[i] == "=":
                i += 1
                while i < n and text[i].isspace():
                    i += 1
                if i >= n:
                    raise fail(f'Unclosed start tag "{name}" at byte offset {cur.byte(begin)}')
                if text[i] in "\"'":
                    quote = text[i]
                    close = text.find(quote, i + 1)
                    if close < 0:
                        raise fail(
                            f'Unclosed end of attribute value of the tag "{name}" at byte offset {cur.byte(begin)}'
                        )
                    value = text[i + 1 : close]
                    i = close + 1
                else:
                    value_begin = i
                    while i < n and not text[i].isspace() and text[i] != ">":
                        i += 1
                    value = text[value_begin:i]
                attrs[attr_name] = _decode_attr(value)
            else:
                attrs[attr_name] = ""
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise fail(f'Tag "span" must have class "tg-spoiler" at byte offset {cur.byte(begin)}')
        stack.append((name, out_utf16, attrs))
    if stack:
        raise fail(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    visible = "".join(out)
    # tdlib trims whitespace around the text after parsing; shift entities past the removed prefix.
    lead = len(visible) - len(visible.lstrip())
    stripped = visible.strip()
    if lead:
        shift = _utf16_len(visible[:lead])
        entities = [{**e, "offset": max(0, e["offset"] - shift)} for e in entities]
    total = _utf16_len(stripped)
    entities = [e for e in entities if e["offset"] < total]
    for e in entities:
        e["length"] = min(e["length"], total - e["offset"])
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return stripped, entities


def _entity(name: str, offset: int, length: int, attrs: dict[str, str]) -> dict[str, Any]:
    if name == "a":
        href = attrs.get("href", "")
        if href.startswith("tg://user?id="):
            return {
                "type": "text_mention",
                "offset": offset,
                "length": length,
                "user": {"id": int(href.split("=", 1)[1] or 0), "is_bot": False, "first_name": "User"},
            }
        return {"type": "text_link", "offset": offset, "length": length, "url": href}
    if name == "blockquote":
        kind = "expandable_blockquote" if "expandable" in attrs else "blockquote"
        return {"type": kind, "offset": offset, "length": length}
    entity: dict[str, Any] = {"type": _ENTITY_TYPE[name], "offset": offset, "length": length}
    if name == "pre" and attrs.get("language"):
        entity["language"] = attrs["language"]
    if name == "tg-emoji":
        entity["custom_emoji_id"] = attrs.get("emoji-id", "")
    return entity


# -- the server --------------------------------------------------------------------------------------


class TelegramApiServer:
    """The fake Bot API. Thread-safe; use as a context manager (starts/stops the HTTP server)."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        bot_username: str = "gwangju_watch_test_bot",
        rate_limit: tuple[int, float] | None = None,
    ) -> None:
        self.token = token
        self.token_revoked = False  # True: every call answers 401, as after @BotFather revokes the token
        self.delete_window = 48 * 3600.0  # messages older than this "can't be deleted"
        self.bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 123456
        self.bot_username = bot_username
        self.rate_limit = rate_limit  # (max sendMessage calls, per seconds) per chat; None = unlimited
        self.calls: list[Call] = []
        self.on_request: Callable[[Call], None] | None = None  # runs in the server thread as a call arrives
        self.chats: dict[int, Chat] = {}
        self.messages: dict[tuple[int, int], StoredMessage] = {}
        self._order: list[tuple[int, int]] = []  # message keys in send order
        self._next_message_id: dict[int, int] = defaultdict(lambda: 1)
        self._faults: dict[str, deque[Fault]] = defaultdict(deque)
        self._send_times: dict[int, deque[float]] = defaultdict(deque)
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 1000
        self._lock = threading.RLock()
        self._updates_cv = threading.Condition(self._lock)
        self._stopping = False
        self.add_chat(Chat(CHANNEL_ID, "channel", title="Gwangju AI watch (test)", username=CHANNEL_USERNAME))
        self.add_chat(Chat(ADMIN_ID, "private", first_name="Admin", bot_status="member"))
        self._server = ThreadingHTTPServer((host, port), self._handler_class())
        self._server.daemon_threads = True
        self.host: str = str(self._server.server_address[0])
        self.port: int = int(self._server.server_address[1])
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-telegram", daemon=True
        )

    # -- lifecycle ---------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        """For ``telegram.Bot(token, base_url=server.base_url)``: PTB appends the token."""
        return f"http://{self.host}:{self.port}/bot"

    @property
    def api_root(self) -> str:
        """For ``[telegram] api_base_url``: calls go to ``{api_root}/bot{token}/{method}``."""
        return f"http://{self.host}:{self.port}"

    @property
    def channel_id(self) -> int:
        return CHANNEL_ID

    @property
    def admin_id(self) -> int:
        return ADMIN_ID

    def start(self) -> TelegramApiServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        with self._lock:
            self._stopping = True
            self._updates_cv.notify_all()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> TelegramApiServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- scripting ---------------------------------------------------------------------------------
    def add_chat(self, chat: Chat) -> Chat:
        with self._lock:
            self.chats[chat.id] = chat
        return chat

    def fail_next(self, method: str, *faults: Fault) -> None:
        """Queue faults consumed one per call by the next calls of `method` (any case)."""
        with self._lock:
            self._faults[method.lower()].extend(faults)

    def pending_faults(self, method: str) -> int:
        with self._lock:
            return len(self._faults[method.lower()])

    def push_update(self, payload: dict[str, Any]) -> int:
        """Queue an update (``{"message": {...}}`` etc.); the update_id is assigned here and returned."""
        with self._lock:
            update_id = self._next_update_id
            self._next_update_id += 1
            self._updates.append({"update_id": update_id, **payload})
            self._updates_cv.notify_all()
        return update_id

    def push_command(
        self,
        chat_id: int,
        text: str,
        *,
        from_id: int | None = None,
        first_name: str = "Admin",
        reply_to: dict[str, Any] | None = None,
    ) -> int:
        """Queue a private-chat message like "/status extra" with its bot_command entity and `from`;
        `reply_to`: the message it replies to (e.g. `forwarded_from_channel`)."""
        command = text.split()[0] if text.strip() else text
        user_id = chat_id if from_id is None else from_id
        chat = self.chats.get(chat_id)
        message: dict[str, Any] = {
            "message_id": self._take_message_id(chat_id),
            "date": int(time.time()),
            "chat": chat.to_json() if chat else {"id": chat_id, "type": "private", "first_name": first_name},
            "from": {"id": user_id, "is_bot": False, "first_name": first_name},
            "text": text,
        }
        if command.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": _utf16_len(command)}]
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        return self.push_update({"message": message})

    def forwarded_from_channel(self, chat_id: int, channel_message_id: int) -> dict[str, Any]:
        """A channel post as an admin's private chat shows it after the admin forwarded it to the bot
        (a Message with ``forward_origin`` of type "channel"), to put in `push_command(reply_to=...)`."""
        with self._lock:
            original = self.messages[(CHANNEL_ID, channel_message_id)]
            channel = self.chats[CHANNEL_ID]
            return {
                "message_id": self._take_message_id(chat_id),
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private", "first_name": "Admin"},
                "from": {"id": chat_id, "is_bot": False, "first_name": "Admin"},
                "forward_origin": {
                    "type": "channel",
                    "chat": channel.to_json(),
                    "message_id": channel_message_id,
                    "date": original.date,
                },
                "text": original.text,
            }

    # -- inspection --------------------------------------------------------------------------------
    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method.lower() == method.lower()]

    def sent_messages(self, chat_id: int | str | None = None) -> list[str]:
        """Raw texts (as first submitted) of the messages the server accepted, in order.

        Includes messages whose answer was lost (dropped after accepting, or answered too late).
        """
        with self._lock:
            wanted = None if chat_id is None else self._resolve(chat_id, strict=False)
            return [self.messages[k].sent_html for k in self._order if wanted is None or k[0] == wanted]

    def channel_content(self, chat_id: int | str | None = None, *, visible: bool = False) -> dict[int, str]:
        """message_id → what one chat (default: the channel) shows now, after edits: the raw HTML as
        submitted, or with ``visible=True`` the text a reader sees (tags removed, entities decoded)."""
        with self._lock:
            cid = self._resolve(CHANNEL_ID if chat_id is None else chat_id, strict=False)
            return {
                mid: (self.messages[(c, mid)].text if visible else self.messages[(c, mid)].html)
                for c, mid in self._order
                if c == cid and not self.messages[(c, mid)].deleted
            }

    def stored(self, chat_id: int | str | None = None) -> list[StoredMessage]:
        with self._lock:
            cid = self._resolve(CHANNEL_ID if chat_id is None else chat_id, strict=False)
            return [self.messages[k] for k in self._order if k[0] == cid]

    # -- request handling --------------------------------------------------------------------------
    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # the URL holds the token
                pass

            def do_POST(self) -> None:
                server._serve(self)

            def do_GET(self) -> None:
                server._serve(self)

        return Handler

    def _serve(self, h: BaseHTTPRequestHandler) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        split = urlsplit(h.path)
        parts = split.path.split("/")
        # "/bot<token>/<method>" or "/bot<token>/test/<method>"
        if len(parts) < 3 or not parts[1].startswith("bot"):
            self._answer(h, 404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return
        token = parts[1][3:]
        method_raw = parts[-1]
        canonical = METHODS.get(method_raw.lower(), method_raw)
        try:
            params = _parse_params(split.query, body, h.headers.get("Content-Type", ""))
        except ValueError as exc:
            self._answer(h, 400, _error_body(ApiError(400, f"Bad Request: {exc}")))
            return
        call = Call(canonical, params, token, time.time())
        with self._lock:
            self.calls.append(call)
            queue = self._faults.get(method_raw.lower())
            fault = queue.popleft() if queue else None
        if self.on_request is not None:
            self.on_request(call)
        if token != self.token or self.token_revoked:
            self._finish(h, call, ApiError(401, "Unauthorized"))
            return
        if fault is not None:
            call.fault = fault.kind
            if fault.kind == "error":
                call.status, call.description = fault.status, fault.description
                if fault.body is not None:
                    self._answer(h, fault.status, fault.body, content_type="text/html")
                else:
                    self._answer(
                        h, fault.status, _error_body(ApiError(fault.status, fault.description, fault.parameters))
                    )
                return
            if fault.kind == "drop_before":
                self._drop(h)
                return
            if fault.kind == "slow" and not fault.process_first:
                time.sleep(fault.delay)
        try:
            result = self._dispatch(canonical.lower(), params)
        except ApiError as err:
            outcome: Any = err
        else:
            outcome = result
        if fault is not None and fault.kind == "drop_after":
            call.status = 200 if not isinstance(outcome, ApiError) else outcome.status
            self._drop(h)
            return
        if fault is not None and fault.kind == "slow" and fault.process_first:
            time.sleep(fault.delay)
        self._finish(h, call, outcome)

    def _finish(self, h: BaseHTTPRequestHandler, call: Call, outcome: Any) -> None:
        if isinstance(outcome, ApiError):
            call.status, call.description = outcome.status, outcome.description
            self._answer(h, outcome.status, _error_body(outcome))
        else:
            call.status = 200
            self._answer(h, 200, {"ok": True, "result": outcome})

    @staticmethod
    def _answer(
        h: BaseHTTPRequestHandler, status: int, payload: dict[str, Any] | bytes, content_type: str = "application/json"
    ) -> None:
        body = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode()
        try:
            h.send_response(status)
            h.send_header("Content-Type", content_type)
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            h.wfile.write(body)
            h.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (e.g. its read timeout ran out during a slow answer)

    @staticmethod
    def _drop(h: BaseHTTPRequestHandler) -> None:
        """Close the connection without a single byte of answer."""
        h.close_connection = True
        with contextlib.suppress(OSError):
            h.connection.shutdown(socket.SHUT_RDWR)

    # -- methods -----------------------------------------------------------------------------------
    def _dispatch(self, method: str, p: dict[str, Any]) -> Any:
        if method == "getme":
            return {
                "id": self.bot_id,
                "is_bot": True,
                "first_name": "Gwangju AI watch (fake)",
                "username": self.bot_username,
                "can_join_groups": True,
                "can_read_all_group_messages": False,
                "supports_inline_queries": False,
            }
        if method in ("deletewebhook", "setmycommands", "logout", "close"):
            return True
        if method == "getmycommands":
            return []
        if method == "sendchataction":
            self._chat_for_post(p.get("chat_id"))
            return True
        if method == "getchat":
            return self._resolve_chat(p.get("chat_id")).to_json()
        if method == "getupdates":
            return self._get_updates(p)
        if method == "sendmessage":
            return self._send_message(p)
        if method == "editmessagetext":
            return self._edit_message(p)
        if method == "deletemessage":
            return self._delete_message(p)
        raise ApiError(404, "Not Found: method not found")

    def _resolve(self, chat_id: Any, *, strict: bool = True) -> int | None:
        if chat_id is None or chat_id == "":
            if strict:
                raise ApiError(400, "Bad Request: chat_id is empty")
            return None
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            for chat in self.chats.values():
                if chat.username and chat.username.lower() == chat_id[1:].lower() and chat.type != "private":
                    return chat.id
            if strict:
                raise ApiError(400, "Bad Request: chat not found")
            return None
        try:
            cid = int(chat_id)
        except (TypeError, ValueError):
            if strict:
                raise ApiError(400, "Bad Request: chat not found") from None
            return None
        if strict and cid not in self.chats:
            raise ApiError(400, "Bad Request: chat not found")
        return cid

    def _resolve_chat(self, chat_id: Any) -> Chat:
        with self._lock:
            cid = self._resolve(chat_id)
            assert cid is not None
            return self.chats[cid]

    def _chat_for_post(self, chat_id: Any) -> Chat:
        chat = self._resolve_chat(chat_id)
        kind = "channel" if chat.type == "channel" else "supergroup"
        if chat.type in ("channel", "supergroup"):
            if chat.bot_status == "left":
                raise ApiError(403, f"Forbidden: bot is not a member of the {kind} chat")
            if chat.bot_status == "kicked":
                raise ApiError(403, f"Forbidden: bot was kicked from the {kind} chat")
            if chat.type == "channel" and chat.bot_status != "administrator":
                raise ApiError(400, "Bad Request: need administrator rights in the channel chat")
        elif chat.type == "private" and chat.bot_status == "kicked":
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat

    def _formatted(self, p: dict[str, Any]) -> tuple[str, str, list[dict[str, Any]]]:
        raw = p.get("text")
        if raw is None or raw == "":
            raise ApiError(400, "Bad Request: message text is empty")
        raw = str(raw)
        if len(raw.encode("utf-8")) > MAX_RAW_TEXT_BYTES:
            raise ApiError(400, "Bad Request: text is too long")
        mode = str(p.get("parse_mode") or "").lower()
        if mode not in ("", "none", "html", "markdown", "markdownv2"):
            raise ApiError(400, "Bad Request: unsupported parse_mode")
        if mode == "html":
            text, entities = parse_html(raw)
        elif mode in ("", "none"):
            text, entities = raw.strip(), []
        else:
            raise ApiError(400, "Bad Request: this fake server only implements parse_mode HTML")
        if not text:
            raise ApiError(400, "Bad Request: text must be non-empty")
        if len(text) > MAX_TEXT_LENGTH:
            raise ApiError(400, "Bad Request: message is too long")
        return raw, text, entities

    def _take_message_id(self, chat_id: int) -> int:
        with self._lock:
            mid = self._next_message_id[chat_id]
            self._next_message_id[chat_id] = mid + 1
            return mid

    def _check_flood(self, chat_id: int) -> None:
        if self.rate_limit is None:
            return
        limit, window = self.rate_limit
        now = time.monotonic()
        times = self._send_times[chat_id]
        while times and times[0] <= now - window:
            times.popleft()
        if len(times) >= limit:
            wait = max(1, math.ceil(times[0] + window - now))
            raise ApiError(429, f"Too Many Requests: retry after {wait}", {"retry_after": wait})
        times.append(now)

    def _message_json(self, chat: Chat, m: StoredMessage) -> dict[str, Any]:
        data: dict[str, Any] = {"message_id": m.message_id}
        if chat.type == "private":
            data["from"] = {
                "id": self.bot_id,
                "is_bot": True,
                "first_name": "Gwangju AI watch (fake)",
                "username": self.bot_username,
            }
        else:
            data["sender_chat"] = chat.to_json()
        data["chat"] = chat.to_json()
        data["date"] = m.date
        if m.edits:
            data["edit_date"] = int(time.time())
        data["text"] = m.text
        if m.entities:
            data["entities"] = m.entities
        if m.link_preview_options:
            data["link_preview_options"] = m.link_preview_options
        if m.reply_to is not None and (m.chat_id, m.reply_to) in self.messages:
            replied = self.messages[(m.chat_id, m.reply_to)]
            data["reply_to_message"] = {**self._message_json(chat, replied), "text": replied.text}
        return data

    def _send_message(self, p: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            chat = self._chat_for_post(p.get("chat_id"))
            raw, text, entities = self._formatted(p)
            reply_to = self._replied(chat, p.get("reply_parameters"))
            self._check_flood(chat.id)
            mid = self._take_message_id(chat.id)
            lpo = p.get("link_preview_options")
            m = StoredMessage(
                chat.id,
                mid,
                raw,
                raw,
                text,
                entities,
                int(time.time()),
                link_preview_options=lpo if isinstance(lpo, dict) and lpo else None,
                reply_to=reply_to,
            )
            self.messages[(chat.id, mid)] = m
            self._order.append((chat.id, mid))
            return self._message_json(chat, m)

    def _delete_message(self, p: dict[str, Any]) -> bool:
        """Like the Bot API: a message older than 48 hours "can't be deleted" (the bot may still edit it)."""
        with self._lock:
            chat = self._chat_for_post(p.get("chat_id"))
            m = self.messages.get((chat.id, int(p.get("message_id") or 0)))
            if m is None or m.deleted:
                raise ApiError(400, "Bad Request: message to delete not found")
            if time.time() - m.date > self.delete_window:
                raise ApiError(400, "Bad Request: message can't be deleted")
            m.deleted = True
            return True

    def _replied(self, chat: Chat, params: Any) -> int | None:
        """The message a send replies to; like the Bot API, a missing one is an error unless
        allow_sending_without_reply, and then the message goes out as no reply."""
        if not isinstance(params, dict) or params.get("message_id") is None:
            return None
        target = int(params["message_id"])
        if (chat.id, target) in self.messages and not self.messages[(chat.id, target)].deleted:
            return target
        if params.get("allow_sending_without_reply"):
            return None
        raise ApiError(400, "Bad Request: message to be replied not found")

    def _edit_message(self, p: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            chat = self._chat_for_post(p.get("chat_id"))
            if p.get("message_id") is None:
                raise ApiError(400, "Bad Request: message identifier is not specified")
            raw, text, entities = self._formatted(p)
            m = self.messages.get((chat.id, int(p["message_id"])))
            if m is None or m.deleted:
                raise ApiError(400, "Bad Request: message to edit not found")
            if m.text == text and m.entities == entities:
                raise ApiError(
                    400,
                    "Bad Request: message is not modified: specified new message content "
                    "and reply markup are exactly the same as a current content and reply "
                    "markup of the message",
                )
            m.html, m.text, m.entities = raw, text, entities
            m.edits += 1
            return self._message_json(chat, m)

    def _get_updates(self, p: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(p.get("offset") or 0)
        limit = min(100, max(1, int(p.get("limit") or 100)))
        timeout = max(0.0, float(p.get("timeout") or 0))
        deadline = time.monotonic() + timeout
        with self._updates_cv:
            if offset:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            while not self._updates and not self._stopping:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._updates_cv.wait(left)
            return list(self._updates[:limit])


def _error_body(err: ApiError) -> dict[str, Any]:
    body: dict[str, Any] = {"ok": False, "error_code": err.status, "description": err.description}
    if err.parameters:
        body["parameters"] = err.parameters
    return body


def _coerce(key: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if key in _OBJECT_FIELDS:
        try:
            return json.loads(value)
        except ValueError:
            return value
    if key in _INT_FIELDS or (key == "chat_id" and value.lstrip("-").isdigit()):
        try:
            return int(value)
        except ValueError:
            return value
    if key in _BOOL_FIELDS and value in ("true", "false"):
        return value == "true"
    return value


def _parse_params(query: str, body: bytes, content_type: str) -> dict[str, Any]:
    """Query string + body (urlencoded or JSON); object-valued fields decoded, numbers coerced."""
    params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    ctype = content_type.split(";")[0].strip().lower()
    if body:
        if ctype == "application/json":
            data = json.loads(body.decode("utf-8"))
            if not isinstance(data, dict):
                raise ValueError("JSON body must be an object")
            params.update(data)
        elif ctype in ("application/x-www-form-urlencoded", ""):
            params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        else:
            raise ValueError(f"unsupported Content-Type {ctype}")
    return {k: _coerce(k, v) for k, v in params.items()}
