"""What Discord's API rejects, written down once so the fake server and the tests agree.

The figures are Discord's documented limits (Message, Embed limits, Message Components,
Application Commands). ``message_problems`` and ``command_problems`` return a list of
reasons a payload would get "400 Invalid Form Body"; empty means Discord accepts it.
"""

from __future__ import annotations

import re
from typing import Any

CONTENT = 2000
EMBEDS_PER_MESSAGE = 10
EMBED_TOTAL = 6000
TITLE = 256
DESCRIPTION = 4096
FIELDS = 25
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER = 2048
AUTHOR = 256
ROWS = 5
BUTTONS_PER_ROW = 5
CUSTOM_ID = 100
LABEL = 80

NAME = re.compile(r"^[-_\w]{1,32}$")
COMMAND_DESCRIPTION = 100
OPTIONS = 25
CHOICES = 25
CHOICE_NAME = 100
CHOICE_VALUE = 100


def embed_length(embed: dict[str, Any]) -> int:
    total = len(embed.get("title") or "") + len(embed.get("description") or "")
    total += len((embed.get("footer") or {}).get("text") or "")
    total += len((embed.get("author") or {}).get("name") or "")
    for f in embed.get("fields") or []:
        total += len(f.get("name") or "") + len(f.get("value") or "")
    return total


def embed_problems(embed: dict[str, Any]) -> list[str]:
    out = []
    if len(embed.get("title") or "") > TITLE:
        out.append("embed title > 256")
    if len(embed.get("description") or "") > DESCRIPTION:
        out.append("embed description > 4096")
    fields = embed.get("fields") or []
    if len(fields) > FIELDS:
        out.append("more than 25 fields")
    for f in fields:
        name, value = f.get("name") or "", f.get("value") or ""
        if not name.strip():
            out.append("empty field name")
        if not value.strip():
            out.append("empty field value")
        if len(name) > FIELD_NAME:
            out.append("field name > 256")
        if len(value) > FIELD_VALUE:
            out.append("field value > 1024")
    if len((embed.get("footer") or {}).get("text") or "") > FOOTER:
        out.append("footer > 2048")
    if embed_length(embed) > EMBED_TOTAL:
        out.append("embed > 6000")
    if not any(
        embed.get(k) for k in ("title", "description", "fields", "footer", "image", "author")
    ):
        out.append("empty embed")
    return out


def components_problems(components: list[dict[str, Any]]) -> list[str]:
    out = []
    if len(components) > ROWS:
        out.append("more than 5 action rows")
    seen: set[str] = set()
    for row in components:
        if row.get("type") != 1:
            out.append("top-level component is not an action row")
            continue
        buttons = row.get("components") or []
        if not 1 <= len(buttons) <= BUTTONS_PER_ROW:
            out.append("an action row needs 1–5 buttons")
        for b in buttons:
            cid = b.get("custom_id")
            if b.get("style") == 5:
                continue
            if not cid or len(cid) > CUSTOM_ID:
                out.append("custom_id missing or > 100")
            if cid in seen:
                out.append("duplicate custom_id")
            seen.add(cid)
            if len(b.get("label") or "") > LABEL:
                out.append("button label > 80")
    return out


def message_problems(payload: dict[str, Any]) -> list[str]:
    """Reasons Discord would reject this message body (create, edit, callback data)."""
    out = []
    content = payload.get("content") or ""
    embeds = payload.get("embeds") or []
    components = payload.get("components") or []
    if len(content) > CONTENT:
        out.append("content > 2000")
    if len(embeds) > EMBEDS_PER_MESSAGE:
        out.append("more than 10 embeds")
    for e in embeds:
        out.extend(embed_problems(e))
    if sum(embed_length(e) for e in embeds) > EMBED_TOTAL:
        out.append("embeds together > 6000")
    out.extend(components_problems(components))
    return out


def _option_problems(opt: dict[str, Any], where: str) -> list[str]:
    out = []
    if not NAME.match(opt.get("name", "")) or opt["name"] != opt["name"].lower():
        out.append(f"{where}: bad option name {opt.get('name')!r}")
    if not 1 <= len(opt.get("description", "")) <= COMMAND_DESCRIPTION:
        out.append(f"{where}: option description must be 1–100")
    kind = opt.get("type")
    if kind in (1, 2):
        subs = opt.get("options") or []
        if len(subs) > OPTIONS:
            out.append(f"{where}: more than 25 options")
        for sub in subs:
            if kind == 1 and sub.get("type") in (1, 2):
                out.append(f"{where}: subcommand inside subcommand")
            if kind == 2 and sub.get("type") != 1:
                out.append(f"{where}: a group holds only subcommands")
            out.extend(_option_problems(sub, f"{where} {opt['name']}"))
        out.extend(_order_problems(subs, where))
        return out
    choices = opt.get("choices") or []
    if len(choices) > CHOICES:
        out.append(f"{where}: more than 25 choices")
    if choices and opt.get("autocomplete"):
        out.append(f"{where}: choices and autocomplete together")
    for c in choices:
        if not 1 <= len(c["name"]) <= CHOICE_NAME or len(str(c["value"])) > CHOICE_VALUE:
            out.append(f"{where}: bad choice")
    return out


def _order_problems(options: list[dict[str, Any]], where: str) -> list[str]:
    plain = [o for o in options if o.get("type") not in (1, 2)]
    if plain and len(plain) != len(options):
        return [f"{where}: subcommands mixed with options"]
    seen_optional = False
    for o in plain:
        if not o.get("required"):
            seen_optional = True
        elif seen_optional:
            return [f"{where}: required option after an optional one"]
    return []


def command_problems(commands: list[dict[str, Any]]) -> list[str]:
    """Reasons Discord would reject this bulk overwrite of chat-input commands."""
    out = []
    names = [c.get("name") for c in commands]
    if len(names) != len(set(names)):
        out.append("duplicate command names")
    if len(commands) > 100:
        out.append("more than 100 commands")
    for c in commands:
        where = f"/{c.get('name')}"
        if not NAME.match(c.get("name", "")) or c["name"] != c["name"].lower():
            out.append(f"{where}: bad name")
        if not 1 <= len(c.get("description", "")) <= COMMAND_DESCRIPTION:
            out.append(f"{where}: description must be 1–100")
        options = c.get("options") or []
        if len(options) > OPTIONS:
            out.append(f"{where}: more than 25 options")
        for o in options:
            out.extend(_option_problems(o, where))
        out.extend(_order_problems(options, where))
    return out
