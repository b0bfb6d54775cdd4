"""The console feels like a real chat: prompt_toolkit line editing, history and completion
(driven through prompt_toolkit's own pipe input), logs kept out of the conversation,
numbers without buttons, /daily now shown once."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from prompt_toolkit.application.current import get_app_or_none
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from bot.adapters.console import (
    CommandCompleter,
    ConsoleDelivery,
    ConsoleSession,
    logs_to_file,
    render,
    serve,
)
from bot.core.context import Member
from tests.conftest import services_with_store

ROOT = Path(__file__).resolve().parent.parent


def bot(tmp_path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    """``python -m bot …`` in a subprocess with its own SQLite file (stdin a pipe)."""
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )


async def chat(services, keys: str, tmp_path) -> tuple[str, Path]:
    out = io.StringIO()
    history = tmp_path / "history"
    with create_pipe_input() as pipe:
        pipe.send_text(keys)
        await serve(services, stdout=out, pipe=pipe, output=DummyOutput(), history=history)
    return out.getvalue(), history


async def test_interactive_history_recalls_with_the_up_arrow(services, tmp_path):
    shown, history = await chat(services, "/salary germany\r\x1b[A\r/quit\r", tmp_path)
    # The second line was the first, recalled with ↑: the reply's title shows twice.
    assert shown.count("ML engineer salary in Germany") == 2
    assert "/salary germany" in history.read_text()
    assert "/[A" not in shown and "\x1b" not in shown


async def test_history_survives_a_new_session(services, tmp_path):
    await chat(services, "/salary uk\r/quit\r", tmp_path)
    shown, _ = await chat(services, "\x1b[A\x1b[A\r/quit\r", tmp_path)  # ↑↑: /salary uk
    assert "£55,000" in shown


async def test_tab_completes_commands_and_options(services, tmp_path):
    out = io.StringIO()
    with create_pipe_input() as pipe:
        task = asyncio.create_task(
            serve(services, stdout=out, pipe=pipe, output=DummyOutput(), history=tmp_path / "h")
        )
        pipe.send_text("/sal\t")
        assert await typed_line_becomes("/salary")  # Tab completed the command word
        pipe.send_text(" country:germ\t")
        assert await typed_line_becomes("/salary country:Germany")
        pipe.send_text("\r/quit\r")
        await asyncio.wait_for(task, 10)
    assert "€75,000" in out.getvalue()


async def typed_line_becomes(text: str) -> bool:
    """Wait (bounded) until the prompt's line reads ``text``: completion runs as its own task."""
    for _ in range(500):
        app = get_app_or_none()
        if app is not None and app.current_buffer.text.rstrip() == text:
            return True
        await asyncio.sleep(0.01)
    return False


def complete(services, text: str) -> list[str]:
    doc = Document(text, len(text))
    return [c.text for c in CommandCompleter(services).get_completions(doc, CompleteEvent())]


def test_completer_offers_commands_subcommands_options_and_values(services):
    assert "salary" in complete(services, "/sa")
    assert complete(services, "/daily sub") == ["subscribe"]
    assert set(complete(services, "/interview ")) == {"topic:", "difficulty:"}
    assert complete(services, "/interview topic:nlp ") == ["difficulty:"]
    assert "hard" in complete(services, "/interview difficulty:h")
    assert "Germany" in complete(services, "/salary country:ger")
    assert '"United Kingdom"' in complete(services, "/salary compare a:united")
    assert complete(services, "salary") == []  # not a command line


def test_logs_go_to_a_file_not_the_conversation(tmp_path):
    root = logging.getLogger()
    saved = (list(root.handlers), root.level, logging.lastResort)
    # Earlier tests may have run bot.logs.setup_logging, which sets these loggers' own levels.
    names = ("apscheduler", "apscheduler.scheduler", "alembic", "alembic.runtime.migration")
    named = [logging.getLogger(n) for n in names]
    levels = [lg.level for lg in named]
    for lg in named:
        lg.setLevel(logging.NOTSET)
    screen = io.StringIO()
    root.handlers[:] = [logging.StreamHandler(screen)]
    root.setLevel(logging.INFO)
    try:
        logs_to_file(tmp_path / "bot.log")
        logging.getLogger("apscheduler.scheduler").info("Added job every minute")
        logging.getLogger("alembic.runtime.migration").warning("Running upgrade")
        for h in root.handlers:
            h.flush()
    finally:
        for h in root.handlers:
            h.close()
        root.handlers[:], root.level, logging.lastResort = saved[0], saved[1], saved[2]
        for lg, level in zip(named, levels, strict=True):
            lg.setLevel(level)
    assert screen.getvalue() == ""
    written = (tmp_path / "bot.log").read_text()
    assert "Added job every minute" in written and "Running upgrade" in written


