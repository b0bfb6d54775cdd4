"""Property-based: no input to any command escapes as an exception, pings anyone or breaks limits."""

from __future__ import annotations

import asyncio

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import build_services, context, load_commands
from bot.core.clock import FakeClock
from bot.core.context import Member
from bot.core.dispatch import execute, invoke, press
from bot.core.registry import REGISTRY
from bot.core.reply import MAX_ITEM_TEXT, Reply
from bot.settings import Settings

load_commands()

NASTY = st.sampled_from(
    [
        "",
        " ",
        "@everyone",
        "@here",
        "<@123>",
        "<@&456>",
        "<!channel>",
        "<!everyone>",
        "**bold**",
        "`code`",
        "\x00\x07\x1b[31m",
        "\u202e\u200b",
        "🙂" * 50,
        "x" * 10_000,
        "-1",
        "99999999999999999999",
        "1e9",
        "None",
        "null",
        "'; DROP TABLE members; --",
        "../../etc/passwd",
        "\n\n\n",
        "Ünïcödé",
    ]
)
TEXT = st.one_of(NASTY, st.text(max_size=300), st.text(alphabet=st.characters(), max_size=50))
VALUE = st.one_of(TEXT, st.integers(), st.floats(allow_nan=True), st.none(), st.booleans())

_services = None


def services():
    global _services
    if _services is None:
        _services = build_services(Settings(), clock=FakeClock())
    return _services


def ctx(admin: bool = False):
    return context(services(), member=Member("u1", "fuzzer", is_admin=admin))


def check(reply: Reply) -> None:
    assert isinstance(reply, Reply)
    text = reply.plain_text()
    for needle in ("@everyone", "@here", "<@123>", "<@&456>", "<!channel>", "<!everyone>"):
        assert needle not in text, (needle, text[:300])
    assert "Traceback" not in text
    assert "\x00" not in text and "\x1b" not in text
    if reply.kind != "error":
        for e in reply.items:
            assert len(e.text) <= MAX_ITEM_TEXT
    assert len(reply.items) <= 10
    for b in reply.buttons:
        assert len(b.action) <= 100


COMMANDS = sorted(REGISTRY.commands.values(), key=lambda c: c.name)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cmd=st.sampled_from(COMMANDS),
    values=st.lists(VALUE, max_size=4),
    admin=st.booleans(),
    extra=st.one_of(st.none(), st.text(max_size=10)),
)
def test_every_command_survives_any_option_values(cmd, values, admin, extra):
    raw = {o.name: v for o, v in zip(cmd.options, values, strict=False)}
    if extra:
        raw[extra] = "x"
    reply = asyncio.run(invoke(ctx(admin), cmd, raw))
    check(reply)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cmd=st.sampled_from(COMMANDS), tail=st.lists(TEXT, max_size=4))
def test_every_command_survives_any_text(cmd, tail):
    text = "/" + cmd.name + " " + " ".join(tail)
    check(asyncio.run(execute(ctx(), text)))


@settings(max_examples=200, deadline=None)
@given(text=TEXT)
def test_any_line_is_answered(text):
    check(asyncio.run(execute(ctx(), text)))


@settings(max_examples=200, deadline=None)
@given(action=st.one_of(TEXT, st.builds(lambda a, b: f"mle|{a}|{b}", TEXT, TEXT)))
def test_any_button_id_is_answered(action):
    check(asyncio.run(press(ctx(), action)))
