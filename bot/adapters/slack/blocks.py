"""Render a neutral Reply as a Slack message: Block Kit blocks plus the plain ``text`` fallback.

Every limit Slack documents for messages is kept here, for any Reply (the tests feed it
hypothesis-generated replies): at most 50 blocks; header text 150; section text 3000; at most
10 fields of 2000 each; context elements 10; actions elements 25; button text 75, action_id 255,
value 2000; the top-level ``text`` 40000. Our action ids go in each button's ``value`` (Slack
wants action_ids unique within a message, and two buttons may carry the same id).

Escaping: Slack interprets ``&``, ``<`` and ``>`` in mrkdwn and in the top-level ``text``
(``<!everyone>``, ``<@U123>``, ``<https://x|y>``), so every piece of content text is escaped
before it is wrapped in our own formatting. Plain-text objects (header, button labels) are
not parsed for mentions and are left as typed.
"""

from __future__ import annotations

import re
from typing import Any

from bot.core.reply import Button, Entry, Reply

MAX_BLOCKS = 50
MAX_HEADER = 150
MAX_SECTION = 3000
MAX_FIELDS = 10
MAX_FIELD = 2000
MAX_CONTEXT_ELEMENTS = 10
MAX_ACTIONS = 25
MAX_BUTTON_TEXT = 75
MAX_ACTION_ID = 255
MAX_VALUE = 2000
MAX_TEXT = 40000
MAX_ALT = 2000
MAX_IMAGE_URL = 3000
MAX_HOME_BLOCKS = 100

ACTION_PREFIX = "mle|"
STYLES = {"primary": "primary", "success": "primary", "danger": "danger"}

_PARTIAL_ENTITY = re.compile(r"&[a-z]{0,3}$")


