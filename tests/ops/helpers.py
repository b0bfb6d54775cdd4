"""Running the real ``python -m bot …`` in a subprocess, as an operator would."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Variables the developer's shell or .env might set that would change what a test runs.
CLEAR = (
    "DATABASE_URL",
    "BOT_TIMEZONE",
    "DISCORD_TOKEN",
    "DISCORD_API_BASE",
    "DISCORD_GATEWAY_URL",
    "DISCORD_SHARD_COUNT",
    "DISCORD_SHARD_IDS",
    "SLACK_BOT_TOKEN",
    "SLACK_APP_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
    "SLACK_API_URL",
    "SLACK_PORT",
    "HEALTH_PORT",
    "LOG_LEVEL",
    "LOG_LEVEL_LIBRARIES",
    "BOT_CONSOLE",
)


def env(**values: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if k not in CLEAR}
    return {**base, **values}


def bot(*args: str, cwd: Path = ROOT, stdin: str = "", timeout: float = 120, **values: str):
    """Run ``python -m bot ARGS`` to completion; the CompletedProcess (text)."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env(**values),
        timeout=timeout,
    )


async def start_bot(*args: str, cwd: Path = ROOT, **values: str) -> asyncio.subprocess.Process:
    """Start ``python -m bot ARGS`` without waiting (stdin closed, stdout/stderr piped)."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=cwd,
        env=env(**values),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def stop(proc: asyncio.subprocess.Process) -> tuple[int, str, str]:
    """SIGTERM ``proc`` (if running) and collect its exit code and output."""
    if proc.returncode is None:
        proc.terminate()
    try:
        out, err = await asyncio.wait_for(proc.communicate(), 60)
    except TimeoutError:
        proc.kill()
        out, err = await proc.communicate()
    return proc.returncode, out.decode(), err.decode()


async def read_lines_until(stream, predicate, within: float = 60) -> list[str]:
    """Lines from ``stream`` until one satisfies ``predicate`` (all lines read so far)."""
    lines: list[str] = []

    async def go() -> None:
        while True:
            raw = await stream.readline()
            if not raw:
                raise AssertionError("stream ended before the expected line:\n" + "".join(lines))
            lines.append(raw.decode())
            if predicate(lines[-1]):
                return

    await asyncio.wait_for(go(), within)
    return lines


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
