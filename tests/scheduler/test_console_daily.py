"""The console end to end: subscribe one minute ahead, the prompt shows up when the clock
gets there, the check-in button adds points visible on /leaderboard. Plus the commands'
admin checks and input errors."""

from datetime import UTC, datetime, timedelta

import pytest

from bot.adapters.console import ConsoleSession
from bot.core.context import Member
from bot.core.dispatch import press
from tests.scheduler.harness import console_with_scheduler

T0 = datetime(2026, 1, 5, 8, 0, 30, tzinfo=UTC)


@pytest.fixture
async def console(db_url, content):
    async with console_with_scheduler(db_url, content, T0) as parts:
        yield parts


async def test_subscribe_one_minute_ahead_posts_then_checkin_shows_on_leaderboard(console):
    services, session, out, clock = console
    in_a_minute = (clock.now() + timedelta(minutes=1)).strftime("%H:%M")
    reply = await session.send(f"/daily subscribe time:{in_a_minute}")
    assert reply.kind == "success", reply.text
    assert f"{in_a_minute} UTC" in reply.text
    await services.scheduler.tick()
    assert out.getvalue() == ""  # not yet
    clock.advance(minutes=1)
    await services.scheduler.tick()
    shown = out.getvalue()
    assert "📬 Daily study prompt" in shown and "[1] I studied this" in shown
    first = services.content.curriculum and services.scheduler.curriculum.sequence("mixed")[0]
    assert first.topic in shown
    reply = await session.send("1")
    assert reply.ephemeral and "Checked in: +5 points" in reply.text and "Streak: 1" in reply.text
    board = await session.send("/leaderboard")
    assert board.kind != "error", board.text
    text = board.plain_text()
    assert "Ada" in text and "5" in text
    clock.advance(minutes=30)
    await services.scheduler.tick()
    assert out.getvalue().count("📬") == 1  # once


async def test_check_in_twice_is_refused_politely(console):
    services, session, out, clock = console
    await session.send("/daily subscribe time:08:01")
    clock.advance(minutes=1)
    await services.scheduler.tick()
    action = session.buttons[0]
    first = await press(session.ctx, action)
    again = await press(session.ctx, action)
    assert "+5" in first.text and "already checked in" in again.text


async def test_members_may_preview_but_not_change(console):
    services, session, out, clock = console
    await session.send("/daily subscribe time:09:30 timezone:Europe/Berlin days:weekdays")
    member = ConsoleSession(services, Member("bob", "Bob", is_admin=False))
    refused = await member.send("/daily pause")
    assert refused.kind == "error" and "Only admins" in refused.text
    await services.store.set_member_timezone("console", "local", "bob", "Bob", "America/New_York")
    preview = await member.send("/daily preview")
    assert preview.kind != "error" and preview.ephemeral
    times = [e.title for e in preview.items]
    # Mon 5 Jan 2026 09:30 Berlin = 03:30 in New York; five weekdays.
    assert times[0] == "Mon 05 Jan 2026, 03:30 (America/New_York)" and len(times) == 5
    assert "Sat" not in " ".join(times)
    assert "Next topic" in preview.plain_text()


@pytest.mark.parametrize(
    ("line", "needle"),
    [
        ("/daily subscribe time:25:00", "isn't a time of day"),
        ("/daily subscribe timezone:Europe/Berln", "Did you mean Europe/Berlin"),
        ("/daily subscribe days:funday", "isn't a set of days"),
        ("/daily subscribe track:nope", "isn't a track"),
        ("/daily pause", "no daily study prompt"),
        ("/daily subscribe timezone:UTC+2 role:@everyone", None),
    ],
)
async def test_input_errors_are_friendly(console, line, needle):
    services, session, out, clock = console
    reply = await session.send(line)
    if needle is None:
        assert reply.kind == "success" and "UTC+02:00" in reply.text
        assert "@everyone" not in reply.text  # never a ping from user text
    else:
        assert reply.kind == "error" and needle in reply.text, reply.text


