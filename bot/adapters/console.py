"""The console adapter: chat with the bot in a terminal, no tokens needed.

Buttons become numbered choices: type the number to press one. The syntax is the same as
Slack's single slash command: ``/salary germany``, ``/interview topic:statistics``.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import sys
import textwrap
from pathlib import Path
from typing import TextIO

from prompt_toolkit import PromptSession
from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from prompt_toolkit.input import Input
from prompt_toolkit.output import Output
from prompt_toolkit.patch_stdout import patch_stdout

from bot.app import context
from bot.core.complete import suggestions
from bot.core.context import Member, Services
from bot.core.dispatch import execute, press
from bot.core.lookup import fold
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
        self.labels: dict[str, str] = {}  # folded label → action, for a label typed out
        self.posted: list[str] = []  # button actions of a post delivered during this command

    async def send(self, line: str) -> Reply:
        """Handle one typed line: a command, or the number of a button."""
        line = line.strip()
        if line.isdigit():
            if not self.buttons:
                return Reply(
                    text="There's nothing to press: the last reply had no numbered choices. "
                    "Numbers pick a [1], [2] … button; commands start with /, e.g. /help.",
                    kind="error",
                )
            n = int(line)
            if not 1 <= n <= len(self.buttons):
                choices = (
                    "There's one choice: type 1."
                    if len(self.buttons) == 1
                    else f"Pick a choice between 1 and {len(self.buttons)}."
                )
                return Reply(text=choices, kind="error")
            reply = await press(self.ctx, self.buttons[n - 1])
        elif not line.startswith("/") and fold(line) in self.labels:  # "another quiz" typed out
            reply = await press(self.ctx, self.labels[fold(line)])
        else:
            self.posted = []
            reply = await execute(self.ctx, line if line.startswith("/") else "/" + line)
            shown = [b.action for b in reply.buttons]
            if shown and shown == self.posted:
                # The command posted a message to this same console (/daily now) and returns
                # its buttons too: they are on screen already, with the same numbers.
                reply = reply.with_(buttons=())
        if reply.buttons:
            self.remember(reply.buttons)
        elif reply.kind != "error" and not self.posted:
            self.remember(())
        return reply

    def remember(self, buttons) -> None:
        """The buttons on screen now: their numbers ([1], [2] …) and labels press them."""
        self.buttons = [b.action for b in buttons]
        self.labels = {fold(b.label): b.action for b in buttons if fold(b.label)}


class ConsoleDelivery:
    """Delivery port for scheduled posts: prints them between prompts."""

    platform = "console"

    def __init__(self, out: TextIO | None = None, session: ConsoleSession | None = None) -> None:
        self._out = out
        self.session = session

    @property
    def out(self) -> TextIO:
        # Looked up at each post: under the interactive console sys.stdout is patched so
        # posts print above the prompt.
        return self._out or sys.stdout

    async def post(self, workspace: str, channel: str, reply: Reply, key: str | None = None) -> str:
        # No prompt here: the interactive console redraws its own below the post.
        folder = self.session.services.settings.pictures_dir if self.session else None
        self.out.write("\n📬 " + render(reply, folder) + "\n")
        self.out.flush()
        if self.session is not None and reply.buttons:
            self.session.remember(reply.buttons)
            self.session.posted = self.session.buttons
        return f"console-{id(reply)}"

    async def open_thread(
        self, workspace: str, channel: str, message_id: str, title: str
    ) -> str | None:
        """The console has no threads: one line says where the discussion would be."""
        self.out.write("(discussion thread opened)\n")
        self.out.flush()
        return None

    async def notify_admin(self, workspace: str, channel: str, text: str) -> None:
        self.out.write("\n⚠ " + text + "\n")
        self.out.flush()


BANNER = (
    "MLE study bot — console. Type /help for commands, a number or a button's label to press "
    "it, /quit to leave."
)
KEYS = " Tab completes commands and options; ↑/↓ recall earlier lines."  # the prompt_toolkit one
QUIT = ("/quit", "/exit", "quit", "exit")


def history_path() -> Path:
    """Where typed lines are kept between sessions: ``$MLE_HISTORY``, else the user's data
    directory (``$XDG_DATA_HOME`` or ``~/.local/share``)/mle-bot/console-history."""
    if os.environ.get("MLE_HISTORY"):
        return Path(os.environ["MLE_HISTORY"])
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "mle-bot" / "console-history"


def log_path() -> Path:
    """Where logs go while the interactive console owns the terminal: ``$MLE_LOG_FILE``, else
    ``mle-bot.log`` beside the default database, in the current directory."""
    return Path(os.environ.get("MLE_LOG_FILE") or "mle-bot.log")


def logs_to_file(path: Path) -> None:
    """Send every log record to ``path`` instead of the terminal, so no log line lands in
    the conversation (Alembic, APScheduler and our own INFO lines included)."""
    root = logging.getLogger()
    level = root.level
    filters: list = []  # the redaction and noise filters of bot.logs travel with the records
    for handler in list(root.handlers):
        if isinstance(handler, logging.StreamHandler) and not isinstance(
            handler, logging.FileHandler
        ):
            filters.extend(f for f in handler.filters if f not in filters)
            root.removeHandler(handler)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    for f in filters:
        handler.addFilter(f)
    root.addHandler(handler)
    root.setLevel(level if level != logging.NOTSET else logging.WARNING)
    # Libraries that print through their own handlers (none today) would bypass the root:
    logging.lastResort = None


class CommandCompleter(Completer):
    """Tab completion from the registry: command words, subcommands, then option names
    (``topic:``) and each option's choices or suggestions (``bot.core.complete``)."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def get_completions(self, document: Document, complete_event: CompleteEvent):
        text = document.text_before_cursor
        if not text.startswith("/"):
            return
        words = text[1:].split(" ")
        current = words[-1]
        done = [w for w in words[:-1] if w]
        reg = self.services.registry
        if not done:
            for family in reg.top_level():
                if family.startswith(current.lower()):
                    yield Completion(family, -len(current))
            return
        if len(done) == 1 and reg.subcommands(done[0].lower()):
            for sub in sorted(c.path[1] for c in reg.subcommands(done[0].lower())):
                if sub.startswith(current.lower()):
                    yield Completion(sub, -len(current))
        cmd, used = reg.resolve(done)
        if cmd is None:
            return
        name, sep, value = current.partition(":")
        if sep:
            opt = cmd.option(name.lower())
            if opt is not None:
                for choice in suggestions(self.services, cmd, opt.name, value)[:20]:
                    shown = f'"{choice}"' if " " in choice else choice
                    yield Completion(shown, -len(value), display=choice)
            return
        given = {w.partition(":")[0].lower() for w in done[used:] if ":" in w}
        for opt in cmd.options:
            if opt.name not in given and opt.name.startswith(current.lower()):
                yield Completion(opt.name + ":", -len(current), display_meta=opt.description)


