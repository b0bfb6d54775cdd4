"""Migrations keep data, acknowledged answers survive a crash, a locked database is retried."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.store import StoreBusy, migrate, open_store
from bot.store.engine import make_engine
from tests.store.conftest import T0

P, W = "slack", "T1"
ROOT = Path(__file__).resolve().parents[2]


async def test_database_from_first_revision_upgrades_with_data(fresh_db_url):
    # Build the database exactly as the first release did: revision 0001 only.
    engine = make_engine(fresh_db_url)
    await migrate.upgrade(engine, "0001_initial")
    assert await migrate.current(engine) == {"0001_initial"}
    async with engine.begin() as conn:
        ts = T0.replace(tzinfo=None) if engine.dialect.name == "sqlite" else T0
        day = T0.date()
        params = {"p": P, "w": W, "ts": ts, "day": day}
        for sql in [
            "INSERT INTO members (platform, workspace, member_id, name, streak, best_streak, "
            "last_checkin_date, created_at) VALUES (:p, :w, 'u1', 'Ann', 3, 5, :day, :ts)",
            "INSERT INTO study_groups (platform, workspace, name, name_key, created_by, created_at) "
            "VALUES (:p, :w, 'Night Owls', 'night owls', 'u1', :ts)",
            "INSERT INTO group_members (group_id, platform, workspace, member_id, joined_at) "
            "VALUES (1, :p, :w, 'u1', :ts)",
            "INSERT INTO quiz_posts (platform, workspace, channel, question_id, topic, opened_at, "
            "closes_at, created_by) VALUES (:p, :w, 'c', 'q1', 'nlp', :ts, :ts, 'u1')",
            "INSERT INTO quiz_answers (post_id, platform, workspace, member_id, question_id, topic, "
            "choice, correct, points, answered_at) VALUES (1, :p, :w, 'u1', 'q1', 'nlp', 2, true, 10, :ts)",
            "INSERT INTO point_events (platform, workspace, member_id, points, reason, ref, at) "
            "VALUES (:p, :w, 'u1', 10, 'quiz', 'quiz:1', :ts)",
            "INSERT INTO point_totals (platform, workspace, period, member_id, points) "
            "VALUES (:p, :w, 'all', 'u1', 10)",
        ]:
            await conn.execute(text(sql), params)
    await engine.dispose()

    # Today's code opens it: the schema upgrades in place and every row is still there.
    store = await open_store(fresh_db_url)
    try:
        assert await migrate.current(store.engine) == set(migrate.heads())
        prof = await store.profile(P, W, "u1", T0 + timedelta(days=1))
        assert (prof.points, prof.best_streak, prof.streak, prof.groups) == (
            10,
            5,
            3,
            ("Night Owls",),
        )
        assert [(t.topic, t.answered, t.correct) for t in prof.topics] == [("nlp", 1, 1)]
        assert (await store.answer_quiz(P, W, 1, "u1", "Ann", 0, False, T0)).already
        board = await store.leaderboard(P, W, at=T0)
        assert [(s.member_id, s.points) for s in board.rows] == [("u1", 10)]
        assert board.total == 1  # 0005 back-filled the score histogram
        # 0005 back-filled the earlier answer as the member's credit for q1: a new post of the
        # same question is practice, and the rank comes from the back-filled histogram.
        pid = await store.open_quiz(P, W, "c", "q1", "nlp", T0, T0 + timedelta(days=1), "h")
        again = await store.answer_quiz(P, W, pid, "u1", "Ann", 2, True, T0 + timedelta(minutes=1))
        assert (again.repeat, again.points_awarded, again.total, again.rank) == (True, 0, 10, 1)
        # And the tables later revisions added work.
        assert await store.reset_points(P, W, "admin", T0) == 1
    finally:
        await store.close()


CRASH_SCRIPT = """
import asyncio, os, sys, time
from datetime import UTC, datetime, timedelta
from bot.store import open_store

async def main(url):
    store = await open_store(url)
    at = datetime(2026, 1, 5, 9, tzinfo=UTC)
    pid = await store.open_quiz("slack", "T1", "c", "q1", "nlp", at, at + timedelta(days=1), "h")
    for i in range(50):
        r = await store.answer_quiz("slack", "T1", pid, f"u{i}", "U", 0, True, at)
        assert r.status == "recorded"
        print(f"ACK {pid} u{i}", flush=True)  # what the member would be told
    # Keep writing until killed: the kill lands mid-transaction.
    i = 50
    while True:
        await store.answer_quiz("slack", "T1", pid, f"u{i}", "U", 0, True, at)
        i += 1