def escape(text: str) -> str:
    """Escape the three characters Slack interprets in mrkdwn and message text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    """At most ``limit`` characters, ending in … when cut, never inside an ``&amp;`` entity."""
    if len(text) <= limit:
        return text
    cut = _PARTIAL_ENTITY.sub("", text[: limit - 1])
    return cut + "…"


def plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": clip(text.strip() or "·", limit), "emoji": True}


def mrkdwn(text: str, limit: int = MAX_SECTION) -> dict[str, Any]:
    """A mrkdwn text object; ``text`` must already be escaped."""
    return {"type": "mrkdwn", "text": clip(text if text.strip() else "·", limit)}


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": mrkdwn(text)}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [mrkdwn(text)]}


def _chunks(text: str, limit: int = MAX_SECTION) -> list[str]:
    """Split escaped text into pieces of at most ``limit``, at line breaks where possible."""
    out: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        if cut < limit // 2:
            cut = text.rfind(" ", 0, limit)
        if cut < limit // 2:
            cut = limit
        piece = text[:cut]
        # Never split an entity such as &amp; across two sections.
        partial = _PARTIAL_ENTITY.search(piece)
        if partial:
            cut = partial.start()
            piece = text[:cut]
        out.append(piece)
        text = text[cut:].lstrip("\n ")
    if text:
        out.append(text)
    return out


def _bold(text: str) -> str:
    # Asterisks inside the title would end the bold run early; a look-alike keeps the text.
    text = escape(text.replace("*", "∗")).strip()
    return f"*{text}*" if text else ""


def _entry_text(entry: Entry, with_source: bool) -> str:
    parts = [_bold(entry.title)]
    if entry.text:
        parts.append(escape(entry.text))
    if with_source and entry.source:
        parts.append(f"_Source: {escape(entry.source)}_")
    return "\n".join(p for p in parts if p)


def button_element(button: Button, index: int, seen: set[str]) -> dict[str, Any]:
    action_id = button.action if button.action.startswith(ACTION_PREFIX) else ACTION_PREFIX + "x"
    action_id = action_id[:MAX_ACTION_ID]
    if action_id in seen:
        action_id = f"{ACTION_PREFIX}{index}|{action_id}"[:MAX_ACTION_ID]
    seen.add(action_id)
    element: dict[str, Any] = {
        "type": "button",
        "action_id": action_id,
        "text": plain(button.label, MAX_BUTTON_TEXT),
        "value": button.action[:MAX_VALUE],
    }
    style = STYLES.get(button.style)
    if style:
        element["style"] = style
    return element


def _actions(buttons: tuple[Button, ...]) -> list[dict[str, Any]]:
    seen: set[str] = set()
    elements = [button_element(b, i, seen) for i, b in enumerate(buttons)]
    return [
        {"type": "actions", "elements": elements[i : i + MAX_ACTIONS]}
        for i in range(0, len(elements), MAX_ACTIONS)
    ]


def _body(reply: Reply, compact: bool) -> list[dict[str, Any]]:
    """Blocks between the header and the trailing context/actions."""
    blocks: list[dict[str, Any]] = []
    if reply.text:
        text = escape(reply.text)
        if reply.kind == "error" and not reply.title:
            text = ":warning: " + text
        blocks.extend(_section(c) for c in _chunks(text))
    inline = [f for f in reply.fields if f.inline]
    for f in reply.fields:
        if not f.inline:
            value = _bold(f.name) + "\n" + escape(f.value)
            blocks.extend(_section(c) for c in _chunks(value))
    for i in range(0, len(inline), MAX_FIELDS):
        group = inline[i : i + MAX_FIELDS]
        blocks.append(
            {
                "type": "section",
                "fields": [
                    mrkdwn(_bold(f.name) + "\n" + escape(f.value), MAX_FIELD) for f in group
                ],
            }
        )
    if not compact:
        for entry in reply.items:
            blocks.extend(_section(c) for c in _chunks(_entry_text(entry, with_source=False)))
            if entry.source:
                blocks.append(_context(f"Source: {escape(entry.source)}"))
    elif reply.items:
        # Pack several items into each section so long lists still fit in 50 blocks.
        text = "\n\n".join(_entry_text(e, with_source=True) for e in reply.items)
        blocks.extend(_section(c) for c in _chunks(text))
    if reply.image and reply.image.startswith("https://") and len(reply.image) <= MAX_IMAGE_URL:
        alt = reply.title or "image"
        blocks.append({"type": "image", "image_url": reply.image, "alt_text": clip(alt, MAX_ALT)})
    return blocks


def picture_blocks(reply: Reply, files: dict[str, str]) -> list[dict[str, Any]]:
    """Image blocks for the reply's pictures that were uploaded (``files``: file name → id).

    Uploaded files are shown with ``slack_file`` (no public URL needed); a picture that
    didn't upload is simply left out: the reply's text carries the same numbers.
    """
    blocks = []
    for a in reply.attachments:
        file_id = files.get(a.filename)
        if file_id:
            blocks.append(
                {
                    "type": "image",
                    "slack_file": {"id": file_id},
                    "alt_text": clip(a.alt or a.filename, MAX_ALT),
                }
            )
    return blocks


def _tail(reply: Reply) -> list[dict[str, Any]]:
    notes: list[str] = []
    if reply.pages > 1:
        notes.append(f"Page {reply.page} of {reply.pages}")
    if reply.footer:
        notes.append(escape(reply.footer))
    blocks: list[dict[str, Any]] = []
    if notes:
        blocks.append(_context(" · ".join(notes)))
    blocks.extend(_actions(reply.buttons))
    return blocks


def render_blocks(
    reply: Reply, max_blocks: int = MAX_BLOCKS, files: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """Block Kit blocks for ``reply``, always within ``max_blocks`` and every element limit.

    ``files`` maps the reply's picture file names to uploaded Slack file ids; those pictures
    are shown right under the header.
    """
    head: list[dict[str, Any]] = []
    if reply.title:
        title = ("⚠️ " if reply.kind == "error" else "") + reply.title
        head.append({"type": "header", "text": plain(title, MAX_HEADER)})
    head.extend(picture_blocks(reply, files or {})[: max(max_blocks // 5, 1)])
    tail = _tail(reply)
    body = _body(reply, compact=False)
    if len(head) + len(body) + len(tail) > max_blocks:
        body = _body(reply, compact=True)
    room = max_blocks - len(head) - len(tail)
    if len(body) > room:
        # Still too long (huge text): keep what fits and say the rest was cut.
        room = max(room - 1, 0)
        body = body[:room] + [_context("…the rest was cut to fit Slack's message size.")]
    blocks = head + body + tail
    if not blocks:  # an empty reply still needs one block for Slack to show anything
        blocks = [_section("…")]
    return blocks[:max_blocks]


def fallback_text(reply: Reply) -> str:
    """The top-level ``text``: what notifications and screen readers show."""
    text = reply.plain_text() or reply.title or "…"
    return clip(escape(text), MAX_TEXT)


def mention_text(reply: Reply) -> str:
    """Admin-configured mentions in Slack's syntax: ``<!subteam^ID>``, ``<!here>``, ``<!channel>``.

    Only ``reply.mentions`` (filled from admin configuration, never from user text) become
    mentions; ids are checked against Slack's id alphabet so nothing else can be smuggled in.
    """
    out: list[str] = []
    for m in reply.mentions:
        if m.kind == "group" and _GROUP_ID.fullmatch(m.id):
            out.append(f"<!subteam^{m.id}>")
        elif m.kind in ("here", "channel"):
            out.append(f"<!{m.kind}>")
    return " ".join(dict.fromkeys(out))


_GROUP_ID = re.compile(r"S[A-Z0-9]{2,20}")


def render(reply: Reply, files: dict[str, str] | None = None) -> dict[str, Any]:
    """A message payload: ``{"text": …, "blocks": […]}``.

    ``files``: uploaded pictures (file name → Slack file id) to show in image blocks.
    Admin-configured mentions lead both the fallback text and the first section, the only
    places Slack notifies from.
    """
    text = fallback_text(reply)
    ping = mention_text(reply)
    blocks = render_blocks(reply, MAX_BLOCKS - (1 if ping else 0), files=files)
    if ping:
        text = clip(ping + " " + text, MAX_TEXT)
        blocks = [_section(ping), *blocks]
    return {"text": text, "blocks": blocks}
