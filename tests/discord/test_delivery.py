"""Scheduled posts: the Discord delivery port against the fake, directly and via the scheduler;
sharding; and ``python -m bot discord sync``."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import timedelta

import pytest

from bot.app import build_services, load_commands
from bot.core.clock import FakeClock
from bot.core.delivery import PermanentDeliveryError, TransientDeliveryError
from bot.core.registry import REGISTRY
from bot.core.reply import Button, Entry, Reply
from tests.discord import rules
from tests.discord.conftest import custom_ids, discord_settings, running, shown
from tests.discord.fake_discord import (
    EMBED_LINKS,
    MANAGE_GUILD,
    MEMBER_DEFAULT,
    SEND_MESSAGES,
    FakeDiscord,
)
from tests.discord.helpers import command_payload

load_commands()

PROMPT = Reply(
    title="Daily study prompt — @everyone",
    text="Today: <@123> bias and variance.",
    items=(Entry("Read", "Chapter 2", "guide.txt"),),
    buttons=(Button("Check in", "mle|daily-in|1|2026-01-05"),),
)


async def test_post_arrives_as_a_channel_message(fake, bot, guild):
    channel = next(iter(guild.channels))
    mid = await bot.delivery.post(guild.id, channel, PROMPT)
    [post] = fake.channel_posts
    assert post["id"] == mid and post["channel_id"] == channel
    assert rules.message_problems(post) == []
    assert post["_allowed_mentions"] == {"parse": []}
    assert "Check in" in shown(post) and "bias and variance" in shown(post)


async def test_rate_limit_is_retried_by_discord_py(fake, bot, guild):
    channel = next(iter(guild.channels))
    fake.fail_next("POST", rf"/channels/{channel}/messages", 429, {"retry_after": 0.01})
    await bot.delivery.post(guild.id, channel, PROMPT)
    tries = [
        r for r in fake.requests if r.method == "POST" and r.path == f"/channels/{channel}/messages"
    ]
    assert len(tries) == 2 and len(fake.channel_posts) == 1


async def test_long_rate_limit_is_transient_with_retry_after(fake, discord_services, guild):
    channel = next(iter(guild.channels))
    async with running(fake, discord_services, max_ratelimit_timeout=1.0) as bot:
        fake.fail_next("POST", rf"/channels/{channel}/messages", 429, {"retry_after": 42.5})
        with pytest.raises(TransientDeliveryError) as err:
            await bot.delivery.post(guild.id, channel, PROMPT)
        assert err.value.retry_after == 42.5
        assert fake.channel_posts == []


@pytest.mark.parametrize(
    ("deny", "missing"), [(EMBED_LINKS, "Embed Links"), (SEND_MESSAGES, "Send Messages")]
)
async def test_missing_permission_names_it(fake, discord_services, guild, deny, missing):
    channel = fake.add_channel(guild, deny=deny)  # before the bot connects: GUILD_CREATE has it
    async with running(fake, discord_services) as bot:
        with pytest.raises(PermanentDeliveryError) as err:
            await bot.delivery.post(guild.id, channel, PROMPT)
        assert err.value.missing_permission == missing
        assert missing in str(err.value)


async def test_unknown_channel_is_permanent(fake, bot, guild):
    with pytest.raises(PermanentDeliveryError):
        await bot.delivery.post(guild.id, "123456789012345678", PROMPT)


async def test_notify_admin_posts_somewhere_the_bot_can(fake, discord_services, guild):
    blocked = fake.add_channel(guild, deny=SEND_MESSAGES)
    async with running(fake, discord_services) as bot:
        await bot.delivery.notify_admin(
            guild.id, blocked, "I can't post in #study: missing Send Messages."
        )
        [post] = fake.channel_posts
        assert post["channel_id"] != blocked and "Send Messages" in shown(post)


async def test_scheduled_prompt_through_the_scheduler(fake, bot, guild, clock):
    services = bot.services
    at = (clock.now() + timedelta(minutes=1)).strftime("%H:%M")
    cmd = REGISTRY.commands[("daily", "subscribe")]
    name, options = command_payload(bot.commands, cmd, {"time": at})
    assert name == "daily-admin"
    inter = fake.command(guild, name, options, perms=MEMBER_DEFAULT | MANAGE_GUILD)
    await fake.interact(inter)
    ok = await fake.settle(inter["token"])
    assert f"{at} UTC" in shown(ok), shown(ok)

    await services.scheduler.tick()
    assert fake.channel_posts == []
    clock.advance(minutes=1)
    await services.scheduler.tick()
    [post] = fake.channel_posts
    assert post["channel_id"] == inter["channel_id"]
    assert rules.message_problems(post) == [] and post["_allowed_mentions"] == {"parse": []}
    assert "Daily study prompt" in shown(post)
    # A member checks in with the posted button.
    [(label, cid)] = [b for b in custom_ids(post) if b[1].startswith("mle|daily-in")]
    click = fake.click(guild, fake.public(post), cid, user=("333", "grace"))
    cb = await fake.interact(click)
    final = await fake.settle(click["token"])
    assert cb.type in (4, 7) and "Checked in" in shown(final)
    assert final["flags"] & 64  # personal
    clock.advance(minutes=30)
    await services.scheduler.tick()
    assert len(fake.channel_posts) == 1  # once a day


async def test_scheduler_reports_a_missing_permission(fake, discord_services, guild, clock):
    channel = fake.add_channel(guild, deny=EMBED_LINKS)
    async with running(fake, discord_services) as bot:
        at = (clock.now() + timedelta(minutes=1)).strftime("%H:%M")
        name, options = command_payload(
            bot.commands, REGISTRY.commands[("daily", "subscribe")], {"time": at}
        )
        inter = fake.command(
            guild, name, options, channel=channel, perms=MEMBER_DEFAULT | MANAGE_GUILD
        )
        await fake.interact(inter)
        await fake.settle(inter["token"])
        clock.advance(minutes=1)
        await bot.services.scheduler.tick()
        notes = [m for m in fake.channel_posts if m["channel_id"] != channel]
        assert notes and "Embed Links" in shown(notes[0]), [shown(m) for m in fake.channel_posts]


async def test_shards_split_guilds_between_processes(content):
    fake = FakeDiscord()
    while len({fake.shard_of(g, 2) for g in fake.guilds}) < 2:
        fake.add_guild(f"g{len(fake.guilds)}")
    await fake.start()
    try:
        bots = []
        for shard in (0, 1):
            settings = discord_settings(fake, DISCORD_SHARD_COUNT="2", DISCORD_SHARD_IDS=str(shard))
            services = build_services(settings, clock=FakeClock(), content=content)
            bots.append(running(fake, services))
        async with bots[0] as zero, bots[1] as one:
            assert sorted(tuple(i["shard"]) for i in fake.identifies) == [(0, 2), (1, 2)]
            for gid, g in fake.guilds.items():
                shard = fake.shard_of(gid, 2)
                owner, other = (zero, one) if shard == 0 else (one, zero)
                assert owner.delivery.serves(gid) and not other.delivery.serves(gid)
                assert owner.get_guild(int(gid)) is not None and other.get_guild(int(gid)) is None
                # An interaction in that guild arrives on the owner's shard and is answered.
                cmd = REGISTRY.commands[("salary",)]
                name, options = command_payload(owner.commands, cmd, {"country": "uk"})
                inter = fake.command(g, name, options)
                assert fake.session_for(gid).identify["shard"] == [shard, 2]
                await fake.interact(inter)
                assert "£55,000" in shown(await fake.settle(inter["token"]))
    finally:
        await fake.close()


async def test_auto_sharding_follows_gateway_bot(content):
    fake = FakeDiscord(shard_count=2)
    fake.add_guild()
    await fake.start()
    try:
        settings = discord_settings(fake, DISCORD_GATEWAY_URL="")  # discovered from /gateway/bot
        services = build_services(settings, clock=FakeClock(), content=content)
        async with running(fake, services) as bot:
            assert bot.shard_count == 2
            assert sorted(tuple(i["shard"]) for i in fake.identifies) == [(0, 2), (1, 2)]
            assert all(s.query["compress"] == "zlib-stream" for s in fake.sessions)
    finally:
        await fake.close()


async def test_cli_sync_to_a_guild_and_globally(fake, guild):
    env = {**os.environ, "DISCORD_TOKEN": fake.token, "DISCORD_API_BASE": fake.api_base}
    for args in (["--guild", guild.id], []):
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "discord",
            "sync",
            *args,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(proc.communicate(), 60)
        assert proc.returncode == 0, err.decode()
        assert "Synced" in out.decode() and "/salary" in out.decode()
    assert set(fake.commands) == {guild.id, "global"}
    names = {c["name"] for c in fake.commands["global"]}
    assert {"salary", "daily", "daily-admin", "group"} <= names
    assert not any(r.path == "/gateway" for r in fake.requests)  # sync never opens the gateway
    assert fake.sessions == []


async def test_python_m_bot_run_serves_discord_without_the_console(fake, guild, tmp_path):
    env = {
        **os.environ,
        "DISCORD_TOKEN": fake.token,
        "DISCORD_API_BASE": fake.api_base,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'run.db'}",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("SLACK_BOT_TOKEN", None)
    env.pop("BOT_CONSOLE", None)
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        env=env,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await fake.wait_ready(within=60)
        fake.commands["global"] = []  # not synced: the bot must not sync on start
        from bot.adapters.discord.commands import build

        cs = build(REGISTRY)
        name, options = command_payload(cs, REGISTRY.commands[("salary",)], {"country": "germany"})
        inter = fake.command(guild, name, options)
        await fake.interact(inter, within=30)
        assert "€75,000" in shown(await fake.settle(inter["token"]))
        assert not any(r.method == "PUT" for r in fake.requests)
    finally:
        proc.terminate()
        out, _ = await asyncio.wait_for(proc.communicate(), 30)
    assert b"Type /help" not in out  # the console stayed off


async def test_weekly_recap_through_the_scheduler(fake, bot, guild, clock):
    """An admin sets the recap with the slash command; the scheduler posts it once at that
    minute; its button opens the presser's review; ``find`` recognises it by its key."""
    from datetime import UTC, datetime

    services = bot.services

    async def admin(path, raw):
        name, options = command_payload(bot.commands, REGISTRY.commands[path], raw)
        inter = fake.command(guild, name, options, perms=MEMBER_DEFAULT | MANAGE_GUILD)
        await fake.interact(inter)
        return inter, await fake.settle(inter["token"])

    await admin(("daily", "subscribe"), {"time": "07:00"})  # today's prompt time has passed
    at = (clock.now() + timedelta(minutes=1)).strftime("%H:%M")
    inter, ok = await admin(("daily", "recap"), {"day": "mon", "time": at})
    assert f"Next recap: Mon 05 Jan 2026, {at} (UTC)" in shown(ok), shown(ok)

    await services.scheduler.tick()
    assert fake.channel_posts == []
    clock.advance(minutes=1)
    report = await services.scheduler.tick()
    [post] = fake.channel_posts
    assert report.recaps and report.recaps[0][2] == "sent"
    assert post["channel_id"] == inter["channel_id"] and "Weekly recap" in shown(post)
    assert rules.message_problems(post) == [] and post["_allowed_mentions"] == {"parse": []}
    [(label, cid)] = custom_ids(post)
    assert label == "Review what's due" and cid.startswith("mle|recap.rv|r")
    key = cid.rsplit("|", 1)[1]
    found = await bot.delivery.find(
        guild.id, inter["channel_id"], key, datetime.now(UTC) - timedelta(minutes=5)
    )
    assert found == post["id"]
    click = fake.click(guild, fake.public(post), cid, user=("333", "grace"))
    await fake.interact(click)
    final = await fake.settle(click["token"])
    assert "review queue is empty" in shown(final) and final["flags"] & 64
    clock.advance(minutes=30)
    await services.scheduler.tick()
    assert len(fake.channel_posts) == 1  # once a week