asyncio.run(main(sys.argv[1]))
"""


async def test_acknowledged_answers_survive_a_crash(fresh_db_url, tmp_path):
    script = tmp_path / "crash.py"
    script.write_text(CRASH_SCRIPT)
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(script),
        fresh_db_url,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    acked: list[str] = []
    while len(acked) < 50:
        line = await asyncio.wait_for(proc.stdout.readline(), 60)
        if not line:
            err = await proc.stderr.read()
            pytest.fail("crash script ended early: " + err.decode()[-2000:])
        acked.append(line.decode().split()[2])
    proc.send_signal(signal.SIGKILL)
    await proc.wait()
    assert proc.returncode == -signal.SIGKILL

    store = await open_store(fresh_db_url)
    try:
        board = await store.leaderboard("slack", "T1", at=T0, page_size=10_000)
        stored = {s.member_id for s in board.rows}
        assert set(acked) <= stored
        for member in acked[:5]:
            assert (await store.answer_quiz("slack", "T1", 1, member, "U", 1, False, T0)).already
    finally:
        await store.close()


class _Seen(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.busy = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if "database busy" in record.getMessage():
            self.busy.set()


async def test_locked_sqlite_is_retried_then_succeeds(tmp_path, monkeypatch):
    monkeypatch.setattr("bot.store.engine.BUSY_TIMEOUT_MS", 20)
    url = f"sqlite+aiosqlite:///{tmp_path / 'busy.db'}"
    store = await open_store(url)
    pid = await store.open_quiz(P, W, "c", "q1", "nlp", T0, T0 + timedelta(days=1), "h")
    other = sqlite3.connect(tmp_path / "busy.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    seen = _Seen()
    logging.getLogger("bot.store.engine").addHandler(seen)
    logging.getLogger("bot.store.engine").setLevel(logging.INFO)
    try:
        task = asyncio.create_task(store.answer_quiz(P, W, pid, "u1", "Ann", 0, True, T0))
        await asyncio.wait_for(seen.busy.wait(), 30)  # it hit the lock and is backing off
        assert not task.done()
        other.execute("COMMIT")
        result = await asyncio.wait_for(task, 30)
        assert result.status == "recorded"
    finally:
        logging.getLogger("bot.store.engine").removeHandler(seen)
        other.close()
        await store.close()


async def test_lock_held_too_long_is_a_friendly_busy_error(tmp_path, monkeypatch):
    monkeypatch.setattr("bot.store.engine.BUSY_TIMEOUT_MS", 1)
    url = f"sqlite+aiosqlite:///{tmp_path / 'busy.db'}"
    store = await open_store(url)
    other = sqlite3.connect(tmp_path / "busy.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreBusy) as info:
            await store.create_group(P, W, "Owls", "u1", "Ann", T0)
        assert "busy" in info.value.message and "Traceback" not in info.value.message
    finally:
        other.execute("ROLLBACK")
        other.close()
        await store.close()


async def test_0006_database_with_deliveries_upgrades_to_weekly_recap(fresh_db_url):
    """0007 on a database at 0006 holding a subscription and its deliveries: the rows stay,
    become prompts, the subscription has no recap, and the unique key is now per kind."""
    from datetime import date

    from sqlalchemy.exc import IntegrityError

    from scheduler.repository import Repository

    engine = make_engine(fresh_db_url)
    await migrate.upgrade(engine, "0006_review")
    ts = T0.replace(tzinfo=None) if engine.dialect.name == "sqlite" else T0
    params = {"ts": ts, "d1": date(2026, 1, 4), "d2": date(2026, 1, 5)}
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO daily_subscriptions (platform, workspace, channel, time, timezone, "
                "days, track, paused, cursor, active_since, created_by, created_at, updated_at) "
                "VALUES ('slack', 'T1', 'C1', '09:00', 'Europe/Berlin', 'mon,tue', 'mixed', "
                "false, 2, :ts, 'u1', :ts, :ts)"
            ),
            params,
        )
        for d in ("d1", "d2"):
            await conn.execute(
                text(
                    "INSERT INTO daily_deliveries (subscription_id, local_date, scheduled_at, "
                    "status, cursor, claimed_at, sent_at, version, idem_key) "
                    f"VALUES (1, :{d}, :ts, 'sent', 0, :ts, :ts, 1, 'k')"
                ),
                params,
            )
    await migrate.upgrade(engine)
    try:
        assert await migrate.current(engine) == {migrate.HEAD}
        repo = Repository(engine)
        sub = await repo.by_id(1)
        assert (sub.channel, sub.cursor, sub.recap_slot) == ("C1", 2, None)
        rows = await repo.deliveries(1)
        assert [(r.local_date, r.status, r.kind) for r in rows] == [
            (date(2026, 1, 4), "sent", "prompt"),
            (date(2026, 1, 5), "sent", "prompt"),
        ]
        # The same local date now takes a recap too, but still only one prompt.
        won = await repo.claim(
            [(1, date(2026, 1, 4), T0)],
            owner="x",
            now=T0,
            lease=timedelta(seconds=40),
            kind="recap",
        )
        assert [(c.kind, c.cursor) for c in won] == [("recap", None)]
        assert (
            await repo.claim(
                [(1, date(2026, 1, 5), T0)], owner="x", now=T0, lease=timedelta(seconds=40)
            )
            == []
        )
        with pytest.raises(IntegrityError):
            async with engine.begin() as conn:
                await conn.execute(
                    text(
                        "INSERT INTO daily_deliveries (subscription_id, kind, local_date, "
                        "scheduled_at, status, claimed_at) "
                        "VALUES (1, 'recap', :d1, :ts, 'sent', :ts)"
                    ),
                    params,
                )
        # And back down: the recap row goes, the prompts stay.
        await migrate.downgrade(engine, "0006_review")
        async with engine.connect() as conn:
            n = (await conn.execute(text("SELECT count(*) FROM daily_deliveries"))).scalar()
        assert n == 2
    finally:
        await engine.dispose()


async def test_0007_database_with_deliveries_upgrades_to_prompt_threads(fresh_db_url):
    """0008 on a database at 0007 holding a subscription (with a recap) and its deliveries:
    every row stays (no cascade from a copied parent table), threads start off, the setting
    round-trips, and the downgrade keeps the rows too."""
    from datetime import date

    from scheduler.repository import Repository

    engine = make_engine(fresh_db_url)
    await migrate.upgrade(engine, "0007_weekly_recap")
    ts = T0.replace(tzinfo=None) if engine.dialect.name == "sqlite" else T0
    params = {"ts": ts, "d1": date(2026, 1, 4), "d2": date(2026, 1, 5)}
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO daily_subscriptions (platform, workspace, channel, time, timezone, "
                "days, track, paused, cursor, active_since, created_by, created_at, updated_at, "
                "recap_day, recap_time, recap_since) "
                "VALUES ('slack', 'T1', 'C1', '09:00', 'Europe/Berlin', 'mon,tue', 'mixed', "
                "false, 2, :ts, 'u1', :ts, :ts, 'sun', '18:00', :ts)"
            ),
            params,
        )
        for d, kind in (("d1", "prompt"), ("d2", "prompt"), ("d1", "recap")):
            await conn.execute(
                text(
                    "INSERT INTO daily_deliveries (subscription_id, kind, local_date, "
                    "scheduled_at, status, cursor, claimed_at, sent_at, version, idem_key) "
                    f"VALUES (1, '{kind}', :{d}, :ts, 'sent', 0, :ts, :ts, 1, 'k')"
                ),
                params,
            )
    await migrate.upgrade(engine)
    try:
        assert await migrate.current(engine) == {migrate.HEAD} == {"0008_prompt_threads"}
        repo = Repository(engine)
        sub = await repo.by_id(1)
        assert (sub.channel, sub.cursor, sub.recap_day, sub.thread) == ("C1", 2, "sun", False)
        async with engine.connect() as conn:
            rows = (await conn.execute(text("SELECT local_date, kind FROM daily_deliveries"))).all()
        assert sorted((str(d), k) for d, k in rows) == [
            ("2026-01-04", "prompt"),
            ("2026-01-04", "recap"),
            ("2026-01-05", "prompt"),
        ]
        common = dict(
            time="09:00", timezone="Europe/Berlin", days="mon,tue", track="mixed", role=None
        )
        sub, created = await repo.subscribe(
            "slack", "T1", "C1", by="u1", now=T0, thread=True, **common
        )
        assert (created, sub.thread, sub.cursor) == (False, True, 2)
        sub, _ = await repo.subscribe("slack", "T1", "C1", by="u1", now=T0, **common)
        assert sub.thread is True  # not given: kept
        await migrate.downgrade(engine, "0007_weekly_recap")
        async with engine.connect() as conn:
            n = (await conn.execute(text("SELECT count(*) FROM daily_deliveries"))).scalar()
            cols = (await conn.execute(text("SELECT * FROM daily_subscriptions"))).keys()
        assert n == 3 and "thread" not in cols
    finally:
        await engine.dispose()
