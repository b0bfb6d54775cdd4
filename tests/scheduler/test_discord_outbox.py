"""Scheduled posts on the local Discord under faults: the nonce (enforce_nonce) and the
history ``find`` keep each delivery to one message. Real discord.py against the fake."""

from __future__ import annotations

from bot.adapters.discord.delivery import DiscordDelivery
from tests.discord.conftest import bot, clock, discord_services, fake, guild  # noqa: F401
from tests.scheduler.outbox_common import KEY, PROMPT, engine, since


def _posts(fake, channel):  # noqa: F811
    return [m for m in fake.channel_posts if m["channel_id"] == channel]


def _tries(fake, channel):  # noqa: F811
    return [
        r for r in fake.requests if r.method == "POST" and r.path == f"/channels/{channel}/messages"
    ]


async def test_502_after_accept_gives_one_message(fake, bot, guild):  # noqa: F811
    channel = next(iter(guild.channels))
    fake.fault("502", 2.5)
    out = await engine("discord", bot.delivery).deliver(
        "discord", guild.id, channel, PROMPT, KEY, since=since()
    )
    assert out.status in ("sent", "reconciled"), out
    [msg] = _posts(fake, channel)
    tries = _tries(fake, channel)
    assert len(tries) >= 2  # discord.py retried the 502 …
    assert all(t.body["nonce"] == KEY and t.body["enforce_nonce"] for t in tries)  # … one nonce
    assert out.message_id in (msg["id"], None)


async def test_reset_after_accept_is_reconciled_not_reposted(fake, bot, guild):  # noqa: F811
    channel = next(iter(guild.channels))
    fake.fault("reset", 0.8)
    out = await engine("discord", bot.delivery).deliver(
        "discord", guild.id, channel, PROMPT, KEY, since=since()
    )
    [msg] = _posts(fake, channel)
    assert out.status == "reconciled" and out.message_id == msg["id"], out
    assert len(_tries(fake, channel)) == 1  # found in the history: never sent again


async def test_429_storm_longer_than_a_retry_after_posts_once(fake, bot, guild):  # noqa: F811
    channel = next(iter(guild.channels))
    fake.fault("429", 1.5, retry_after=45.0)  # past discord.py's max_ratelimit_timeout
    out = await engine("discord", bot.delivery, cap=0.6).deliver(
        "discord", guild.id, channel, PROMPT, KEY, since=since()
    )
    assert out.status == "sent", out
    assert len(_posts(fake, channel)) == 1 and len(_tries(fake, channel)) >= 2


async def test_slow_answer_times_out_and_still_one_message(fake, bot, guild):  # noqa: F811
    channel = next(iter(guild.channels))
    fake.fault("slow", 2.0, delay=1.5)
    port = DiscordDelivery(bot, timeout=0.4)  # the short per-call timeout
    out = await engine("discord", port).deliver(
        "discord", guild.id, channel, PROMPT, KEY, since=since()
    )
    assert out.status in ("sent", "reconciled"), out
    assert len(_posts(fake, channel)) == 1


async def test_find_ignores_other_messages_and_extra_copies(fake, bot, guild):  # noqa: F811
    from bot.core.reply import Button, Reply

    channel = next(iter(guild.channels))
    copy = Reply(title="copy", buttons=(Button("I studied this", f"mle|daily-in|{KEY}|copy"),))
    await bot.delivery.post(guild.id, channel, copy)  # /daily now's copy: no key
    assert await bot.delivery.find(guild.id, channel, KEY, since()) is None
    mid = await bot.delivery.post(guild.id, channel, PROMPT, KEY)
    assert await bot.delivery.find(guild.id, channel, KEY, since()) == mid
    assert await bot.delivery.find(guild.id, channel, "s2-20260105", since()) is None