async def _admin(fake, bot, guild, path, raw, channel=None):
    name, options = command_payload(bot.commands, REGISTRY.commands[path], raw)
    extra = {"channel": channel} if channel else {}
    inter = fake.command(guild, name, options, perms=MEMBER_DEFAULT | MANAGE_GUILD, **extra)
    await fake.interact(inter)
    return inter, await fake.settle(inter["token"])


async def test_thread_on_opens_one_thread_per_prompt(fake, bot, guild, clock):
    services = bot.services
    at = (clock.now() + timedelta(minutes=1)).strftime("%H:%M")
    inter, ok = await _admin(fake, bot, guild, ("daily", "subscribe"), {"time": at, "thread": "on"})
    assert "discussion thread" in shown(ok), shown(ok)
    clock.advance(minutes=1)
    await services.scheduler.tick()
    [post] = fake.channel_posts
    [thread] = fake.threads.values()
    assert thread["id"] == post["id"] and thread["parent_id"] == inter["channel_id"]
    lesson = services.scheduler.curriculum.sequence("mixed")[0]
    assert thread["name"].startswith("Day 1 · ") and lesson.topic[:40] in thread["name"]
    assert len(thread["name"]) <= 100 and "@" not in thread["name"]
    [req] = [r for r in fake.requests if r.path.endswith("/threads")]
    assert req.body["auto_archive_duration"] == 1440
    clock.advance(minutes=30)
    await services.scheduler.tick()
    assert len(fake.channel_posts) == 1 and len(fake.threads) == 1
    # Asked again (a retry), Discord's "already has a thread" counts as done.
    again = await bot.delivery.open_thread(guild.id, inter["channel_id"], post["id"], "Day 1 · x")
    assert again == post["id"] and len(fake.threads) == 1


