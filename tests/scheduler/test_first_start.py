"""Two processes starting at once on one empty PostgreSQL database (issue #14): both come up
with the schema — the migration is serialised by an advisory lock, the loser waits and
continues — and neither prints a traceback. Real processes, real server."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.scheduler.conftest import PG_ADMIN_DSN, PG_HOST

ROOT = Path(__file__).resolve().parents[2]


async def _admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_DSN, timeout=3)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.mark.parametrize("trial", range(3))
async def test_two_processes_first_start_on_empty_postgresql(pg_database, trial):
    if pg_database is None:
        pytest.skip("PostgreSQL unreachable")
    name = f"mle_first_{uuid.uuid4().hex[:10]}"
    await _admin(f'CREATE DATABASE "{name}"')
    try:
        env = {
            **os.environ,
            "DATABASE_URL": f"postgresql+asyncpg://postgres@{PG_HOST}:5432/{name}",
        }
        for k in ("DISCORD_TOKEN", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"):
            env.pop(k, None)
        procs = [
            await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                "ask",
                "/daily list",
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            for _ in range(2)
        ]
        outs = [await asyncio.wait_for(p.communicate(), 120) for p in procs]
        for p, (out, err) in zip(procs, outs, strict=True):
            assert p.returncode == 0, err.decode()
            assert b"Traceback" not in err, err.decode()
            assert b"No channel here has a daily study prompt" in out, out.decode()

        from bot.store import migrate
        from bot.store.engine import make_engine

        engine = make_engine(env["DATABASE_URL"])
        try:
            assert await migrate.current(engine) == {migrate.HEAD}
        finally:
            await engine.dispose()
    finally:
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
