"""Salary chart: each figure's average and range per source, one panel per country/currency.

Amounts stay in their local currency and are never converted: two currencies never share an
axis. Each bar is labelled with its source's label (the guide title when content has one).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.reply import MAX_ALT
from bot.core.safety import neutralize
from bot.pictures import theme
from bot.pictures.text import clip, safe

MAX_FIGURES_PER_PANEL = 8  # more would not be readable; the text lists every figure anyway
MAX_PANELS = 4
MAX_ROWS = 16  # figures on one chart, all panels together


@dataclass(frozen=True)
class SalaryFigure:
    """One figure a guide gives: amounts per year in ``currency`` (None when not given)."""

    source: str  # the label drawn beside the bar (a guide title or file name)
    currency: str  # ISO code, e.g. "GBP"
    symbol: str  # e.g. "£", or "" to write the code
    average: int | None = None
    low: int | None = None
    high: int | None = None


@dataclass(frozen=True)
class SalaryPanel:
    country: str
    figures: tuple[SalaryFigure, ...]


def _money(amount: float, f: SalaryFigure) -> str:
    return f"{f.symbol}{amount:,.0f}" if f.symbol else f"{f.currency} {amount:,.0f}"


def _short(amount: float, f: SalaryFigure) -> str:
    value = f"{amount / 1000:,.0f}k" if abs(amount) >= 1000 else f"{amount:,.0f}"
    return f"{f.symbol}{value}" if f.symbol else f"{value} {f.currency}"


def _panels(panels: tuple[SalaryPanel, ...]) -> list[tuple[str, list[SalaryFigure]]]:
    """Split each country by currency so no axis mixes two currencies."""
    out: list[tuple[str, list[SalaryFigure]]] = []
    for p in panels:
        by_currency: dict[str, list[SalaryFigure]] = {}
        for f in p.figures:
            if f.average is not None or (f.low is not None and f.high is not None):
                by_currency.setdefault(f.currency, []).append(f)
        for currency, figures in by_currency.items():
            name = p.country if len(by_currency) == 1 else f"{p.country} ({currency})"
            room = MAX_ROWS - sum(len(f) for _, f in out)
            if room > 0 and len(out) < MAX_PANELS:
                out.append((name, figures[: min(MAX_FIGURES_PER_PANEL, room)]))
    return out


def describe(title: str, panels: tuple[SalaryPanel, ...]) -> str:
    """The alt text: every drawn figure with its numbers, in words."""
    parts = [f"Chart: {neutralize(title, 200)}. Local currencies, not converted."]
    for name, figures in _panels(panels):
        bits = []
        for f in figures:
            what = []
            if f.average is not None:
                what.append(f"average {_money(f.average, f)}")
            if f.low is not None and f.high is not None:
                what.append(f"range {_money(f.low, f)}–{_money(f.high, f)}")
            bits.append(f"{', '.join(what)} ({f.source})")
        parts.append(f"{name}: " + "; ".join(bits) + ".")
    if len(parts) == 1:
        parts.append("No figures to draw.")
    return clip(" ".join(parts), MAX_ALT)


ROW = 56  # px per figure
PANEL_HEAD = 64  # panel title + axis labels
LEFT, RIGHT = 272, 772  # the bar area


def _blend(colour: str, weight: float) -> str:
    """``colour`` mixed with the panel colour (a translucent look on an RGB canvas)."""
    a = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    b = [int(theme.PANEL[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(
        f"{round(x * weight + y * (1 - weight)):02X}" for x, y in zip(a, b, strict=True)
    )


def _step(top: float) -> float:
    """A round grid step giving 3–6 lines up to ``top``."""
    step = 1.0
    while top / step > 6:
        for m in (2, 2.5, 2):
            step *= m
            if top / step <= 6:
                break
    return step


def draw(title: str, panels: tuple[SalaryPanel, ...]) -> tuple[bytes, int, int]:
    """A PNG of the panels: per figure a range bar (low–high) and an average marker."""
    shown = _panels(panels)
    rows = sum(len(f) for _, f in shown)
    row = ROW if rows <= 8 else 44
    c = theme.Card(max(200, 84 + sum(PANEL_HEAD + row * len(f) for _, f in shown) + 24))
    c.text((24, 32), theme.fit(safe(title, 80), 20, 752, bold=True), 20, bold=True)
    if not rows:
        c.text((400, 120), "No salary figures to draw", 16, theme.MUTED, "mm")
        return c.png()
    y = 72
    for name, figures in shown:
        top = max(max(f.high or 0, f.average or 0) for f in figures) * 1.08 or 1.0
        scale = (RIGHT - LEFT) / top
        sample = figures[0]
        c.text((LEFT, y + 14), theme.fit(safe(name, 50), 15, 500), 15)
        body = (LEFT, y + 30, RIGHT, y + 30 + row * len(figures))
        c.rect(body, theme.PANEL, theme.GRID)
        step = _step(top)
        tick = 0.0
        while tick <= top:
            x = LEFT + tick * scale
            c.rect((x, body[1] + 1, x, body[3] - 1), theme.GRID)
            c.text((x, body[3] + 10), _short(tick, sample), 11, theme.MUTED, "mm")
            tick += step
        for i, (f, colour) in enumerate(zip(figures, theme.SERIES * 3, strict=False)):
            cy = body[1] + row * i + row // 2
            c.text((LEFT - 12, cy), theme.fit(safe(f.source, 34), 13, LEFT - 36), 13, anchor="rm")
            if f.low is not None and f.high is not None:
                x0, x1 = LEFT + f.low * scale, LEFT + f.high * scale
                c.rect((x0, cy - 8, x1, cy + 8), _blend(colour, 0.45), colour)
                c.text((x0, cy + 18), _short(f.low, f), 11, theme.MUTED, "lm")
                c.text((x1, cy + 18), _short(f.high, f), 11, theme.MUTED, "rm")
            if f.average is not None:
                x = LEFT + f.average * scale
                c.draw.polygon(
                    [(x, cy - 8), (x + 8, cy), (x, cy + 8), (x - 8, cy)],
                    fill=colour,
                    outline=theme.TEXT,
                )
                c.text((x, cy - 18), _money(f.average, f), 12, theme.TEXT, "mm", bold=True)
        y = body[3] + PANEL_HEAD - 30
    c.text(
        (776, c.height - 14),
        "◆ average   ▬ range · per year, local currency, not converted",
        11,
        theme.MUTED,
        "rm",
    )
    return c.png()