async def test_thread_off_and_recap_open_no_thread(fake, bot, guild, clock):
    services = bot.services
    await _admin(fake, bot, guild, ("daily", "subscribe"), {"time": "07:00"})
    at = (clock.now() + timedelta(minutes=1)).strftime("%H:%M")
    await _admin(fake, bot, guild, ("daily", "recap"), {"day": "mon", "time": at})
    await _admin(fake, bot, guild, ("daily", "subscribe"), {"thread": "on"})
    clock.advance(minutes=1)
    report = await services.scheduler.tick()
    assert [status for *_, status in report.recaps] == ["sent"]
    assert fake.threads == {}  # a recap never opens one
    # Thread off: the next prompt (tomorrow 07:00) opens none either.
    _, ok = await _admin(fake, bot, guild, ("daily", "subscribe"), {"thread": "off"})
    assert "discussion thread" not in shown(ok)
    clock.advance(hours=23)
    report = await services.scheduler.tick()
    assert report.sent and fake.threads == {}


@pytest.mark.parametrize("status", [403, 500])
async def test_thread_failure_keeps_the_prompt_sent_once(fake, bot, guild, clock, caplog, status):
    services = bot.services
    at = (clock.now() + timedelta(minutes=1)).strftime("%H:%M")
    await _admin(fake, bot, guild, ("daily", "subscribe"), {"time": at, "thread": "on"})
    for _ in range(6):  # more than discord.py's own retries of a 5xx
        fake.fail_next("POST", r"/messages/\d+/threads$", status)
    bot.delivery.timeout = 0.5  # discord.py backs off for seconds between 5xx retries
    clock.advance(minutes=1)
    report = await services.scheduler.tick()
    assert report.sent and not report.retry and not report.failed
    [post] = fake.channel_posts
    assert fake.threads == {}
    [row] = await services.scheduler.repo.deliveries(1)
    assert row.status == "sent" and row.message_id == post["id"]
    assert "no discussion thread" in caplog.text and fake.token not in caplog.text
    assert not (await services.scheduler.repo.by_id(1)).paused
    clock.advance(minutes=30)
    await services.scheduler.tick()
    assert len(fake.channel_posts) == 1
