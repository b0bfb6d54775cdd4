"""Reply → Discord messages (embed dicts + buttons) that always fit Discord's limits.

Core replies already paginate, but the renderer guarantees the limits for *any* Reply: text
too long for one place is split at a paragraph, line or word boundary (a word longer than a
whole field is the only thing ever hard-cut), extra fields flow into further embeds, and
embeds beyond one message's 6000-character / 10-embed budget flow into further messages.
Buttons ride on the last message. Everything here is plain data so it can be tested without
a connection; ``bot.adapters.discord.client`` turns it into discord.py objects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from discord.utils import _MARKDOWN_STOCK_REGEX, _URL_REGEX

from bot.core.actions import PREFIX, SEP
from bot.core.reply import Attachment, Button, Reply, RoleMention

# Discord's documented limits.
CONTENT = 2000
TITLE = 256
DESCRIPTION = 4096
FIELDS = 25
FIELD_NAME = 256
FIELD_VALUE = 1024
EMBED_TOTAL = 6000
EMBEDS_PER_MESSAGE = 10
BUTTONS_PER_ROW = 5
ROWS = 5
CUSTOM_ID = 100
LABEL = 80
# Our own cap on the footer, so title + a full description + footer always fit one embed.
FOOTER = 1000
FILES_PER_MESSAGE = 10
FILE_DESCRIPTION = 1024  # an attachment's alt text

BLANK = "\u200b"  # Discord rejects empty field names/values; a zero-width space is accepted
COLOURS = {"info": 0x5865F2, "success": 0x57F287, "error": 0xED4245}


@dataclass
class Outgoing:
    """One Discord message: embed dicts and (on the last message of a reply) buttons.

    The first message of a reply also carries its pictures (uploaded as files and shown in
    the first embed through ``attachment://<filename>``) and its admin-configured role
    mentions (in ``content``: Discord pings only from content, never from embeds).
    """

    embeds: list[dict[str, Any]] = field(default_factory=list)
    buttons: list[Button] = field(default_factory=list)
    files: list[Attachment] = field(default_factory=list)
    content: str = ""
    roles: list[int] = field(default_factory=list)  # the role ids content may ping


def role_ids(mentions: tuple[RoleMention, ...]) -> list[int]:
    """The Discord role ids among ``mentions`` (digits only; anything else is ignored)."""
    out: list[int] = []
    for m in mentions:
        if m.kind == "role" and m.id.isascii() and m.id.isdigit() and 0 < len(m.id) <= 20:
            if int(m.id) not in out:
                out.append(int(m.id))
    return out


def pictures_of(reply: Reply) -> list[Attachment]:
    """The reply's pictures Discord will take on one message: unique names, at most 10."""
    seen: set[str] = set()
    out: list[Attachment] = []
    for a in reply.attachments:
        if a.filename in seen or not _FILENAME.fullmatch(a.filename):
            continue
        seen.add(a.filename)
        out.append(a)
    return out[:FILES_PER_MESSAGE]


_FILENAME = re.compile(r"[A-Za-z0-9._-]{1,100}")


def split_text(text: str, limit: int) -> list[str]:
    """Chunks of at most ``limit`` characters, cut at the last paragraph, line or space."""
    text = text.strip()
    out: list[str] = []
    while len(text) > limit:
        window = text[: limit + 1]
        cut = -1
        for sep in ("\n\n", "\n", " "):
            pos = window.rfind(sep)
            if pos >= limit // 2:
                cut = pos
                break
        if cut <= 0:  # one enormous word: the only case that is hard-cut
            cut = limit
            while cut > 1 and text[cut - 1] == "\\":  # never split an escape from its character
                cut -= 1
        out.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        out.append(text)
    return out


def clip(text: str, limit: int) -> str:
    """``text`` shortened to ``limit`` characters at a word boundary, with an ellipsis."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    cut = cut.rstrip()
    while cut.endswith("\\"):
        cut = cut[:-1]
    return cut + "…"


# discord.utils.escape_markdown(text) (ignore_links=True), compiled once: the library builds
# the pattern string and runs it through re's cache on every call, which made escaping the
# largest part of rendering. Text without any character the pattern can match is returned
# as is. tests/discord/test_render.py checks equality with escape_markdown on random text.
_ESCAPE = re.compile(f"(?:{_URL_REGEX}|{_MARKDOWN_STOCK_REGEX})", re.MULTILINE)
_MAYBE_MARKDOWN = re.compile(r"[_\\~|*`>\[#-]")


def _escape_one(match: re.Match[str]) -> str:
    return match.group("url") or "\\" + match.group("markdown")


def _esc(text: str) -> str:
    if _MAYBE_MARKDOWN.search(text) is None:
        return text
    return _ESCAPE.sub(_escape_one, text)


def _fields(reply: Reply) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []

    def add(name: str, value: str, inline: bool) -> None:
        name = clip(_esc(name), FIELD_NAME) or BLANK
        chunks = split_text(value, FIELD_VALUE) or [BLANK]
        for i, chunk in enumerate(chunks):
            label = name if i == 0 else clip(name, FIELD_NAME - 9) + " (cont.)"
            out.append({"name": label, "value": chunk, "inline": inline and len(chunks) == 1})

    for f in reply.fields:
        add(f.name, _esc(f.value), f.inline)
    for e in reply.items:
        value = _esc(e.text)
        if e.source:
            value = (value + "\n" if value else "") + "Source: " + _esc(e.source)
        add(e.title, value, False)
    return out


def _footer(reply: Reply) -> str:
    parts = []
    if reply.pages > 1:
        parts.append(f"Page {reply.page} of {reply.pages}")
    if reply.footer:
        parts.append(reply.footer)  # footers don't render Markdown: no escaping
    return clip(" · ".join(parts), FOOTER)


def _length(embed: dict[str, Any]) -> int:
    total = len(embed.get("title", "")) + len(embed.get("description", ""))
    total += len(embed.get("footer", {}).get("text", ""))
    for f in embed.get("fields", []):
        total += len(f["name"]) + len(f["value"])
    return total


def buttons_of(reply: Reply) -> list[Button]:
    """The reply's buttons Discord will accept: ours, unique, ≤100-char ids, at most 25."""
    seen: set[str] = set()
    out: list[Button] = []
    for b in reply.buttons:
        if not b.action.startswith(PREFIX + SEP) or len(b.action) > CUSTOM_ID or b.action in seen:
            continue
        seen.add(b.action)
        out.append(Button(clip(b.label, LABEL) or "…", b.action, b.style))
        if len(out) == BUTTONS_PER_ROW * ROWS:
            break
    return out


def embeds_of(reply: Reply) -> list[dict[str, Any]]:
    """The reply as one or more embeds, each within Discord's per-embed limits."""
    colour = COLOURS.get(reply.kind, COLOURS["info"])
    footer = _footer(reply)
    budget = EMBED_TOTAL - len(footer)
    first: dict[str, Any] = {"type": "rich", "color": colour}
    title = reply.title or ""
    if reply.kind == "error" and title:
        title = "⚠ " + title
    title = clip(_esc(title), TITLE)
    if title:
        first["title"] = title
    pictures = pictures_of(reply)
    if pictures:
        first["image"] = {"url": f"attachment://{pictures[0].filename}"}
    elif reply.image and reply.image.startswith("https://"):
        first["image"] = {"url": reply.image}
    embeds = [first]
    cur = first
    text = _esc(reply.text or "")
    if reply.kind == "error" and not title and text:
        text = "⚠ " + text
    for chunk in split_text(text, DESCRIPTION):
        if "description" in cur or _length(cur) + len(chunk) > budget:
            cur = {"type": "rich", "color": colour}
            embeds.append(cur)
        cur["description"] = chunk
    for f in _fields(reply):
        fields = cur.setdefault("fields", [])
        if len(fields) >= FIELDS or _length(cur) + len(f["name"]) + len(f["value"]) > budget:
            if not fields:
                del cur["fields"]
            cur = {"type": "rich", "color": colour, "fields": []}
            embeds.append(cur)
        cur["fields"].append(f)
    if footer:
        embeds[-1]["footer"] = {"text": footer}
    if len(embeds) == 1 and not any(
        first.get(k) for k in ("title", "description", "fields", "image", "footer")
    ):
        first["description"] = BLANK  # an empty reply still needs a body Discord accepts
    return embeds


def render(reply: Reply) -> list[Outgoing]:
    """The messages that carry ``reply``: usually one; more only when it exceeds 6000 chars."""
    messages: list[Outgoing] = [Outgoing()]
    total = 0
    for embed in embeds_of(reply):
        size = _length(embed)
        cur = messages[-1]
        if cur.embeds and (len(cur.embeds) >= EMBEDS_PER_MESSAGE or total + size > EMBED_TOTAL):
            messages.append(Outgoing())
            total = 0
        messages[-1].embeds.append(embed)
        total += size
    messages[-1].buttons = buttons_of(reply)
    messages[0].files = pictures_of(reply)
    roles = role_ids(reply.mentions)
    if roles:
        messages[0].roles = roles
        messages[0].content = " ".join(f"<@&{r}>" for r in roles)
    return messages


def components_of(buttons: list[Button]) -> list[dict[str, Any]]:
    """Action rows for ``buttons`` in Discord's JSON form (used by tests and the bench)."""
    styles = {"primary": 1, "secondary": 2, "success": 3, "danger": 4}
    rows = []
    for i in range(0, len(buttons), BUTTONS_PER_ROW):
        rows.append(
            {
                "type": 1,
                "components": [
                    {
                        "type": 2,
                        "label": b.label,
                        "custom_id": b.action,
                        "style": styles.get(b.style, 2),
                    }
                    for b in buttons[i : i + BUTTONS_PER_ROW]
                ],
            }
        )
    return rows
