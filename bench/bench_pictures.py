"""Pictures: render time per picture, memory, and what drawing costs the event loop.

    .venv/bin/python bench/bench_pictures.py [--n 200] [--soak 1000] [--interactions 200]

1. Render p50/p99 per picture (typical data) against a floor measured in the same run: an
   empty 800 × 500 card encoded as PNG, the least any picture costs. Wall-clock and process
   CPU time (CPU time is not inflated when other programs load the machine). Target p99
   < 150 ms.
2. Memory: peak Python allocation of one render (tracemalloc) and the process RSS before
   and after ``--soak`` more renders of all three pictures (target: no growth).
3. The event loop while pictures are drawn: the worst delay of a 1 ms ticker while 50
   pictures are drawn through ``bot.pictures.attach`` (the worker thread), next to the same
   pictures drawn inline on the loop (what blocking would look like).
4. Discord interactions, pictures on versus off in the same run: our bot in its own process
   (started as bench/bench_discord.py does) against the fake Discord, driving
   ``/salary show country:germany`` (which draws a chart) and ``/help`` (which doesn't)
   interleaved; p50/p99 INTERACTION_CREATE → callback for each command.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import statistics
import sys
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bot import pictures  # noqa: E402
from bot.pictures import leaderboard as lb  # noqa: E402
from bot.pictures import profile as pr  # noqa: E402
from bot.pictures import salary as sal  # noqa: E402
from bot.pictures import theme  # noqa: E402
from bot.store.records import TopicStats  # noqa: E402

TODAY = date(2026, 11, 30)


def salary_data():
    fig = sal.SalaryFigure
    panels = (
        sal.SalaryPanel(
            "United Kingdom", (fig("002_3ef0363f478912e4.txt", "GBP", "£", 55000, 40000, 90000),)
        ),
        sal.SalaryPanel(
            "United States",
            tuple(
                fig(f"00{i}_guide.txt", "USD", "$", 120000 + 5000 * i, 90000, 180000)
                for i in range(5)
            ),
        ),
    )
    return panels


def profile_data():
    topics = tuple(
        TopicStats(t, 10 + i, 3 + i)
        for i, t in enumerate(("nlp", "mlops", "coding", "evaluation", "deep-learning"))
    )
    days = {TODAY - timedelta(days=i): 1 + i % 4 for i in range(0, 84, 2)}
    return pr.ProgressCard(
        "Ada Lovelace", 1234, 3, 5, TODAY, "Europe/Berlin", days, topics, 9, 1, 4
    )


def board_data():
    rows = tuple(
        lb.BoardRow(i + 1, "محمد 😀" if i == 3 else f"Member {i}", 1000 - i, i % 5, i == 4)
        for i in range(10)
    )
    return lb.BoardCard("Leaderboard · all time", rows, 1, 1000, 10_000)


PICTURES = {
    "salary": (
        lambda d: sal.draw("ML engineer salary: UK vs US", d),
        lambda d: sal.describe("t", d),
        salary_data(),
    ),
    "profile": (pr.draw, pr.describe, profile_data()),
    "leaderboard": (lb.draw, lb.describe, board_data()),
}


def floor(_=None):
    return theme.Card(500).png()


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(p * len(values)))] * 1000


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def render_times(n: int) -> None:
    print(f"1. render time, n={n} each after 10 warm-up renders (interleaved); wall and CPU")
    draws = {"floor (empty PNG)": floor, **{k: v[0] for k, v in PICTURES.items()}}
    data = {"floor (empty PNG)": None, **{k: v[2] for k, v in PICTURES.items()}}
    wall: dict[str, list[float]] = {k: [] for k in draws}
    cpu: dict[str, list[float]] = {k: [] for k in draws}
    sizes: dict[str, int] = {}
    for _ in range(10):
        for k, draw in draws.items():
            draw(data[k])
    for _ in range(n):
        for k, draw in draws.items():
            c0, t0 = time.thread_time(), time.perf_counter()
            png, w, h = draw(data[k])
            wall[k].append(time.perf_counter() - t0)
            cpu[k].append(time.thread_time() - c0)
            sizes[k] = len(png)
    base = statistics.median(cpu["floor (empty PNG)"])
    print(
        f"   {'picture':<18} {'wall p50':>9} {'wall p99':>9} {'CPU p50':>8} {'CPU p99':>8} "
        f"{'CPU/floor':>10} {'PNG KB':>7}"
    )
    for k in draws:
        print(
            f"   {k:<18} {pct(wall[k], 0.5):>9.1f} {pct(wall[k], 0.99):>9.1f} "
            f"{pct(cpu[k], 0.5):>8.1f} {pct(cpu[k], 0.99):>8.1f} "
            f"{statistics.median(cpu[k]) / base:>10.1f} {sizes[k] / 1024:>7.1f}"
        )


def memory(soak: int) -> None:
    print(f"2. memory: tracemalloc peak of one render; RSS across {soak} renders")
    for k, (draw, _, d) in PICTURES.items():
        tracemalloc.start()
        draw(d)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"   {k:<12} peak {peak / 1024 / 1024:6.1f} MB")
    items = list(PICTURES.values())
    for i in range(60):  # settle caches (fonts, glyphs) first
        draw, _, d = items[i % 3]
        draw(d)
    gc.collect()
    before = rss_mb()
    marks = []
    for i in range(soak):
        draw, _, d = items[i % 3]
        draw(d)
        if (i + 1) % (soak // 4) == 0:
            gc.collect()
            marks.append(rss_mb())
    growth = marks[-1] - before
    print(
        f"   RSS {before:.1f} MB → "
        + " → ".join(f"{m:.1f}" for m in marks)
        + f" MB: growth {growth:+.1f} MB ({'flat' if abs(growth) < 5 else 'GROWS'})"
    )


async def loop_lag(inline: bool, count: int = 50) -> tuple[float, float]:
    """(max, p99) ms by which a 1 ms ticker ran late while ``count`` pictures were drawn."""
    lags: list[float] = []
    done = asyncio.Event()

    async def ticker() -> None:
        loop = asyncio.get_running_loop()
        while not done.is_set():
            t0 = loop.time()
            await asyncio.sleep(0.001)
            lags.append(loop.time() - t0 - 0.001)

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0.01)
    settings = type("S", (), {"pictures": True})()
    items = list(PICTURES.values())
    for i in range(count):
        draw, describe, d = items[i % 3]
        if inline:
            pictures.render(draw, d, describe(d), "x.png")
            await asyncio.sleep(0)
        else:
            await pictures.attach(settings, draw, describe, d, "x.png")
    done.set()
    await task
    return max(lags) * 1000, pct(lags, 0.99)


async def drive_mixed(fake, guild, commands: dict, n: int, concurrency: int) -> dict:
    """Send ``n`` interactions alternating between ``commands``; latencies by command."""
    latencies: dict[str, list[float]] = {k: [] for k in commands}
    labels = list(commands)
    sem = asyncio.Semaphore(concurrency)

    async def one(i: int) -> None:
        label = labels[i % len(labels)]
        name, options = commands[label]
        async with sem:
            inter = fake.command(guild, name, options)
            t0 = time.perf_counter()
            await fake.interact(inter, within=60)
            latencies[label].append(time.perf_counter() - t0)

    await asyncio.gather(*(one(i) for i in range(n)))
    return latencies


async def interactions(n: int, concurrency: int) -> None:
    import bench_discord as bd  # the process harness and driver of bench/bench_discord.py

    from bot.adapters.discord import make_bot
    from bot.adapters.discord.client import configure
    from bot.app import build_services
    from bot.core.registry import REGISTRY
    from tests.discord.fake_discord import FakeDiscord
    from tests.discord.helpers import command_payload

    fake = FakeDiscord()
    guild = fake.add_guild()
    await fake.start()
    services = build_services()
    services.settings.discord_api_base = fake.api_base
    services.settings.discord_gateway_url = fake.gateway_url
    configure(services.settings)
    probe = make_bot(services)
    commands = {
        "salary (chart)": command_payload(
            probe.commands, REGISTRY.commands[("salary",)], {"country": "germany"}
        ),
        "help (text)": command_payload(probe.commands, REGISTRY.commands[("help",)], {}),
    }
    print(
        f"4. Discord interactions through the fake, bot in its own process; n={n} per mode, "
        f"concurrency={concurrency}, the two commands interleaved; 3 alternating rounds"
    )
    results: dict[tuple[str, str], list[float]] = {}
    for r in range(3):
        for mode in ("on", "off") if r % 2 == 0 else ("off", "on"):
            os.environ["PICTURES"] = mode
            async with bd.bot_process(fake, "ours", "[]"):
                await drive_mixed(fake, guild, commands, 20, concurrency)  # warm-up
                latencies = await drive_mixed(fake, guild, commands, n, concurrency)
                for label, values in latencies.items():
                    results.setdefault((mode, label), []).extend(values)
                fake.callbacks.clear()
    os.environ.pop("PICTURES", None)
    await fake.close()
    print(f"   {'pictures':<9} {'command':<15} {'p50 ms':>8} {'p99 ms':>8}")
    for (mode, label), values in sorted(results.items()):
        print(f"   {mode:<9} {label:<15} {pct(values, 0.5):>8.1f} {pct(values, 0.99):>8.1f}")


async def main(a) -> None:
    logging.basicConfig(level=logging.ERROR)
    print(f"bench_pictures — Pillow, {os.cpu_count()} CPUs, load avg {os.getloadavg()[0]:.1f}")
    render_times(a.n)
    memory(a.soak)
    print("3. event loop: how late a 1 ms ticker ran while 50 pictures were drawn")
    for inline in (False, True):
        worst, p99 = await loop_lag(inline)
        where = "inline on the loop (blocking)" if inline else "pictures thread (ours)"
        print(f"   {where:<32} max {worst:7.1f} ms   p99 {p99:6.1f} ms")
    await interactions(a.interactions, a.concurrency)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--soak", type=int, default=1000)
    ap.add_argument("--interactions", type=int, default=100)
    ap.add_argument("--concurrency", type=int, default=4)
    asyncio.run(main(ap.parse_args()))
