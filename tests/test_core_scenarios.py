"""The shared scenarios through the console adapter (the other adapters run them too)."""

from __future__ import annotations

import pytest

from bot.adapters.console import ConsoleSession, render
from tests.scenarios import SCENARIOS


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
async def test_scenario_console(services, scenario):
    session = ConsoleSession(services)
    reply = await session.send(scenario.text)
    shown = render(reply)
    assert (reply.kind == "error") == scenario.error, shown
    if scenario.error:
        assert reply.ephemeral
    for needle in scenario.expect:
        assert needle in shown, f"{needle!r} missing from:\n{shown}"
    for needle in scenario.absent:
        assert needle not in shown, f"{needle!r} present in:\n{shown}"
    assert "Traceback" not in shown


async def test_buttons_are_numbered_choices(services):
    session = ConsoleSession(services)
    reply = await session.send("/interview topic:deep-learning")
    shown = render(reply)
    assert "[1] Reveal answer outline" in shown
    revealed = await session.send("1")
    assert revealed.replace
    assert "What a strong answer covers" in (revealed.text or "")
    question = reply.text
    assert question and question in (revealed.text or "")


async def test_out_of_range_choice_is_friendly(services):
    session = ConsoleSession(services)
    await session.send("/interview")
    reply = await session.send("9")
    assert reply.kind == "error"
    assert "between 1 and 2" in (reply.text or "")


async def test_pagination_next_and_previous(services):
    session = ConsoleSession(services)
    first = await session.send("/resources")
    assert first.page == 1 and first.pages > 1
    labels = [b.label for b in first.buttons]
    nxt = labels.index("Next ▶") + 1
    second = await session.send(str(nxt))
    assert second.page == 2 and second.replace
    assert {e.title for e in second.items}.isdisjoint({e.title for e in first.items})
    prev = [b.label for b in second.buttons].index("◀ Previous") + 1
    again = await session.send(str(prev))
    assert [e.title for e in again.items] == [e.title for e in first.items]


async def test_pagination_keeps_long_search_query(services):
    """A query too long for a 100-char button id still pages (via the memo)."""
    session = ConsoleSession(services)
    query = "machine learning engineer " * 5
    first = await session.send(f"/search {query}")
    assert first.pages > 1
    assert all(len(b.action) <= 100 for b in first.buttons)
    second = await session.send(str([b.label for b in first.buttons].index("Next ▶") + 1))
    assert second.page == 2 and second.kind != "error"


async def test_salary_compare_needs_two_countries(services):
    session = ConsoleSession(services)
    reply = await session.send("/salary compare uk")
    assert reply.kind == "error"
    assert "needs b" in (reply.text or "")
    same = await session.send("/salary compare uk britain")
    assert same.kind == "error" and "two different" in (same.text or "")


async def test_expired_button_is_friendly(services):
    session = ConsoleSession(services)
    session.buttons = ["mle|iv.reveal|no-such-question", "mle|memo|deadbeef", "other|x"]
    for n in ("1", "2", "3"):
        reply = await session.send(n)
        assert reply.kind == "error"
        assert reply.text and "Traceback" not in reply.text


async def test_choice_aliases(services):
    """Other words for a choice work where members type text ("jobs" → job-platform)."""
    session = ConsoleSession(services)
    reply = await session.send("/resources kind:jobs")
    assert reply.kind != "error" and "job-platform" in (reply.title or "")
    assert {"Indeed", "LinkedIn"} <= {e.title for e in reply.items}
