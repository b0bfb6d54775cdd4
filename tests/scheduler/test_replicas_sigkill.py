"""Two ``python -m bot run`` processes on one PostgreSQL against the local Discord; one is
killed with SIGKILL while its posts are in flight (the platform answering slowly): every
subscribed channel shows the day's prompt exactly once, within about a minute of its due
time (issue #14, "Done when"). Real processes, real discord.py, real database; real time
(the test waits for the next due minute, so it takes one to two minutes)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.discord.fake_discord import FakeDiscord
from tests.scheduler.conftest import PG_HOST
from tests.scheduler.test_first_start import _admin

ROOT = Path(__file__).resolve().parents[2]
CHANNELS = 12


@pytest.mark.timeout(600)  # waits for the next due minute in real time
@pytest.mark.parametrize("fault", ["slow", "502"])
async def test_sigkill_one_of_two_replicas_mid_fan_out(pg_database, tmp_path, fault):
    if pg_database is None:
        pytest.skip("PostgreSQL unreachable")
    from bot.store import migrate
    from bot.store.engine import make_engine
    from scheduler.repository import Repository

    name = f"mle_kill_{uuid.uuid4().hex[:10]}"
    await _admin(f'CREATE DATABASE "{name}"')
    url = f"postgresql+asyncpg://postgres@{PG_HOST}:5432/{name}"
    fake = await FakeDiscord().start()
    guild = fake.add_guild("Study Group", channels=CHANNELS)
    procs: list[asyncio.subprocess.Process] = []
    engine = make_engine(url)
    try:
        await migrate.upgrade(engine)
        repo = Repository(engine)
        now = datetime.now(UTC)
        due = (now + timedelta(seconds=45)).replace(second=0, microsecond=0) + timedelta(minutes=1)
        for cid in guild.channels:
            await repo.subscribe(
                "discord",
                guild.id,
                cid,
                time=f"{due:%H:%M}",
                timezone="UTC",
                days="mon,tue,wed,thu,fri,sat,sun",
                track="mixed",
                role=None,
                by="admin",
                now=now,
            )
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DISCORD_TOKEN": fake.token,
            "DISCORD_API_BASE": fake.api_base,
            "DISCORD_GATEWAY_URL": fake.gateway_url,
            "LOG_LEVEL": "INFO",
        }
        env.pop("SLACK_BOT_TOKEN", None)
        for i in range(2):
            procs.append(
                await asyncio.create_subprocess_exec(
                    sys.executable,
                    "-m",
                    "bot",
                    "run",
                    cwd=ROOT,
                    env=env,
                    stdout=os.open(tmp_path / f"out{i}.log", os.O_WRONLY | os.O_CREAT),
                    stderr=subprocess.STDOUT,
                )
            )
        await fake.wait_ready(2, within=40)
        # The platform misbehaves from just before the due minute: posts are in flight.
        await asyncio.sleep(max(0.0, (due - datetime.now(UTC)).total_seconds() - 0.5))
        if fault == "slow":
            fake.fault("slow", 6, delay=2.5)
        else:  # create the message, then answer 502 for half a minute
            fake.fault("502", 30, reads=False)
        await asyncio.sleep(max(0.0, (due - datetime.now(UTC)).total_seconds() + 1.0))
        # Kill the process that owns the claims in flight (owner = host:pid:…).
        owners = {r.owner for r in await repo.deliveries() if r.status in ("claimed", "sending")}
        pids = {int(o.split(":")[1]) for o in owners if o}
        victim = next((p for p in procs if p.pid in pids), procs[0])
        assert pids, "no post in flight at the kill"
        victim.send_signal(signal.SIGKILL)
        await victim.wait()

        first_seen: dict[str, float] = {}
        t_due = time.time() - (datetime.now(UTC) - due).total_seconds()
        stop = time.time() + 150
        while time.time() < stop:
            for m in fake.channel_posts:
                first_seen.setdefault(m["id"], time.time())
            channels = {m["channel_id"] for m in fake.channel_posts}
            if len(channels) == CHANNELS and time.time() > t_due + 75:
                break
            await asyncio.sleep(0.2)
        per_channel: dict[str, int] = {}
        for m in fake.channel_posts:
            per_channel[m["channel_id"]] = per_channel.get(m["channel_id"], 0) + 1
        logs = "\n".join((tmp_path / f"out{i}.log").read_text()[-3000:] for i in range(2))
        assert set(per_channel) == set(guild.channels), logs
        assert all(n == 1 for n in per_channel.values()), (per_channel, logs)
        late = max(first_seen.values()) - t_due
        assert late < 75, f"last post {late:.0f} s after due"  # lease 40 s + recovery 10 s
        rows = await repo.deliveries()
        assert {r.status for r in rows} <= {"reconciled", "sent"}, [r.status for r in rows]
        assert any(r.version >= 2 for r in rows)  # the survivor took the victim's rows over
    finally:
        for p in procs:
            if p.returncode is None:
                p.terminate()
                try:
                    await asyncio.wait_for(p.wait(), 10)
                except TimeoutError:
                    p.kill()
        await engine.dispose()
        await fake.close()
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
