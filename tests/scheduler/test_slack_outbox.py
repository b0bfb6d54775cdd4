"""Scheduled posts on the local Slack under faults: message metadata and a history ``find``
keep each delivery to one message; no connection-error retry re-sends chat.postMessage."""

from __future__ import annotations

from bot.adapters.slack.delivery import EVENT_TYPE, SlackDelivery
from tests.scheduler.outbox_common import KEY, PROMPT, engine, since
from tests.slack.conftest import (  # noqa: F401
    _no_oauth_env,
    bot,
    clock,
    fake,
    slack_services,
)
from tests.slack.harness import CHANNEL

WS = "T0001"


def _posts(fake):  # noqa: F811
    return len(fake.called("chat.postMessage"))


async def test_post_carries_the_key_as_metadata_and_find_sees_it(fake, bot):  # noqa: F811
    ts = await bot.delivery.post(WS, CHANNEL, PROMPT, KEY)
    [msg] = fake.posted(CHANNEL)
    assert msg["metadata"] == {"event_type": EVENT_TYPE, "event_payload": {"key": KEY}}
    assert await bot.delivery.find(WS, CHANNEL, KEY, since()) == ts
    assert await bot.delivery.find(WS, CHANNEL, "s9-20260105", since()) is None


async def test_502_after_accept_is_reconciled_not_reposted(fake, bot):  # noqa: F811
    fake.fault("502", 0.8)
    out = await engine("slack", bot.delivery).deliver(
        "slack", WS, CHANNEL, PROMPT, KEY, since=since()
    )
    [msg] = fake.posted(CHANNEL)
    assert out.status == "reconciled" and out.message_id == msg["ts"], out
    assert _posts(fake) == 1


async def test_reset_after_accept_is_not_retried_by_the_client(fake, bot):  # noqa: F811
    fake.fault("reset", 0.8)
    out = await engine("slack", bot.delivery).deliver(
        "slack", WS, CHANNEL, PROMPT, KEY, since=since()
    )
    assert len(fake.posted(CHANNEL)) == 1
    assert _posts(fake) == 1  # slack_sdk's connection-error retry is off for delivery
    assert out.status == "reconciled", out


async def test_429_storm_posts_once(fake, bot):  # noqa: F811
    fake.fault("429", 1.2, retry_after=0)
    out = await engine("slack", bot.delivery, cap=0.6).deliver(
        "slack", WS, CHANNEL, PROMPT, KEY, since=since()
    )
    assert out.status == "sent", out
    assert len(fake.posted(CHANNEL)) == 1 and _posts(fake) >= 2


async def test_slow_answer_times_out_then_reconciles(fake, bot):  # noqa: F811
    port = SlackDelivery(bot.client_for, timeout=1)  # the short per-call timeout
    fake.fault("slow", 1.5, delay=1.6)
    out = await engine("slack", port, cap=0.6).deliver(
        "slack", WS, CHANNEL, PROMPT, KEY, since=since()
    )
    assert out.status in ("sent", "reconciled"), out
    assert len(fake.posted(CHANNEL)) == 1
