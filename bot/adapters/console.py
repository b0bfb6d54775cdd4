"""The console adapter: chat with the bot in a terminal, no tokens needed.

Buttons become numbered choices: type the number to press one. The syntax is the same as
Slack's single slash command: ``/salary germany``, ``/interview topic:statistics``.
"""

from __future__ import annotations

import asyncio
import hashlib
import sys
import textwrap
from pathlib import Path
from typing import TextIO

from bot.app import context
from bot.core.context import Member, Services
from bot.core.dispatch import execute, press
from bot.core.reply import Attachment, Reply

WIDTH = 100
WORKSPACE = "local"
CHANNEL = "console"


def save_picture(picture: Attachment, folder: str | Path) -> str:
    """Write ``picture`` into ``folder`` (created if needed); its absolute path, or why not.

    The name is the picture's own plus a hash of its bytes, so the same picture is written
    once and different ones never overwrite each other.
    """
    stem = Path(picture.filename).stem or "picture"
    digest = hashlib.sha256(picture.data).hexdigest()[:10]
    try:
        path = Path(folder).expanduser().resolve() / f"{stem}-{digest}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(picture.data)
    except OSError as exc:
        return f"not saved ({exc.strerror or exc}); set PICTURES_DIR to a folder you can write"
    return str(path)


def render(reply: Reply, pictures_dir: str | Path | None = None) -> str:
    """Terminal text for a reply; buttons are listed as [1], [2], …

    Pictures are written to ``pictures_dir`` and their paths printed; without a folder (tests,
    logs) only their alt text is shown.
    """
    out: list[str] = []
    if reply.title:
        out.append(("⚠ " if reply.kind == "error" else "") + reply.title)
        out.append("─" * min(len(reply.title) + 2, WIDTH))
    if reply.text:
        prefix = "⚠ " if reply.kind == "error" and not reply.title else ""
        out.extend(_wrap(prefix + reply.text))
    for f in reply.fields:
        out.extend(_wrap(f"{f.name}: {f.value}"))
    for e in reply.items:
        out.append("")
        out.extend(_wrap(f"• {e.title}"))
        if e.text:
            out.extend(_wrap(e.text, indent="  "))
        if e.source:
            out.append(f"  (source: {e.source})")
    if reply.image:
        out.append(f"[image: {reply.image}]")
    for picture in reply.attachments:
        where = f" {save_picture(picture, pictures_dir)}" if pictures_dir is not None else ""
        out.append(f"🖼 Picture:{where}")
        out.extend(_wrap(picture.alt, indent="  "))
    if reply.pages > 1:
        out.append(f"\nPage {reply.page} of {reply.pages}")
    if reply.footer:
        out.append(reply.footer)
    if reply.buttons:
        out.append("  ".join(f"[{i}] {b.label}" for i, b in enumerate(reply.buttons, 1)))
    return "\n".join(out).strip("\n")


def _wrap(text: str, indent: str = "") -> list[str]:
    lines: list[str] = []
    for para in text.split("\n"):
        lines.extend(
            textwrap.wrap(para, WIDTH, initial_indent=indent, subsequent_indent=indent) or [""]
        )
    return lines


class ConsoleSession:
    """One member chatting in the console; remembers the last buttons for numbered presses."""

    def __init__(
        self, services: Services, member: Member | None = None, channel: str = CHANNEL
    ) -> None:
        self.services = services
        self.ctx = context(services, "console", WORKSPACE, channel, member)
        self.buttons: list[str] = []

    async def send(self, line: str) -> Reply:
        """Handle one typed line: a command, or the number of a button."""
        line = line.strip()
        if line.isdigit() and self.buttons:
            n = int(line)
            if not 1 <= n <= len(self.buttons):
                return Reply(text=f"Pick a choice between 1 and {len(self.buttons)}.", kind="error")
            reply = await press(self.ctx, self.buttons[n - 1])
        else:
            reply = await execute(self.ctx, line if line.startswith("/") else "/" + line)
        if reply.buttons:
            self.buttons = [b.action for b in reply.buttons]
        elif reply.kind != "error":
            self.buttons = []
        return reply


class ConsoleDelivery:
    """Delivery port for scheduled posts: prints them between prompts."""

    platform = "console"

    def __init__(self, out: TextIO | None = None, session: ConsoleSession | None = None) -> None:
        self.out = out or sys.stdout
        self.session = session

    async def post(self, workspace: str, channel: str, reply: Reply) -> str:
        folder = self.session.services.settings.pictures_dir if self.session else None
        self.out.write("\n📬 " + render(reply, folder) + "\n> ")
        self.out.flush()
        if self.session is not None and reply.buttons:
            self.session.buttons = [b.action for b in reply.buttons]
        return f"console-{id(reply)}"

    async def notify_admin(self, workspace: str, channel: str, text: str) -> None:
        self.out.write("\n⚠ " + text + "\n> ")
        self.out.flush()


BANNER = (
    "MLE study bot — console. Type /help for commands, a number to press a button, /quit to leave."
)


async def serve(
    services: Services, stdin: TextIO | None = None, stdout: TextIO | None = None
) -> None:
    """Interactive loop. Reading stdin happens in a thread so scheduled posts still arrive."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    session = ConsoleSession(services)

    def offer_delivery(_=None) -> None:  # daily prompts for console channels show up here
        if services.scheduler is not None:
            services.scheduler.register_delivery(ConsoleDelivery(stdout, session))

    if services.ready is not None and not services.ready.done():
        services.ready.add_done_callback(offer_delivery)  # the scheduler is still starting
    else:
        offer_delivery()
    stdout.write(BANNER + "\n")
    loop = asyncio.get_running_loop()
    while True:
        stdout.write("> ")
        stdout.flush()
        line = await loop.run_in_executor(None, stdin.readline)
        if not line:  # EOF
            stdout.write("\n")
            return
        if line.strip().lower() in ("/quit", "/exit", "quit", "exit"):
            return
        if not line.strip():
            continue
        reply = await session.send(line)
        stdout.write(render(reply, services.settings.pictures_dir) + "\n")
