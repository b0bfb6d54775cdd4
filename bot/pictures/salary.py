"""Salary chart: each figure's average and range per source, one panel per country/currency.

Amounts stay in their local currency and are never converted: two currencies never share an
axis. Each bar is labelled with its source's label (the guide title when content has one).
"""

from __future__ import annotations

from dataclasses import dataclass

from matplotlib.ticker import FuncFormatter

from bot.core.reply import MAX_ALT
from bot.core.safety import neutralize
from bot.pictures import theme
from bot.pictures.text import clip, safe

MAX_FIGURES_PER_PANEL = 8  # more would not be readable; the text lists every figure anyway
MAX_PANELS = 4


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
            out.append((name, figures[:MAX_FIGURES_PER_PANEL]))
    return out[:MAX_PANELS]


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


def draw(title: str, panels: tuple[SalaryPanel, ...]) -> tuple[bytes, int, int]:
    """A PNG of the panels: per figure a range bar (low–high) and an average marker."""
    shown = _panels(panels)
    rows = sum(len(f) for _, f in shown)
    height = max(2.5, 1.1 + 0.55 * max(rows, 1) + 0.5 * len(shown))
    with theme.rc():
        fig = theme.figure(min(height, 9.0))
        fig.suptitle(
            safe(title, 70), color=theme.TEXT, fontsize=14, fontweight="bold", x=0.03, ha="left"
        )
        if not shown:
            fig.text(
                0.5, 0.45, "No salary figures to draw", ha="center", color=theme.MUTED, fontsize=12
            )
            return theme.png(fig)
        axes = fig.subplots(
            len(shown), 1, squeeze=False, gridspec_kw={"height_ratios": [len(f) for _, f in shown]}
        )[:, 0]
        for ax, (name, figures) in zip(axes, shown, strict=True):
            theme.style_axes(ax)
            ys = list(range(len(figures)))[::-1]
            top = 0.0
            for y, f, colour in zip(ys, figures, theme.SERIES * 3, strict=False):
                if f.low is not None and f.high is not None:
                    ax.barh(
                        y,
                        f.high - f.low,
                        left=f.low,
                        height=0.5,
                        color=colour,
                        alpha=0.45,
                        edgecolor=colour,
                    )
                    for x, ha in ((f.low, "left"), (f.high, "right")):
                        ax.text(
                            x,
                            y - 0.38,
                            _short(x, f),
                            color=theme.MUTED,
                            fontsize=8,
                            ha=ha,
                            va="center",
                        )
                    top = max(top, f.high)
                if f.average is not None:
                    ax.plot(
                        [f.average],
                        [y],
                        marker="D",
                        markersize=9,
                        color=colour,
                        markeredgecolor=theme.TEXT,
                        linestyle="none",
                    )
                    ax.text(
                        f.average,
                        y + 0.36,
                        _money(f.average, f),
                        color=theme.TEXT,
                        fontsize=9,
                        ha="center",
                        va="center",
                        fontweight="bold",
                    )
                    top = max(top, f.average)
            ax.set_yticks(ys, [safe(f.source, 34) for f in figures])
            ax.set_ylim(-0.8, len(figures) - 0.2)
            ax.set_xlim(0, top * 1.08 if top > 0 else 1)
            sample = figures[0]
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p, f=sample: _short(v, f)))
            ax.grid(axis="x", color=theme.GRID, linewidth=0.6)
            ax.set_axisbelow(True)
            ax.set_title(safe(name, 50), color=theme.TEXT, fontsize=11, loc="left")
        fig.text(
            0.99,
            0.01,
            "◆ average  ▬ range · per year, local currency, not converted",
            ha="right",
            va="bottom",
            color=theme.MUTED,
            fontsize=8,
        )
        fig.subplots_adjust(
            left=0.3, right=0.97, top=1 - 0.75 / min(height, 9.0), bottom=0.1, hspace=0.6
        )
        return theme.png(fig)