async def test_skip_pause_resume_unsubscribe_and_list(console):
    services, session, out, clock = console
    assert "No channel" in (await session.send("/daily list")).text
    await session.send("/daily subscribe time:08:01")
    assert "Mon 05 Jan 2026" in (await session.send("/daily skip")).text
    clock.advance(minutes=1)
    await services.scheduler.tick()
    assert out.getvalue() == ""
    assert (await session.send("/daily pause")).kind == "success"
    assert "PAUSED" in (await session.send("/daily list")).plain_text()
    assert "Resumed" in (await session.send("/daily resume")).text
    now_reply = await session.send("/daily now")
    assert now_reply.kind == "success" and out.getvalue().count("📬") == 1
    assert (await session.send("/daily unsubscribe")).kind == "success"
    assert services.scheduler.jobs() == []


async def test_daily_now_posts_todays_prompt_without_advancing_the_track(console):
    services, session, out, clock = console
    await session.send("/daily subscribe time:08:01")
    svc = services.scheduler
    sub = await svc.repo.get("console", "local", session.ctx.channel)
    first = svc.curriculum.sequence("mixed")[0].topic
    for _ in range(3):  # three times in one day: the track advances zero days
        reply = await session.send("/daily now")
        assert reply.kind == "success", reply.text
        assert "copy of today's prompt" in reply.text
    copy_button = session.buttons[0]
    assert copy_button.endswith("|copy")
    assert out.getvalue().count("📬") == 3 and out.getvalue().count(first) == 3
    assert (await svc.repo.get("console", "local", session.ctx.channel)).cursor == sub.cursor
    # the scheduled post of the day carries the same lesson, and is the track's first step
    clock.advance(minutes=1)
    await svc.tick()
    scheduled_button = session.buttons[0]
    assert out.getvalue().count("📬") == 4 and out.getvalue().count(first) == 4
    assert (await svc.repo.get("console", "local", session.ctx.channel)).cursor == sub.cursor + 1
    # a copy's check-in and the scheduled one's are the same prompt: points once
    assert scheduled_button == copy_button.removesuffix("|copy")
    assert "+5" in (await press(session.ctx, copy_button)).text
    assert "already checked in" in (await press(session.ctx, scheduled_button)).text
    # after the day's post, /daily now repeats that day's lesson (still no advance)
    await session.send("/daily now")
    assert out.getvalue().count(first) == 5
    assert (await svc.repo.get("console", "local", session.ctx.channel)).cursor == sub.cursor + 1


async def test_daily_now_refuses_while_paused_unless_forced(console):
    services, session, out, clock = console
    await session.send("/daily subscribe time:08:01")
    await session.send("/daily pause")
    reply = await session.send("/daily now")
    assert reply.kind == "error" and "paused" in reply.text and "force:yes" in reply.text
    assert out.getvalue() == ""  # nothing posted
    reply = await session.send("/daily now force:yes")
    assert reply.kind == "success", reply.text
    assert out.getvalue().count("📬") == 1


async def test_subscribing_again_changes_only_what_is_given(console):
    """Found by a newcomer: `/daily subscribe 8am` reset the timezone, days and track."""
    _, session, _, _ = console
    first = await session.send(
        "/daily subscribe time:07:00 timezone:Europe/Berlin days:weekdays track:interview"
    )
    assert first.kind == "success", first.text
    again = await session.send("/daily subscribe time:08:00")
    assert again.kind == "success", again.text
    text = again.text or ""
    assert "08:00 Europe/Berlin" in text and "interview" in text, text
    assert "every day" not in text, text


async def test_subscribe_by_an_indian_city_posts_at_its_local_time(console):
    """``9am bangalore``: not a tz database city, a GeoNames one (Asia/Kolkata, UTC+05:30),
    so the prompt goes out at 03:30 UTC."""
    services, session, out, clock = console
    reply = await session.send("/daily subscribe 9am bangalore")
    assert reply.kind == "success", reply.text
    assert "Asia/Kolkata" in reply.text
    clock.advance(hours=19, minutes=29)  # Tue 6 Jan 03:29:30 UTC = 08:59:30 in Bengaluru
    await services.scheduler.tick()
    assert out.getvalue() == ""
    clock.advance(minutes=1)
    await services.scheduler.tick()
    assert "📬 Daily study prompt" in out.getvalue()


