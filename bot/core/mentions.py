"""Pings an admin configured: parsed from admin input, stored, and turned into RoleMention.

The only way a ping gets into a Reply is ``Reply.mentions``, filled from a value an admin
stored (``/daily subscribe … role:``), never from what members type. What an admin may
choose depends on the platform:

- Discord: a role, typed as its mention ``<@&123…>`` (what Discord inserts when you pick
  ``@Role`` in an option) or its id.
- Slack: a user group ``<!subteam^S…>`` / ``<!subteam^S…|@handle>`` or its id ``S…``; or
  ``@here`` / ``@channel``, only when written exactly so (explicit broadcast).

Anything else stays plain text, shown and never pinged. A stored mention starts with a
control character that ``neutralize`` removes from any text, so free text can never decode
into a mention.
"""

from __future__ import annotations

import re

from bot.core.reply import RoleMention

_TAG = "\x1fmention:"
_DISCORD_ROLE = re.compile(r"<@&(\d{15,20})>|(\d{15,20})")
_SLACK_GROUP = re.compile(r"<!subteam\^(S[A-Z0-9]{2,20})(?:\|@?([^<>|]{1,60}))?>|(S[A-Z0-9]{8,20})")
_SLACK_BROADCAST = {
    "@here": "here",
    "<!here>": "here",
    "@channel": "channel",
    "<!channel>": "channel",
}


def parse_role(platform: str, text: str | None) -> RoleMention | None:
    """The mention ``text`` names on ``platform``, or None when it is plain text."""
    if not text:
        return None
    value = text.strip()
    if platform == "discord":
        m = _DISCORD_ROLE.fullmatch(value)
        if m:
            rid = m.group(1) or m.group(2)
            return RoleMention("role", rid, f"role {rid}")
    elif platform == "slack":
        kind = _SLACK_BROADCAST.get(value.lower())
        if kind:
            return RoleMention(kind, "", "@" + kind)
        m = _SLACK_GROUP.fullmatch(value)
        if m:
            gid = m.group(1) or m.group(3)
            return RoleMention(
                "group", gid, "@" + m.group(2) if m.group(2) else f"user group {gid}"
            )
    return None


def encode(mention: RoleMention) -> str:
    """The stored form (at most 100 characters): ``\\x1fmention:<kind>:<id>:<label>``."""
    return f"{_TAG}{mention.kind}:{mention.id}:{mention.label}"[:100]


def decode(stored: str | None) -> RoleMention | None:
    """The mention a stored value holds, or None for plain text (or anything malformed)."""
    if not stored or not stored.startswith(_TAG):
        return None
    kind, _, rest = stored[len(_TAG) :].partition(":")
    mid, _, label = rest.partition(":")
    if kind == "role" and mid.isdigit():
        return RoleMention("role", mid, label)
    if kind == "group" and re.fullmatch(r"S[A-Z0-9]{2,20}", mid):
        return RoleMention("group", mid, label)
    if kind in ("here", "channel") and not mid:
        return RoleMention(kind, "", label)  # type: ignore[arg-type]
    return None