async def serve(
    services: Services,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    *,
    pipe: Input | None = None,
    output: Output | None = None,
    history: Path | None = None,
) -> None:
    """The chat loop. On a terminal (or with prompt_toolkit's ``pipe`` input and ``output``,
    as tests drive it): line editing, history (``history_path``) and tab completion, with
    scheduled posts printed above the prompt and logs sent to a file. Otherwise (a pipe, a
    script) plain lines from ``stdin``, read in a thread so scheduled posts still arrive."""
    interactive = pipe is not None or (
        stdin is None and stdout is None and sys.stdin.isatty() and sys.stdout.isatty()
    )
    session = ConsoleSession(services)
    posts_to = stdout  # None: whatever sys.stdout is when a post arrives

    def offer_delivery(_=None) -> None:  # daily prompts for console channels show up here
        if services.scheduler is not None:
            services.scheduler.register_delivery(ConsoleDelivery(posts_to, session))

    if services.ready is not None and not services.ready.done():
        services.ready.add_done_callback(offer_delivery)  # the scheduler is still starting
    else:
        offer_delivery()
    if interactive:
        await _serve_interactive(services, session, stdout, pipe, output, history)
    else:
        await _serve_plain(session, stdin or sys.stdin, stdout or sys.stdout)


async def _serve_plain(session: ConsoleSession, stdin: TextIO, stdout: TextIO) -> None:
    stdout.write(BANNER + "\n")
    loop = asyncio.get_running_loop()
    while True:
        stdout.write("> ")
        stdout.flush()
        line = await loop.run_in_executor(None, stdin.readline)
        if not line:  # EOF
            stdout.write("\n")
            return
        if not await _answer(session, line, stdout):
            return


async def _answer(session: ConsoleSession, line: str, out: TextIO) -> bool:
    """Answer one typed line on ``out``; False when the member leaves (/quit)."""
    if line.strip().lower() in QUIT:
        return False
    if line.strip():
        reply = await session.send(line)
        out.write(render(reply, session.services.settings.pictures_dir) + "\n")
        out.flush()
    return True


async def _serve_interactive(
    services: Services,
    session: ConsoleSession,
    stdout: TextIO | None,
    pipe: Input | None,
    output: Output | None,
    history: Path | None,
) -> None:
    if pipe is None:  # a real terminal: the logs must not write over the conversation
        logs = log_path()
        logs_to_file(logs)
    path = history or history_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        kept: History = FileHistory(str(path))
    except OSError:  # a read-only home: history for this session only
        kept = InMemoryHistory()
    prompt = PromptSession(
        "> ",
        history=kept,
        completer=CommandCompleter(services),
        complete_while_typing=False,
        input=pipe,
        output=output,
    )
    with patch_stdout(raw=True):
        out = stdout or sys.stdout  # sys.stdout is patched now: text prints above the prompt
        out.write(BANNER + (KEYS if pipe is None else "") + "\n")
        if pipe is None:
            out.write(f"(Logs go to {logs}.)\n")
        while True:
            try:
                line = await prompt.prompt_async()
            except (EOFError, KeyboardInterrupt):
                return
            if not await _answer(session, line, out):
                return
