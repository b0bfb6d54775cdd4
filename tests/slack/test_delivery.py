"""The Slack delivery port: scheduled posts arrive via chat.postMessage; failures map right."""

from __future__ import annotations

from datetime import date

import pytest

from bot.core.delivery import PermanentDeliveryError, TransientDeliveryError
from bot.core.reply import Button, Entry, Reply
from tests.slack.harness import CHANNEL, check_blocks, shown

REPLY = Reply(
    title="Daily study prompt: linear algebra",
    text="Today: vectors & matrices <!channel>",
    items=(Entry("Question to answer", "What is a dot product?", "authored"),),
    buttons=(Button("✅ Check in", "mle|daily.checkin|s1-20260105", "success"),),
    footer="Source: authored",
)


async def test_post_uses_chat_post_message(bot, fake):
    ts = await bot.delivery.post("T0001", CHANNEL, REPLY)
    [call] = fake.called("chat.postMessage")
    assert call.token == "xoxb-test"
    assert call.data["channel"] == CHANNEL
    assert ts.startswith("1700000000.")
    check_blocks(call.data["blocks"])
    assert call.data["text"].startswith("Daily study prompt")
    assert "&lt;!channel&gt;" in call.data["text"]  # escaped: the fallback can't ping either
    assert call.data["blocks"][-1]["elements"][0]["value"] == "mle|daily.checkin|s1-20260105"


async def test_scheduled_prompt_through_the_scheduler_engine(bot, fake, content):
    engine_mod = pytest.importorskip("scheduler.engine")
    prompt_mod = pytest.importorskip("scheduler.prompt")
    curriculum_mod = pytest.importorskip("scheduler.curriculum")
    curriculum = curriculum_mod.Curriculum(content.curriculum)
    track = curriculum.tracks()[0]
    pick = curriculum.next(track, [], 0)
    reply = prompt_mod.build_prompt(
        content,
        pick,
        track=track,
        prompt=prompt_mod.prompt_id(1, date(2026, 1, 5), 0),
        local_date=date(2026, 1, 5),
    )
    engine = engine_mod.DeliveryEngine({"slack": bot.delivery}, limits={})
    outcome = await engine.deliver("slack", "T0001", CHANNEL, reply)
    assert outcome.status == "sent"
    [call] = fake.called("chat.postMessage")
    assert call.data["channel"] == CHANNEL
    assert outcome.message_id == "1700000000.000001"  # the ts the fake answered
    check_blocks(call.data["blocks"])
    assert pick.lesson.topic in shown(call.data)


async def test_rate_limit_is_retried_per_retry_after(bot, fake):
    fake.fail("chat.postMessage", "ratelimited", status=429, headers={"Retry-After": "0"})
    ts = await bot.delivery.post("T0001", CHANNEL, REPLY)
    assert ts
    assert len(fake.called("chat.postMessage")) == 2


async def test_persistent_rate_limit_is_transient_with_retry_after(bot, fake):
    for _ in range(3):
        fake.fail("chat.postMessage", "ratelimited", status=429, headers={"Retry-After": "0"})
    with pytest.raises(TransientDeliveryError) as err:
        await bot.delivery.post("T0001", CHANNEL, REPLY)
    assert err.value.retry_after == 0.0
    assert len(fake.called("chat.postMessage")) == 3  # first try + two retries


@pytest.mark.parametrize(
    "error", ["channel_not_found", "not_in_channel", "is_archived", "missing_scope", "invalid_auth"]
)
async def test_permanent_errors(bot, fake, error):
    fake.failures["chat.postMessage"].append(
        (200, {"ok": False, "error": error, "needed": "chat:write.public"}, {})
    )
    with pytest.raises(PermanentDeliveryError) as err:
        await bot.delivery.post("T0001", CHANNEL, REPLY)
    assert error in str(err.value)
    if error == "missing_scope":
        assert err.value.missing_permission == "chat:write.public"


@pytest.mark.parametrize(
    "status,error", [(500, "internal_error"), (503, "service_unavailable"), (200, "fatal_error")]
)
async def test_server_errors_are_transient(bot, fake, status, error):
    fake.fail("chat.postMessage", error, status=status)
    with pytest.raises(TransientDeliveryError):
        await bot.delivery.post("T0001", CHANNEL, REPLY)


async def test_unreachable_slack_is_transient(slack_services):
    from bot.adapters.slack.app import SlackBot

    slack_services.settings.slack_api_url = "http://127.0.0.1:9/api/"
    bot = SlackBot(slack_services)
    try:
        with pytest.raises(TransientDeliveryError):
            await bot.delivery.post("T0001", CHANNEL, REPLY)
    finally:
        await bot.close()


async def test_notify_admin_dms_the_configured_admins(bot, fake):
    await bot.delivery.notify_admin("T0001", "C0009", "the bot is not in the channel <!here>")
    calls = fake.called("chat.postMessage")
    assert sorted(c.data["channel"] for c in calls) == ["ULISTED1", "ULISTED2"]
    text = calls[0].data["text"]
    assert "<#C0009>" in text and "&lt;!here&gt;" in text and "<!here>" not in text
