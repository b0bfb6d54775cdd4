"""Logging set-up: our loggers at LOG_LEVEL, libraries at LOG_LEVEL_LIBRARIES, secrets redacted.

``setup_logging(settings)`` installs one handler on the root logger carrying ``Redactor``, a
``logging.Filter`` that rewrites every record passing through the handler (the message with
its arguments, the exception text and the stack) so that none of these reaches the output:

- Slack tokens: ``xoxb-`` / ``xoxp-`` / ``xoxa-`` / ``xoxe-`` / ``xoxe.xoxp-`` / ``xapp-`` …
- Discord bot tokens (three base64url parts separated by dots) and ``Authorization: Bot …``
- interaction tokens in URLs: ``/interactions/<id>/<token>`` and ``/webhooks/<app>/<token>``
- values of keys named like a secret in dumps and query strings (``"token": …``,
  ``access_token=…``, ``client_secret``, ``signing_secret``, ``password``, OAuth ``code``)
- the password in database URLs (``scheme://user:***@host``)
- and the exact values of every secret the settings hold (``Settings.secrets()``).

Library loggers stay at WARNING unless LOG_LEVEL_LIBRARIES asks otherwise: at DEBUG,
slack_sdk logs whole API bodies and discord.py whole gateway payloads.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable
from typing import TextIO

OURS = ("bot", "scheduler", "__main__")
LIBRARIES = (
    "discord",
    "slack_sdk",
    "slack_bolt",
    "aiosqlite",
    "asyncpg",
    "sqlalchemy",
    "apscheduler",
    "alembic",
    "aiohttp",
    "websockets",
)
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
MASK = "[redacted]"

_SECRET_KEYS = (
    r"(?:[a-z_]*token|[a-z_]*secret|password|passwd|authorization|session_id|"
    r"x-slack-signature)"
)
PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Slack tokens, including refresh tokens (xoxe-…) and rotated ones (xoxe.xoxp-…).
    (re.compile(r"\bxox[a-z](?:\.xox[a-z])?-[A-Za-z0-9-]+"), MASK),
    (re.compile(r"\bxapp-[A-Za-z0-9-]+"), MASK),
    # Discord bot tokens: base64(user id) . timestamp . HMAC.
    (re.compile(r"\b[MNO][A-Za-z0-9_-]{23,27}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,40}\b"), MASK),
    # Interaction and webhook tokens in REST paths.
    (re.compile(r"(/(?:interactions|webhooks)/[^/\s'\"]+/)[^/\s'\"?]+"), r"\1" + MASK),
    # Authorization headers.
    (re.compile(r"\b(Bot|Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}"), r"\1 " + MASK),
    # key: value / key=value / "key": "value" in dumps, reprs and query strings.
    (
        re.compile(
            r"""(?ix)
            (["']?\b"""
            + _SECRET_KEYS
            + r"""["']?\s*[:=]\s*)   # the key and its separator
            (?:\[[^\]]*\]|"[^"]*"|'[^']*'|[^\s,;&}\])'"]+)      # the value: list, quoted, bare
            """
        ),
        r"\1" + MASK,
    ),
    # OAuth authorization codes: in query strings, and as a quoted key in dumps.
    (re.compile(r"([?&]code=)[^&\s'\"]+"), r"\1" + MASK),
    (re.compile(r"""(["']code["']\s*:\s*)(?:\[[^\]]*\]|"[^"]*"|'[^']*')"""), r"\1" + MASK),
    # Passwords in URLs.
    (re.compile(r"(\b[a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@\s]+@", re.I), r"\1***@"),
)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` without any secret (see the module docstring); exact ``secrets`` first."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK)
    for pattern, repl in PATTERNS:
        text = pattern.sub(repl, text)
    return text


class Redactor(logging.Filter):
    """A handler filter that removes secrets from each record before it is formatted."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        # Longest first, so a secret containing another is masked whole.
        self.secrets = sorted({s for s in secrets if s}, key=len, reverse=True)
        self._formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep what there is, still redacted
            message = f"{record.msg} {record.args}"
        record.msg = redact(message, self.secrets)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.secrets)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, self.secrets)
        return True


def setup_logging(
    level: str = "INFO",
    libraries: str = "WARNING",
    *,
    secrets: Iterable[str] = (),
    stream: TextIO | None = None,
) -> logging.Handler:
    """Route every record to ``stream`` (stderr) through the ``Redactor``; returns the handler.

    ``level`` applies to the bot's own loggers (``bot.*``, ``scheduler.*``), ``libraries``
    to the root logger and every known library's logger. Replaces handlers installed by an
    earlier call, so it is safe to call again (tests do).
    """
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "mle_bot", False)]:
        root.removeHandler(old)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.mle_bot = True  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(KnownNoise())
    handler.addFilter(OneLineRetries())
    handler.addFilter(Redactor(secrets))
    root.addHandler(handler)
    root.setLevel(libraries)
    for name in LIBRARIES:
        logging.getLogger(name).setLevel(libraries)
    for name in OURS:
        logging.getLogger(name).setLevel(level)
    logging.captureWarnings(True)
    return handler


def one_line(exc: BaseException) -> str:
    """``Type: first line of the message`` (at most 200 characters), for one-line warnings."""
    text = str(exc).strip().splitlines()
    first = text[0][:200] if text else ""
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


class KnownNoise(logging.Filter):
    """Drops library warnings that are expected in this bot's set-up and say nothing useful:
    bolt's note that the token is unused because we hand it a configured client."""

    NOISE = ("As you gave `client` as well, `token` will be unused",)

    def filter(self, record: logging.LogRecord) -> bool:
        return not (
            record.name.startswith("slack_bolt") and any(n in str(record.msg) for n in self.NOISE)
        )


class OneLineRetries(logging.Filter):
    """Libraries' own reconnect loops log a traceback per attempt (discord.py's "Attempting a
    reconnect", slack_sdk's "Failed to connect … Retrying"); keep them to one warning line."""

    MARKERS = ("Attempting a reconnect", "Retrying", "reconnect to the server")

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.name.split(".")[0] in LIBRARIES:
            message = record.getMessage()
            if any(m in message for m in self.MARKERS):
                cause = record.exc_info[1]
                record.msg = f"{message} ({one_line(cause)})" if cause else message
                record.args = None
                record.exc_info = None
                record.exc_text = None
                record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True
