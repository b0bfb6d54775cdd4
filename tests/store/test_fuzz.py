"""Hypothesis: whatever a member types into these commands, the reply is friendly."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.adapters.console import ConsoleSession
from bot.app import build_services
from bot.commands.groups import MAX_NAME, RESERVED, clean_name
from bot.commands.leaderboard import PERIODS, split_period
from bot.commands.profile import resolve_timezone
from bot.content import Content
from bot.core.clock import FakeClock
from bot.core.context import Member
from bot.core.errors import UserError
from bot.settings import Settings
from bot.store import open_store
from tests.store.conftest import T0
from tests.store.test_commands import QUIZ

GENERIC = "something went wrong"
MASS = re.compile(r"@(everyone|here|channel)", re.IGNORECASE)
words = st.text(st.characters(blacklist_categories=("Cs",)), max_size=80)
fuzz = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))


@given(words)
@fuzz
def test_group_names_are_valid_or_refused(raw):
    try:
        name = clean_name(raw)
    except UserError as exc:
        assert exc.message
        return
    assert 2 <= len(name) <= MAX_NAME and name == " ".join(name.split())
    assert not set(name) & set("@<>#|:`*") and name.casefold() not in RESERVED


@given(
    st.one_of(st.none(), words),
    st.one_of(st.none(), st.sampled_from(["week", "Month", "all time", "x"])),
)
@fuzz
def test_split_period(group, period):
    try:
        g, p = split_period(group, period)
    except UserError:
        assert period == "x"
        return
    assert p in PERIODS and (g is None or g.strip() == g)


@given(words)
@fuzz
def test_timezones(raw):
    try:
        tz = resolve_timezone(raw)
    except UserError as exc:
        assert "timezone" in exc.message
        return
    assert tz is None or "/" in tz or tz.isupper() or tz[0].isupper()


@pytest.fixture
async def session(tmp_path):
    store = await open_store(f"sqlite+aiosqlite:///{tmp_path / 'fuzz.db'}")
    services = build_services(
        Settings(), clock=FakeClock(T0), content=Content({"quiz": list(QUIZ)})
    )
    services.store = store
    yield ConsoleSession(services, Member("ann", "Ann", is_admin=True))
    await store.close()


COMMANDS = [
    "group create",
    "group join",
    "group leave",
    "group info",
    "group rename",
    "group delete",
    "leaderboard",
    "profile timezone",
    "quiz",
]


@given(st.sampled_from(COMMANDS), words)
@fuzz
async def test_store_commands_never_fail_or_ping(session, command, raw):
    reply = await session.send(f"{command} {raw}")
    text = reply.plain_text()
    assert GENERIC not in text.lower()
    assert not MASS.search(text)
    for b in reply.buttons:
        assert len(b.action) <= 100 and len(b.label) <= 80


@given(st.lists(st.text(max_size=12), max_size=4))
@fuzz
async def test_forged_buttons_are_refused_politely(session, args):
    from bot.core.dispatch import press

    for name in ("quiz.ans", "lb.page", "lb.reset", "grp.del", "quiz.next"):
        reply = await press(
            session.ctx, "|".join(["mle", name, *(a.replace("|", "") for a in args)])
        )
        assert GENERIC not in reply.plain_text().lower()


async def test_forged_numbers_are_refused_politely(session):
    from bot.core.dispatch import press

    for args in (["9" * 30, "0"], ["²", "0"], ["1", "9" * 30], ["week", "9" * 30], ["9" * 40]):
        for name in ("quiz.ans", "lb.page", "lb.reset"):
            reply = await press(session.ctx, "|".join(["mle", name, *args]))
            assert reply.kind == "error" and GENERIC not in reply.plain_text().lower(), (name, args)
