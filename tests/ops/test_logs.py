"""Redaction and levels: the filter on the handler, record by record."""

from __future__ import annotations

import io
import logging

import pytest

from bot.logs import MASK, redact, setup_logging

DISCORD_TOKEN = "MTA5ODc2NTQzMjEwOTg3NjU0MzI.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456789AB"


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("token=xoxb-1234-5678-abcdEFGH", "xoxb-1234-5678-abcdEFGH"),
        ("user xoxp-11-22-33-aa rotated", "xoxp-11-22-33-aa"),
        ("legacy xoxa-2-abc", "xoxa-2-abc"),
        ("refresh xoxe-1-abcdef", "xoxe-1-abcdef"),
        ("rotated xoxe.xoxp-1-abcdef", "xoxe.xoxp-1-abcdef"),
        ("app xapp-1-A01-123-abcdef", "xapp-1-A01-123-abcdef"),
        (f"Authorization: Bot {DISCORD_TOKEN}", DISCORD_TOKEN),
        (f"login with {DISCORD_TOKEN} ok", DISCORD_TOKEN),
        ("POST /api/v10/interactions/123456/aW50ZXJhY3Rpb24tdG9rZW4/callback", "aW50ZXJhY3Rpb24"),
        ("PATCH /api/v10/webhooks/999/aW50ZXJhY3Rpb24tdG9rZW4/messages/@original", "aW50ZXJhY3"),
        ("""{"type": 2, "token": "aW50ZXJhY3Rpb246MTIz", "id": "1"}""", "aW50ZXJhY3Rpb246MTIz"),
        ("{'client_secret': 'sup3r-s3cret', 'code': 'abc-123'}", "sup3r-s3cret"),
        ("{'client_secret': 'sup3r-s3cret', 'code': 'abc-123'}", "abc-123"),
        ("/slack/oauth_redirect?code=abc-123&state=x", "abc-123"),
        ("access_token=opaque-value-9&x=1", "opaque-value-9"),
        ("signing_secret: 8f14e45fceea167a5a36dedd4bea2543", "8f14e45fceea167a5a36dedd4bea2543"),
        ("postgresql+asyncpg://bot:pg-pass-1@db:5432/bot", "pg-pass-1"),
        ("DSN postgres://bot:p%40ss@db/bot", "p%40ss"),
        ("Authorization: Bearer xyz-opaque-abcdef", "xyz-opaque-abcdef"),
        ("Authorization: Basic MTExLjIyMjpzaGg=", "MTExLjIyMjpzaGg="),
    ],
)
def test_patterns_remove_each_kind_of_secret(text, secret):
    out = redact(text)
    assert secret not in out
    assert MASK in out or "***" in out


def test_ordinary_text_is_left_alone():
    for text in (
        "status code: 200",
        '"token_type": "bot"',
        "Slack HTTP mode: http://0.0.0.0:3000/slack/events",
        "postgresql+asyncpg://bot@db:5432/bot",
        "/salary germany → €75,000",
    ):
        assert redact(text) == text


def test_exact_configured_secrets_are_removed_whatever_their_shape():
    assert redact("the secret is plain-words-42 here", ["plain-words-42"]) == (
        f"the secret is {MASK} here"
    )


@pytest.fixture
def capture():
    root = logging.getLogger()
    before = root.level, logging.getLogger("discord").level, logging.getLogger("bot").level
    buffers = []

    def go(*args, **kw):
        buffer = io.StringIO()
        buffers.append(setup_logging(*args, stream=buffer, **kw))
        return buffer

    yield go
    for handler in buffers:
        root.removeHandler(handler)
    root.setLevel(before[0])
    logging.getLogger("discord").setLevel(before[1])
    logging.getLogger("bot").setLevel(before[2])


def test_our_loggers_follow_log_level_and_libraries_stay_at_warning(capture):
    out = capture("DEBUG", "WARNING")
    logging.getLogger("bot.adapters.slack").debug("ours at debug")
    logging.getLogger("scheduler.service").debug("scheduler at debug")
    logging.getLogger("discord.gateway").debug("library debug")
    logging.getLogger("slack_sdk.web").info("library info")
    logging.getLogger("sqlalchemy.engine").warning("library warning")
    text = out.getvalue()
    assert "ours at debug" in text and "scheduler at debug" in text
    assert "library debug" not in text and "library info" not in text
    assert "library warning" in text


def test_libraries_can_be_asked_for(capture):
    out = capture("INFO", "DEBUG")
    logging.getLogger("discord.gateway").debug("library debug")
    logging.getLogger("bot.app").debug("ours hidden")
    assert "library debug" in out.getvalue() and "ours hidden" not in out.getvalue()


def test_args_exceptions_and_stacks_are_redacted(capture):
    out = capture("DEBUG", "DEBUG", secrets=["configured-secret-1"])
    log = logging.getLogger("bot.test")
    log.info("token %s and %s", "xoxb-1-2-abc", "configured-secret-1")
    try:
        raise RuntimeError("failed POST /webhooks/1/secret-webhook-token with xapp-1-zz")
    except RuntimeError:
        log.exception("boom")
    log.info("stack", stack_info=True, extra={})
    text = out.getvalue()
    assert "xoxb-1-2-abc" not in text and "configured-secret-1" not in text
    assert "secret-webhook-token" not in text and "xapp-1-zz" not in text
    assert "Traceback" in text and "RuntimeError" in text  # the trace itself is kept


def test_library_reconnect_tracebacks_become_one_warning_line(capture):
    out = capture("INFO", "WARNING")
    try:
        raise ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 9)")
    except ConnectionRefusedError:
        logging.getLogger("discord.client").exception("Attempting a reconnect in %.2fs", 3.5)
        logging.getLogger("slack_sdk.socket_mode.aiohttp").exception(
            "Failed to connect (error: x); Retrying..."
        )
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 2 and "Traceback" not in out.getvalue()
    assert (
        "WARNING discord.client: Attempting a reconnect in 3.50s (ConnectionRefusedError"
        in (lines[0])
    )


def test_values_in_lists_and_dotted_names():
    assert "code-T1" not in redact("{'code': ['code-T1'], 'state': ['s']}")
    assert "shh-123" not in redact("{'client_secret': ['shh-123']}")
    dotted = "slack_bolt.middleware.request_verification.async_request_verification.Async"
    assert redact(f"Applying {dotted}") == f"Applying {dotted}"
