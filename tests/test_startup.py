"""Start-up: content commands answer while the store opens; store commands wait for it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.adapters.console import ConsoleSession
from bot.app import build_services, close_services, start_in_background
from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


async def test_content_answers_before_the_store_is_open(tmp_path, content):
    settings = Settings(DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    services = build_services(settings, content=content)
    start_in_background(services, scheduler=True)
    session = ConsoleSession(services)
    try:
        reply = await session.send("/salary germany")
        assert "€75,000" in reply.plain_text()
        assert not services.ready.done()  # answered without waiting for the database
        assert services.store is None

        profile = await session.send("/profile")  # needs the store: waits, then answers
        assert services.ready.done() and services.store is not None
        assert profile.kind != "error", profile.plain_text()
        assert services.scheduler is not None
    finally:
        await close_services(services)


async def test_a_broken_database_is_a_friendly_answer(tmp_path, content):
    settings = Settings(DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/missing/dir/bot.db")
    services = build_services(settings, content=content)
    start_in_background(services, scheduler=True)
    try:
        reply = await ConsoleSession(services).send("/group list")
        assert reply.kind == "error"
        assert "database" in (reply.text or "")
        assert "Traceback" not in reply.plain_text()
    finally:
        await close_services(services)


def test_console_process_keeps_store_state_between_commands(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'c.db'}"}
    lines = "/salary uk\n/group create Night Owls\n/group list\n/quit\n"
    out = subprocess.run(
        [sys.executable, "-m", "bot", "console"],
        input=lines,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert "£55,000" in out.stdout
    assert "Night Owls — 1 member" in out.stdout
    assert "Traceback" not in out.stdout + out.stderr


def test_ask_skips_the_database_for_content_commands(tmp_path):
    db = tmp_path / "never.db"
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{db}"}
    out = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "/salary germany"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )
    assert out.returncode == 0 and "€50,000–€120,000" in out.stdout
    assert not db.exists()
    bad = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "/salary narnia"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )
    assert bad.returncode == 1
    assert bad.stdout == "" and len(bad.stderr.strip().splitlines()) == 1


def test_ask_runs_daily_commands_one_shot(tmp_path):
    """/daily works through `ask` too: subscribe, list, then post now to the console."""
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'd.db'}"}

    def ask(text):
        return subprocess.run(
            [sys.executable, "-m", "bot", "ask", text],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
            timeout=60,
        )

    sub = ask("/daily subscribe time:07:30 timezone:Europe/Berlin days:weekdays")
    assert sub.returncode == 0, sub.stderr
    listed = ask("/daily list")
    assert listed.returncode == 0 and "07:30 Europe/Berlin · weekdays" in listed.stdout
    now = ask("/daily now")
    assert now.returncode == 0, now.stderr
    assert "📬 Daily study prompt" in now.stdout and "[1] I studied this" in now.stdout
