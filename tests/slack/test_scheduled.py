"""Daily prompts end to end on Slack: an admin subscribes with /mle, the real scheduler posts
through the Slack delivery port (chat.postMessage at the fake), a member checks in with the
posted button, and the leaderboard and App Home show it."""

from __future__ import annotations

from datetime import timedelta

from tests.slack.conftest import ADMIN
from tests.slack.fake_slack import THREAD_REPLY
from tests.slack.harness import CHANNEL, TEAM, USER, buttons, check_blocks, check_message, shown


async def test_subscribe_post_checkin_leaderboard_home(slack, fake, bot, clock):
    services = bot.services
    at = (clock.now() + timedelta(minutes=1)).strftime("%H:%M")
    member_try = await slack.run(f"daily subscribe time:{at}", user=USER)
    assert member_try["response_type"] == "ephemeral" and "Only admins" in shown(member_try)

    ok = await slack.run(f"daily subscribe time:{at}", user=ADMIN)
    check_message(ok)
    assert ":warning:" not in shown(ok), shown(ok)
    assert f"{at} UTC" in shown(ok)

    await services.scheduler.tick()
    assert fake.called("chat.postMessage") == []  # not yet
    clock.advance(minutes=1)
    await services.scheduler.tick()
    [post] = fake.called("chat.postMessage")
    assert post.token == "xoxb-test" and post.data["channel"] == CHANNEL
    check_blocks(post.data["blocks"])
    assert "Daily study prompt" in post.data["text"]
    first = services.scheduler.curriculum.sequence("mixed")[0]
    assert first.topic in shown(post.data)

    [checkin] = buttons(post.data)
    answer = await slack.press(checkin, user=USER)
    check_message(answer)
    assert answer["response_type"] == "ephemeral" and answer["replace_original"] is False
    assert "Checked in" in shown(answer) and "Streak: 1" in shown(answer)

    board = await slack.run("leaderboard")
    check_message(board)
    assert "ada" in shown(board).lower()

    clock.advance(minutes=30)
    await services.scheduler.tick()
    assert len(fake.called("chat.postMessage")) == 1  # once a day

    await slack.home_opened(user=USER)
    [home] = await fake.wait_for(lambda: fake.called("views.publish"))
    view = home.data["view"]
    check_blocks(view["blocks"], max_blocks=100)
    text = shown({"text": "", "blocks": view["blocks"]})
    assert "once the bot's storage is set up" not in text
    assert "ada" in text.lower()
    assert "went wrong" not in text
    # Today's prompt: the subscribed channel's next lesson.
    assert "Next topic" in text and services.scheduler.curriculum.sequence("mixed")[1].topic in text


async def test_weekly_recap_posts_once_and_is_findable(slack, fake, bot, clock):
    """/mle daily recap sets it; the scheduler posts it once through chat.postMessage with its
    key in the message metadata, so ``find`` (conversations.history) recognises it."""
    from datetime import UTC, datetime

    services = bot.services
    check_message(await slack.run("daily subscribe time:07:00", user=ADMIN))
    at = (clock.now() + timedelta(minutes=1)).strftime("%H:%M")
    refused = await slack.run(f"daily recap day:mon time:{at}", user=USER)
    assert "Only admins" in shown(refused)
    ok = await slack.run(f"daily recap day:mon time:{at}", user=ADMIN)
    check_message(ok)
    assert f"Next recap: Mon 05 Jan 2026, {at} (UTC)" in shown(ok), shown(ok)

    await services.scheduler.tick()
    assert fake.called("chat.postMessage") == []
    clock.advance(minutes=1)
    await services.scheduler.tick()
    [post] = fake.called("chat.postMessage")
    assert post.data["channel"] == CHANNEL and "Weekly recap" in post.data["text"]
    check_blocks(post.data["blocks"])
    key = post.data["metadata"]["event_payload"]["key"]
    assert key.startswith("r")
    found = await bot.delivery.find(TEAM, CHANNEL, key, datetime.now(UTC) - timedelta(minutes=5))
    assert found is not None
    [review] = buttons(post.data)
    answer = await slack.press(review, user=USER)
    assert answer["response_type"] == "ephemeral" and "review queue is empty" in shown(answer)
    clock.advance(minutes=30)
    await services.scheduler.tick()
    assert len(fake.called("chat.postMessage")) == 1  # once a week


