"""Core latency: every lookup command, search, and console start-up to first reply.

Prints p50/p99 per command over N calls (default 10,000) through ``bot.core.dispatch.invoke``
(option conversion, handler, pagination), next to a floor: a no-op command through the same
dispatch. Start-up is measured against a bare ``python -c pass`` in the same run.
Usage: python bench/bench_core.py [--calls N]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.app import build_services, context  # noqa: E402
from bot.core.dispatch import invoke  # noqa: E402
from bot.core.parse import parse  # noqa: E402
from bot.core.registry import Command  # noqa: E402
from bot.core.reply import Reply  # noqa: E402
from tests.search_questions import QUESTIONS, accuracy  # noqa: E402

LOOKUPS = [
    "/help",
    "/help salary",
    "/skills",
    "/skills math",
    "/skills pytorch",
    "/resources",
    "/resources statistics",
    "/resources kind:book",
    "/interview",
    "/interview statistics hard",
    "/salary",
    "/salary germany",
    "/salary germny",
    "/salary usa",
    "/salary compare uk germany",
    "/salary Allemagne",
    "/salary austria",
    "/salary narnia",
    "/skills docker",
    "/help daily",
    "/path",
    "/path steps",
    "/role",
    "/role faq",
]
SEARCHES = [
    "/search pytorch",
    "/search gradient descent",
    "/search gradiant desent",
    "/search glassdoor salary",
    "/search how do I become a machine learning engineer",
    "/search bias variance tradeoff",
    "/search what are the challenges of being an ml engineer",
    "/search how to handle imbalanced data",
    "/search salary in london",
    "/search how much do ml engineers earn in austria",
    "/search ml engineer vs data scientist",
]


def pct(samples: list[float], q: float) -> float:
    s = sorted(samples)
    return s[min(len(s) - 1, int(q * len(s)))]


async def measure(ctx, cmd, options, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t = time.perf_counter_ns()
        await invoke(ctx, cmd, options)
        out.append((time.perf_counter_ns() - t) / 1e6)
    return out


async def noop(ctx) -> Reply:
    return Reply(text="ok")


def startup(argv: list[str], needle: str, stdin: str | None, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": "sqlite+aiosqlite:////tmp/bench-core.db"},
        )
        if stdin is not None:
            proc.stdin.write(stdin)
            proc.stdin.flush()
        buf = ""
        while needle not in buf:
            line = proc.stdout.readline()
            if not line:
                break
            buf += line
        times.append(time.perf_counter() - t)
        proc.kill()
        proc.wait()
    return times


async def main(calls: int) -> None:
    services = build_services()
    services.content.warm_up()  # as bot.app.warm_up does after start-up (CLDR country names)
    ctx = context(services)
    floor_cmd = Command(("noop",), "noop", noop)
    floor = await measure(ctx, floor_cmd, {}, calls)
    f50, f99 = pct(floor, 0.5), pct(floor, 0.99)
    print(f"{'command':45} {'p50 ms':>8} {'p99 ms':>8} {'p99/floor':>9}")
    print(f"{'(floor: no-op command through dispatch)':45} {f50:8.4f} {f99:8.4f} {1:9.1f}")
    worst = {}
    for group, texts in (("lookup", LOOKUPS), ("search", SEARCHES)):
        for text in texts:
            parsed = parse(services.registry, text)
            samples = await measure(ctx, parsed.command, parsed.options, calls)
            p50, p99 = pct(samples, 0.5), pct(samples, 0.99)
            worst[group] = max(worst.get(group, 0), p99)
            print(f"{text:45} {p50:8.4f} {p99:8.4f} {p99 / f99:9.1f}")
    # Every natural question of the quality set, as one latency distribution (calls spread
    # over them), beside how often the expected answer comes first / in the first three.
    questions = [q for q, _ in QUESTIONS]
    search_cmd = services.registry.commands[("search",)]
    rounds = max(1, calls // len(questions))
    samples = []
    for _ in range(rounds):
        for q in questions:
            samples.extend(await measure(ctx, search_cmd, {"query": q}, 1))
    p50, p99 = pct(samples, 0.5), pct(samples, 0.99)
    worst["search"] = max(worst.get("search", 0), p99)
    label = f"/search <{len(questions)} natural questions>"
    print(f"{label:45} {p50:8.4f} {p99:8.4f} {p99 / f99:9.1f}")
    top1, top3, _ = accuracy(services.content)
    print(f"\nworst lookup p99: {worst['lookup']:.3f} ms (target < 1 ms)")
    print(f"worst search p99: {worst['search']:.3f} ms (target < 3 ms)")
    print(
        f"search answers: top-1 {top1:.0%}, top-3 {top3:.0%} of {len(questions)} natural "
        "questions (tests/search_questions.py; targets ≥ 85 %, ≥ 95 %)"
    )

    bare = startup([sys.executable, "-c", "print('ok', flush=True)"], "ok", None, 10)
    console = startup([sys.executable, "-m", "bot", "console"], "€75,000", "/salary germany\n", 10)
    print(
        f"\nstart-up: bare python {statistics.median(bare):.3f} s; "
        f"console to first reply p50 {statistics.median(console):.3f} s, max {max(console):.3f} s "
        f"(target < 0.5 s)"
    )


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=10_000)
    asyncio.run(main(ap.parse_args().calls))
