"""Make user-supplied text safe to echo back on any platform.

Adapters also disable mentions at the platform level (Discord allowed_mentions, Slack
escaping); this is the second belt: nothing a member types can become a ping or break
layout, whichever adapter renders it.
"""

from __future__ import annotations

import re
import unicodedata

_ZWSP = "\u200b"
_MASS = re.compile(r"@(everyone|here|channel)", re.IGNORECASE)
_DISCORD_MENTION = re.compile(r"<(@[!&]?|#)(\d+)>")
_SLACK_SPECIAL = re.compile(r"<([!@#][^>]*)>")


def strip_controls(text: str) -> str:
    """Drop control and format characters except newline and tab."""
    if text.isprintable():  # the common case: nothing to drop (checked in C)
        return text
    return "".join(
        ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs")
    )


def neutralize(text: str, limit: int = 200) -> str:
    """User text made inert: no mentions, no control characters, at most ``limit`` chars."""
    text = strip_controls(text)
    text = _MASS.sub(lambda m: "@" + _ZWSP + m.group(1), text)
    text = _DISCORD_MENTION.sub(lambda m: "<" + m.group(1) + _ZWSP + m.group(2) + ">", text)
    text = _SLACK_SPECIAL.sub(lambda m: "<" + _ZWSP + m.group(1) + ">", text)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text
