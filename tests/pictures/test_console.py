"""The console writes each picture to PICTURES_DIR and prints its path (and its alt text)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from PIL import Image

from bot.adapters.console import ConsoleSession, render, save_picture
from bot.app import build_services, close_services, start_in_background
from bot.core.reply import Attachment, Reply
from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
PATH = re.compile(r"🖼 Picture: (\S+\.png)")


def ask(tmp_path: Path, text: str, **env: str) -> subprocess.CompletedProcess:
    full = {
        **os.environ,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        "PICTURES_DIR": str(tmp_path / "pics"),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", "ask", text],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=full,
        timeout=180,
    )


def read(path: str) -> bytes:
    return Path(path).read_bytes()


def printed_picture(out: str) -> Image.Image:
    [path] = PATH.findall(out)
    assert Path(path).is_file(), out
    img = Image.open(path)
    assert img.format == "PNG" and img.size[0] >= 300
    return img


def test_ask_prints_existing_pngs_for_salary_profile_and_leaderboard(tmp_path):
    out = ask(tmp_path, "/salary compare uk germany")
    assert out.returncode == 0, out.stderr
    printed_picture(out.stdout)
    assert "£55,000" in out.stdout and "€75,000" in out.stdout  # the numbers as text too
    assert str(tmp_path / "pics") in out.stdout
    for command in ("/profile", "/leaderboard"):
        out = ask(tmp_path, command)
        assert out.returncode == 0, out.stderr
        printed_picture(out.stdout)  # empty, but drawn
        assert ("Points: 0" if command == "/profile" else "No points yet") in out.stdout
    assert "Traceback" not in out.stderr


def test_pictures_off_prints_no_path(tmp_path):
    out = ask(tmp_path, "/salary compare uk germany", PICTURES="off")
    assert out.returncode == 0 and "🖼" not in out.stdout and "£55,000" in out.stdout
    assert not (tmp_path / "pics").exists()


async def test_console_session_saves_its_pictures(tmp_path, content):
    settings = Settings(DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    services = build_services(settings, content=content)
    start_in_background(services, scheduler=False)
    try:
        session = ConsoleSession(services)
        reply = await session.send("/salary compare uk germany")
        [picture] = reply.attachments
        text = render(reply, tmp_path / "out")
        [path] = PATH.findall(text)
        assert read(path) == picture.data
        assert picture.alt.split(".")[0] in text  # the alt text is printed under the path
        assert "🖼 Picture:" in render(reply) and not PATH.findall(render(reply))  # no folder
    finally:
        await close_services(services)


def test_an_unwritable_folder_is_a_friendly_line(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    picture = Attachment(b"\x89PNG\r\n\x1a\n", "x.png", "alt", 1, 1)
    where = save_picture(picture, blocker / "pics")
    assert where.startswith("not saved") and "PICTURES_DIR" in where
    text = render(Reply(text="hi", attachments=(picture,)), blocker / "pics")
    assert "not saved" in text and "Traceback" not in text


def test_the_same_picture_is_written_once(tmp_path):
    picture = Attachment(b"\x89PNG\r\n\x1a\n", "x.png", "alt", 1, 1)
    assert save_picture(picture, tmp_path) == save_picture(picture, tmp_path)
    other = Attachment(b"\x89PNG\r\n\x1a\nX", "x.png", "alt", 1, 1)
    assert save_picture(other, tmp_path) != save_picture(picture, tmp_path)
    assert len(list(tmp_path.iterdir())) == 2