async def test_thread_on_opens_one_discussion_thread_per_prompt(slack, fake, bot, clock):
    services = bot.services
    at = (clock.now() + timedelta(minutes=1)).strftime("%H:%M")
    ok = await slack.run(f"daily subscribe time:{at} thread:on", user=ADMIN)
    check_message(ok)
    assert "discussion thread" in shown(ok)
    clock.advance(minutes=1)
    await services.scheduler.tick()
    [prompt] = fake.posted(CHANNEL)
    assert "Daily study prompt" in prompt["text"]
    [opener] = fake.thread_replies[(CHANNEL, prompt["ts"])]
    assert opener["text"] == "Post your answer to today's question here 👇"
    assert "<!" not in opener["text"] and "<@" not in opener["text"]
    clock.advance(minutes=30)
    await services.scheduler.tick()
    assert len(fake.called("chat.postMessage")) == 2  # the prompt and its opener, once
    rows = await services.scheduler.repo.deliveries(1)
    assert [r.status for r in rows] == ["sent"]


async def test_thread_off_opens_none_and_recap_never_does(slack, fake, bot, clock):
    """Off by default; turned on, the weekly recap still gets no thread (prompts only)."""
    services = bot.services
    check_message(await slack.run("daily subscribe time:07:00", user=ADMIN))
    at = (clock.now() + timedelta(minutes=1)).strftime("%H:%M")
    check_message(await slack.run(f"daily recap day:mon time:{at}", user=ADMIN))
    check_message(await slack.run("daily subscribe thread:on", user=ADMIN))
    listed = await slack.run("daily list")
    assert "07:00" in shown(listed) and "discussion thread" in shown(listed)
    clock.advance(minutes=1)
    report = await services.scheduler.tick()
    assert [status for *_, status in report.recaps] == ["sent"]
    [recap] = fake.posted(CHANNEL)
    assert "Weekly recap" in recap["text"]
    assert not fake.thread_replies and not any(
        c.data.get("thread_ts") for c in fake.called("chat.postMessage")
    )


async def test_thread_off_by_default_posts_no_thread(slack, fake, bot, clock):
    services = bot.services
    at = (clock.now() + timedelta(minutes=1)).strftime("%H:%M")
    ok = await slack.run(f"daily subscribe time:{at}", user=ADMIN)
    assert "discussion thread" not in shown(ok)
    clock.advance(minutes=1)
    await services.scheduler.tick()
    assert len(fake.posted(CHANNEL)) == 1 and not fake.thread_replies


async def test_thread_failure_leaves_the_prompt_sent_once(slack, fake, bot, clock, caplog):
    services = bot.services
    at = (clock.now() + timedelta(minutes=1)).strftime("%H:%M")
    check_message(await slack.run(f"daily subscribe time:{at} thread:on", user=ADMIN))
    fake.fail(THREAD_REPLY, "internal_error", status=500)
    clock.advance(minutes=1)
    report = await services.scheduler.tick()
    assert report.sent and not report.retry and not report.failed
    assert len(fake.posted(CHANNEL)) == 1 and not fake.thread_replies
    [row] = await services.scheduler.repo.deliveries(1)
    assert row.status == "sent" and row.message_id == fake.posted(CHANNEL)[0]["ts"]
    assert "no discussion thread" in caplog.text and "xoxb-test" not in caplog.text
    sub = await services.scheduler.repo.by_id(1)
    assert not sub.paused  # a thread failure never pauses the channel
    clock.advance(minutes=30)
    await services.scheduler.tick()
    assert len(fake.posted(CHANNEL)) == 1  # not re-posted
