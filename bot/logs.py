"""Logging set-up: one format, quiet HTTP libraries, and the bot token scrubbed from every record.

The Bot API URL contains the token and httpx logs request URLs at INFO, so the `httpx` and
`httpcore` loggers are turned down to WARNING; as a second line of defence a filter on the root
handler replaces the token wherever it still appears (exception texts included).
"""

from __future__ import annotations

import logging
import sys

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Libraries whose INFO lines are chatter (APScheduler's "Adding job tentatively" for every source, PTB's
# and httpx's per-request lines, which also carry the token): only their warnings are shown.
NOISY_LOGGERS = ("httpx", "httpcore", "hpack", "apscheduler", "telegram")
# Loggers whose lines below these levels carry the token (httpx: request URLs at INFO; PTB's Bot: its
# base URL at DEBUG): never emitted wherever the Telegram client is used, logging set up or not.
TOKEN_LOGGERS = {"httpx": logging.WARNING, "httpcore": logging.WARNING, "telegram": logging.INFO}


def keep_token_out_of_logs() -> None:
    """Raise the loggers of `TOKEN_LOGGERS` to their floor (never lower one already above it)."""
    for name, floor in TOKEN_LOGGERS.items():
        if logging.getLogger(name).level < floor:  # its own level: NOTSET would inherit DEBUG
            logging.getLogger(name).setLevel(floor)


def scrub(text: str, token: str | None) -> str:
    """`text` with the bot token (and its secret half, raw or URL-encoded) replaced by ``<token>``."""
    if not token:
        return text
    secrets = {token, token.replace(":", "%3A"), token.replace(":", "%3a")}
    secret = token.split(":", 1)[1] if ":" in token else ""
    if len(secret) >= 8:
        secrets.add(secret)
    for s in sorted(secrets, key=len, reverse=True):
        text = text.replace(s, "<token>")
    return text


class SecretFilter(logging.Filter):
    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s and len(s) >= 6]

    def scrub(self, text: str) -> str:
        for secret in self.secrets:
            text = scrub(text, secret)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            message = record.getMessage()
            record.msg, record.args = self.scrub(message), None
            if record.exc_info and record.exc_info[1] is not None:
                record.exc_text = self.scrub(logging.Formatter().formatException(record.exc_info))
                record.exc_info = None
        return True


def setup_logging(verbose: bool = False, secrets: list[str] | None = None) -> None:
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(_FORMAT))
    handler.addFilter(SecretFilter(secrets or []))
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for noisy in NOISY_LOGGERS:
        logging.getLogger(noisy).setLevel(logging.WARNING)
