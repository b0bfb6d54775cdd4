"""The card every picture is drawn on: a Pillow canvas, colours, fonts and a PNG encoder.

Colours are the Okabe–Ito palette (distinguishable with the common colour-vision
deficiencies) and viridis for the calendar, on a card with its own solid dark background, so
a picture reads the same in Discord's and Slack's light and dark themes. The fonts are the
DejaVu Sans files that ship inside matplotlib's package data: nothing is downloaded at run
time. Drawing is Pillow's ImageDraw (FreeType text, plain rectangles): an order of magnitude
less CPU per card than building matplotlib artists, which matters at p99 < 150 ms.
"""

from __future__ import annotations

import importlib.util
import io
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import ImageFont

# Okabe & Ito (2008), "Color Universal Design".
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
PURPLE = "#CC79A7"
SERIES = (SKY_BLUE, ORANGE, GREEN, PURPLE, YELLOW, BLUE, VERMILLION)
# viridis at 0.25, 0.5, 0.75, 1.0: the calendar's 1, 2, 3, 4+ study actions.
VIRIDIS = ("#3B528B", "#21918C", "#5EC962", "#FDE725")

BACKGROUND = "#1B1F27"  # the card: solid, so chat themes don't show through
PANEL = "#262B35"
TEXT = "#F2F2F2"
MUTED = "#A9B0BC"
GRID = "#3A404C"
EMPTY = "#323844"  # a calendar day with no study

WIDTH = 800  # px: sharp in chat, small as PNG
FONT_FILES = {False: "DejaVuSans.ttf", True: "DejaVuSans-Bold.ttf"}


@lru_cache(maxsize=1)
def font_dir() -> Path:
    """matplotlib's bundled TrueType fonts (found without importing matplotlib)."""
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("matplotlib (which ships the DejaVu fonts) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "mpl-data" / "fonts" / "ttf"


def font_path(bold: bool = False) -> str:
    return str(font_dir() / FONT_FILES[bold])


@lru_cache(maxsize=32)
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    from PIL import ImageFont

    # BASIC layout: text is shaped and reordered beforehand (bot.pictures.text), so the
    # result doesn't depend on whether this Pillow build has libraqm.
    return ImageFont.truetype(font_path(bold), size, layout_engine=ImageFont.Layout.BASIC)


class Card:
    """A WIDTH × ``height`` canvas with the card background."""

    def __init__(self, height: int) -> None:
        from PIL import Image, ImageDraw  # loaded with the first picture, not at start-up

        self.image = Image.new("RGB", (WIDTH, int(height)), BACKGROUND)
        self.draw = ImageDraw.Draw(self.image)

    @property
    def height(self) -> int:
        return self.image.height

    def text(
        self,
        xy: tuple[float, float],
        text: str,
        size: int = 14,
        colour: str = TEXT,
        anchor: str = "lm",
        bold: bool = False,
    ) -> float:
        """Draw ``text`` (already made safe); returns its width in px."""
        f = font(size, bold)
        self.draw.text(xy, text, font=f, fill=colour, anchor=anchor)
        return f.getlength(text)

    def rect(self, box: tuple[float, float, float, float], fill: str, outline: str | None = None):
        x0, y0, x1, y1 = box
        self.draw.rectangle((x0, y0, max(x0, x1), max(y0, y1)), fill=fill, outline=outline)

    def png(self) -> tuple[bytes, int, int]:
        """PNG bytes with width and height in px (fast zlib level: flat colours compress well)."""
        buf = io.BytesIO()
        self.image.save(buf, format="PNG", compress_level=1)
        return buf.getvalue(), self.image.width, self.image.height


def fit(text: str, size: int, width: float, bold: bool = False) -> str:
    """``text`` cut (with …) to fit ``width`` px at ``size``."""
    f = font(size, bold)
    if f.getlength(text) <= width:
        return text
    while text and f.getlength(text + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"
