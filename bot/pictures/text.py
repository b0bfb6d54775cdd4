"""Text made safe to draw: any script, no markup, nothing the font can't show, clipped.

Names come from members, so they may hold anything: control and bidi-override characters
(dropped), Arabic or Hebrew (shaped with arabic-reshaper and put in visual order with
python-bidi, because the text is drawn glyph by glyph left to right without shaping), emoji and other
characters DejaVu Sans lacks (each becomes one placeholder box instead of a missing-glyph
warning), and any length (clipped with an ellipsis before shaping, so the cut is in reading
order). Pillow draws text as given: no markup or math syntax is interpreted.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from bot.core.safety import strip_controls
from bot.pictures.theme import font_path

PLACEHOLDER = "\u25a1"  # □, in DejaVu Sans
ELLIPSIS = "…"
_RTL = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
# Emoji presentation selectors, skin-tone modifiers and tag characters only modify the
# character before them; alone they would each become a box.
_MODIFIERS = re.compile(r"[\ufe00-\ufe0f\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f\u20e3]")


@lru_cache(maxsize=1)
def _charmap() -> frozenset[int]:
    """Code points both DejaVu faces we draw with have glyphs for."""
    from fontTools.ttLib import TTFont  # a matplotlib dependency, like the fonts themselves

    regular, bold = (TTFont(font_path(b), lazy=True) for b in (False, True))
    return frozenset(regular.getBestCmap()) & frozenset(bold.getBestCmap())


def drawable(text: str) -> str:
    """``text`` with every character the font lacks replaced by one placeholder box."""
    cmap = _charmap()
    if all(ord(ch) in cmap for ch in text):
        return text
    out = []
    for ch in text:
        if ord(ch) in cmap:
            out.append(ch)
        elif unicodedata.category(ch) == "Mn":
            continue  # a combining mark the font lacks: drop it rather than box it
        elif not (out and out[-1] == PLACEHOLDER):
            out.append(PLACEHOLDER)
    return "".join(out)


def clip(text: str, limit: int) -> str:
    """At most ``limit`` characters, ending in … when cut."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)].rstrip() + ELLIPSIS


def safe(text: str, limit: int = 40) -> str:
    """Text ready to draw: one line, controls dropped, clipped, shaped, drawable."""
    text = " ".join(strip_controls(text).split())
    text = _MODIFIERS.sub("", text)
    text = clip(text, limit)
    if _RTL.search(text):
        import arabic_reshaper
        from bidi import get_display

        text = get_display(arabic_reshaper.reshape(text))
    return drawable(text)