@pytest.mark.parametrize(
    ("line", "needle"),
    [
        ("/daily subscribe 9am portland", "Portland (US, America/New_York)"),
        ("/daily subscribe 9am pst", "use a city like Los Angeles or America/Los_Angeles"),
        ("/daily subscribe 9am mumbia", "Did you mean Mumbai (Asia/Kolkata)"),
    ],
)
async def test_subscribe_asks_rather_than_guesses_a_timezone(console, line, needle):
    services, session, out, clock = console
    reply = await session.send(line)
    assert reply.kind == "error" and needle in reply.text, reply.text
    listed = await session.send("/daily list")
    assert "09:00" not in listed.plain_text()  # nothing was subscribed


async def test_thread_option_round_trips_and_opens_one_thread_per_prompt(console):
    """``thread:on`` is stored (SQLite and PostgreSQL), /daily list shows it, subscribing again
    without it keeps it, a bad value changes nothing, and each prompt opens one thread."""
    services, session, out, clock = console
    in_a_minute = (clock.now() + timedelta(minutes=1)).strftime("%H:%M")
    reply = await session.send(f"/daily subscribe time:{in_a_minute} thread:on")
    assert reply.kind == "success" and "discussion thread" in reply.text, reply.text
    sub = await services.scheduler.repo.get("console", session.ctx.workspace, session.ctx.channel)
    assert sub.thread is True
    bad = await session.send("/daily subscribe thread:maybe")
    assert bad.kind == "error" and "\n" not in bad.text.strip(), bad.text
    again = await session.send("/daily subscribe track:interview")
    assert again.kind == "success" and "discussion thread" in again.text, again.text
    listed = (await session.send("/daily list")).plain_text()
    assert "discussion thread" in listed and in_a_minute in listed
    clock.advance(minutes=1)
    await services.scheduler.tick()
    shown = out.getvalue()
    assert shown.count("📬") == 1 and shown.count("(discussion thread opened)") == 1
    assert shown.index("📬") < shown.index("(discussion thread opened)")
    clock.advance(minutes=30)
    await services.scheduler.tick()
    assert out.getvalue().count("(discussion thread opened)") == 1
    off = await session.send("/daily subscribe thread:off")
    assert off.kind == "success" and "discussion thread" not in off.text
    sub = await services.scheduler.repo.get("console", session.ctx.workspace, session.ctx.channel)
    assert sub.thread is False and sub.track == "interview"
    listed = (await session.send("/daily list")).plain_text()
    assert "discussion thread" not in listed


async def test_changing_settings_keeps_a_pause(console):
    """A breaker paused a channel, then turned threads on: the reply said "updated" and the
    prompt posted again. Subscribing again changes what is given; only /daily resume resumes."""
    services, session, out, clock = console
    in_a_minute = (clock.now() + timedelta(minutes=1)).strftime("%H:%M")
    await session.send(f"/daily subscribe time:{in_a_minute}")
    await session.send("/daily pause")
    reply = await session.send("/daily subscribe thread:on")
    assert reply.kind == "success" and "stays paused until /daily resume" in reply.text
    sub = await services.scheduler.repo.get("console", session.ctx.workspace, session.ctx.channel)
    assert sub.paused and sub.thread is True
    clock.advance(minutes=2)
    await services.scheduler.tick()
    assert "📬" not in out.getvalue()


async def test_a_scheduled_posts_buttons_answer_to_their_labels(console):
    """After a scheduled prompt prints, its label ("I studied this") presses its button, and an
    older reply's labels no longer do."""
    services, session, out, clock = console
    in_a_minute = (clock.now() + timedelta(minutes=1)).strftime("%H:%M")
    await session.send(f"/daily subscribe time:{in_a_minute}")
    await session.send("/interview nlp")  # its buttons: "Reveal answer outline", …
    clock.advance(minutes=1)
    await services.scheduler.tick()
    assert "📬" in out.getvalue()
    assert "I don't know the command" in (await session.send("reveal answer outline")).text
    checked = await session.send("I studied this")
    assert checked.kind == "success" and "Checked in" in checked.text, checked.text