def test_piped_console_stays_plain_and_answers(tmp_path):
    out = bot(tmp_path, "console", stdin="/salary germany\n1\n/quit\n")
    assert out.returncode == 0, out.stderr
    assert "€75,000" in out.stdout
    assert "nothing to press" in out.stdout
    assert "\x1b[" not in out.stdout  # no terminal control codes into a pipe


async def test_a_number_without_buttons_explains(services):
    session = ConsoleSession(services)
    reply = await session.send("1")
    assert reply.kind == "error"
    assert "nothing to press" in reply.text and "/help" in reply.text
    assert "/1" not in reply.text
    await session.send("/salary germany")
    reply = await session.send("2")
    assert "nothing to press" in reply.text


def test_ask_with_press_prints_the_question_and_the_verdict(tmp_path):
    out = bot(tmp_path, "ask", "/quiz nlp", "--press", "1")
    assert out.returncode == 0, out.stderr
    text = out.stdout
    verdict = max(text.find("Correct!"), text.find("Not quite"))
    assert 0 <= text.find("Quiz · nlp") < text.find("[1] A.") < verdict


@pytest.fixture
async def daily_console(content, template_db, tmp_path):
    from bot.core.clock import FakeClock
    from bot.settings import Settings

    async with services_with_store(
        Settings(), content, FakeClock(), template_db, tmp_path / "d.db", "console-test"
    ) as services:
        out = io.StringIO()
        session = ConsoleSession(services, Member("ada", "Ada", is_admin=True))
        services.scheduler.register_delivery(ConsoleDelivery(out, session))
        yield session, out


async def test_daily_now_shows_the_post_once_without_a_stray_prompt(daily_console):
    session, out = daily_console
    assert (await session.send("/daily subscribe time:09:00")).kind == "success"
    reply = await session.send("/daily now")
    assert reply.kind == "success", reply.text
    posted = out.getvalue()
    assert posted.count("[1] I studied this") == 1
    assert "> " not in posted
    assert "I studied this" not in render(reply)  # the post above already has the button
    checked = await session.send("1")  # and its number still works
    assert "Checked in" in checked.text and "day(s)" not in checked.text


async def test_daily_subscribe_takes_a_city_like_profile_does(daily_console):
    session, _ = daily_console
    reply = await session.send("/daily subscribe time:07:30 timezone:berlin")
    assert reply.kind == "success", reply.text
    assert "07:30 Europe/Berlin" in reply.text
    reply = await session.send("/daily subscribe timezone:pacific")
    assert reply.kind == "error" and "which one?" in reply.text


def test_logs_moved_to_the_file_stay_redacted(tmp_path):
    from bot.logs import setup_logging

    root = logging.getLogger()
    saved = (list(root.handlers), root.level, logging.lastResort)
    token = "xoxb-1234567890-abcdefghijkl"
    try:
        setup_logging("INFO", stream=io.StringIO(), secrets=["hunter2-db-password"])
        logs_to_file(tmp_path / "bot.log")
        log = logging.getLogger("bot.test")
        log.warning("install stored %s with postgresql://u:hunter2-db-password@h/db", token)
        for h in root.handlers:
            h.flush()
    finally:
        for h in root.handlers:
            h.close()
        root.handlers[:], root.level, logging.lastResort = saved[0], saved[1], saved[2]
    written = (tmp_path / "bot.log").read_text()
    assert "install stored" in written
    assert token not in written and "hunter2-db-password" not in written


async def test_a_button_label_typed_out_presses_it(services):
    """A newcomer typed "another quiz" (the button's label) and got "I don't know the command
    /another"; a one-button reply's wrong number said "between 1 and 1"."""
    from bot.adapters.console import ConsoleSession
    from bot.core.context import Member

    s = ConsoleSession(services, Member("ann", "Ann"))
    first = await s.send("/interview nlp")
    assert [b.label for b in first.buttons] == ["Reveal answer outline", "Another question"]
    nxt = await s.send("Another  QUESTION")
    assert nxt.kind != "error" and nxt.title.startswith("Interview question"), nxt.text
    shown = await s.send("reveal answer outline")
    assert "What a strong answer covers" in shown.text
    await s.send("/role")
    assert "I don't know the command" in (await s.send("another question")).text
