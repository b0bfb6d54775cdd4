"""The neutral reply model every command returns and every adapter renders.

Text here is plain: no Markdown, no mrkdwn, no mentions. Each adapter adds its own idiom
(embeds, Block Kit, terminal text) and escapes what its platform would interpret.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

Style = Literal["primary", "secondary", "success", "danger"]
Kind = Literal["info", "success", "error"]

# Conservative limits every core reply keeps, so that any adapter can render a page
# without cutting an item: Discord field value 1024 / embed 6000, Slack section 3000.
MAX_ITEM_TEXT = 1000
MAX_ITEMS_PER_PAGE = 8
MAX_PAGE_CHARS = 4000
MAX_BUTTONS = 5


@dataclass(frozen=True, slots=True)
class Field:
    """A short name/value pair shown side by side where the platform allows."""

    name: str
    value: str
    inline: bool = True


@dataclass(frozen=True, slots=True)
class Entry:
    """One list item: a heading, its text, and where it comes from.

    ``button`` opens the item (a search hit's "Reveal outline"); pagination shows it with
    the page that shows the item, before the page's own buttons.
    """

    title: str
    text: str = ""
    source: str | None = None
    button: Button | None = None


@dataclass(frozen=True, slots=True)
class Button:
    """A clickable choice. ``action`` is an encoded action id (see ``bot.core.actions``)."""

    label: str
    action: str
    style: Style = "secondary"


@dataclass(frozen=True, slots=True)
class Attachment:
    """A picture sent with a reply: PNG bytes, a file name, alt text and its size in pixels.

    The reply stays complete without it: the same numbers are in its text, and ``alt``
    describes the picture for screen readers and for platforms that can't show it.
    """

    data: bytes
    filename: str  # ASCII, ends in .png: adapters use it in attachment://<filename>
    alt: str  # at most MAX_ALT characters
    width: int  # pixels
    height: int  # pixels
    content_type: str = "image/png"

    @property
    def size(self) -> int:
        """Bytes."""
        return len(self.data)


MAX_ALT = 1000  # Discord allows 1024 for an attachment description, Slack 2000 for alt_text

MentionKind = Literal["role", "group", "here", "channel"]


@dataclass(frozen=True, slots=True)
class RoleMention:
    """A ping an admin configured (e.g. ``/daily subscribe … role:``); never from user text.

    ``kind`` "role" is a Discord role id, "group" a Slack user group (subteam) id; "here" and
    "channel" are Slack's broadcast mentions, only ever used when an admin chose them.
    Adapters render it in their idiom and allow exactly this mention on the message.
    """

    kind: MentionKind
    id: str = ""  # digits for a Discord role, S… for a Slack user group, "" for here/channel
    label: str = ""  # how it reads in text and fallbacks, e.g. "@Study crew"


@dataclass(frozen=True, slots=True)
class Reply:
    """What a command answers: rendered natively by each adapter."""

    title: str | None = None
    text: str | None = None
    fields: tuple[Field, ...] = ()
    items: tuple[Entry, ...] = ()
    buttons: tuple[Button, ...] = ()
    footer: str | None = None  # e.g. "Source: 002_3ef0363f478912e4.txt"
    page: int = 1
    pages: int = 1
    ephemeral: bool = False
    image: str | None = None  # an https URL; adapters show it where they can
    kind: Kind = "info"
    # For a reply to a button click: replace the message that carried the button
    # (pagination, reveal) rather than post a new one.
    replace: bool = False
    # Pictures sent with the reply (Discord: files + embed image; Slack: uploaded files
    # shown in image blocks; console: written to a folder). The text stays complete.
    attachments: tuple[Attachment, ...] = ()
    # Pings an admin configured; adapters allow exactly these and nothing else.
    mentions: tuple[RoleMention, ...] = ()

    def with_(self, **changes: object) -> Reply:
        return replace(self, **changes)  # type: ignore[arg-type]

    def plain_text(self) -> str:
        """A plain-text rendering: notification fallback, console, logs and tests."""
        out: list[str] = []
        if self.title:
            out.append(self.title)
        if self.text:
            out.append(self.text)
        for f in self.fields:
            out.append(f"{f.name}: {f.value}")
        for e in self.items:
            line = f"• {e.title}"
            if e.text:
                line += f" — {e.text}"
            if e.source:
                line += f" [{e.source}]"
            out.append(line)
        if self.pages > 1:
            out.append(f"Page {self.page}/{self.pages}")
        if self.footer:
            out.append(self.footer)
        return "\n".join(out)


def error(message: str, *, title: str | None = None) -> Reply:
    """A friendly, ephemeral error reply."""
    return Reply(title=title, text=message, ephemeral=True, kind="error")


def with_notes(reply: Reply, notes: list[str]) -> Reply:
    """``reply`` with ``notes`` (how typed words were read, e.g. "Showing video for “vidoe”.")
    on a line before its text."""
    if not notes:
        return reply
    text = " ".join(notes)
    return reply.with_(text=f"{text}\n{reply.text}" if reply.text else text)
