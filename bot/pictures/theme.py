"""The card every picture is drawn on: one figure size, colours and a PNG encoder.

Colours are the Okabe–Ito palette (distinguishable with the common colour-vision
deficiencies) on a card with its own solid dark background, so a picture reads the same in
Discord's and Slack's light and dark themes. Figures are built with ``matplotlib.figure``
and the Agg canvas directly — never pyplot — so nothing global is kept between renders.
"""

from __future__ import annotations

import io
from typing import Any

import matplotlib

matplotlib.use("Agg", force=False)  # noqa: E402 — before anything imports pyplot

from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

# Okabe & Ito (2008), "Color Universal Design".
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
PURPLE = "#CC79A7"
SERIES = (SKY_BLUE, ORANGE, GREEN, PURPLE, YELLOW, BLUE, VERMILLION)

BACKGROUND = "#1B1F27"  # the card: solid, so chat themes don't show through
PANEL = "#262B35"
TEXT = "#F2F2F2"
MUTED = "#A9B0BC"
GRID = "#3A404C"
EMPTY = "#323844"  # a heatmap day with no study

FONT = "DejaVu Sans"  # ships with matplotlib: nothing is downloaded at run time
DPI = 100
WIDTH_IN = 8.0  # 800 px wide: sharp in chat, small as PNG

_RC: dict[str, Any] = {
    "font.family": FONT,
    "text.color": TEXT,
    "axes.labelcolor": TEXT,
    "axes.edgecolor": GRID,
    "axes.facecolor": PANEL,
    "xtick.color": MUTED,
    "ytick.color": TEXT,
    "text.parse_math": False,  # "$5$" in a name is text, never mathtext
    "svg.fonttype": "none",
}


def figure(height_in: float) -> Figure:
    """A blank card ``WIDTH_IN`` × ``height_in`` inches at ``DPI``, with the card background."""
    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=(WIDTH_IN, height_in), dpi=DPI, facecolor=BACKGROUND)
        FigureCanvasAgg(fig)
    return fig


def style_axes(ax: Any) -> None:
    """Card colours on one axes (matplotlib reads rc only when the axes is created)."""
    ax.set_facecolor(PANEL)
    for spine in ax.spines.values():
        spine.set_color(GRID)
    ax.tick_params(colors=MUTED, labelcolor=TEXT, labelsize=9)
    ax.xaxis.label.set_color(MUTED)


def png(fig: Figure) -> tuple[bytes, int, int]:
    """The figure as PNG bytes with its width and height in pixels."""
    buf = io.BytesIO()
    with matplotlib.rc_context(_RC):
        # Fast zlib level: flat-colour cards compress well anyway, and encoding at the
        # default level was a fifth of the render time.
        fig.savefig(
            buf,
            format="png",
            dpi=DPI,
            facecolor=BACKGROUND,
            metadata={"Software": None},
            pil_kwargs={"compress_level": 1},
        )
    width, height = (int(round(v)) for v in fig.get_size_inches() * DPI)
    fig.clear()
    return buf.getvalue(), width, height


def rc():
    """The rc context every drawing runs in (fonts, colours, no mathtext)."""
    return matplotlib.rc_context(_RC)
