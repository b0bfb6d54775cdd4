"""Timezone parser: the GeoNames city index's first load (time and memory) and lookups.

First load: ``bot.core.timezones._cities()`` in a fresh process (time, and the resident set
size it adds), then again under tracemalloc (Python objects it keeps, and its peak while the
JSON is parsed). Lookups: p50/p99 over N calls (default 2,000) of a GeoNames city, a tz
database city, an abbreviation refused with advice and a typo answered with "did you mean",
against a floor: an IANA name as typed.
Usage: python bench/bench_timezones.py [--calls N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.core import timezones  # noqa: E402
from bot.core.errors import UserError  # noqa: E402

_CHILD = """
import json, os, sys, time
sys.path.insert(0, sys.argv[1])
from bot.core import timezones
timezones._zone_names(); timezones._resolver()
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
before = rss()
t = time.perf_counter()
timezones._cities()
print(json.dumps({"seconds": time.perf_counter() - t, "rss": rss() - before}))
"""


def first_load() -> dict:
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(ROOT)], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout)


def traced() -> tuple[int, int, int]:
    """(bytes kept, peak bytes, cities) of building the index, under tracemalloc."""
    timezones._zone_names()
    timezones._resolver()
    timezones._cities.cache_clear()
    tracemalloc.start()
    index = timezones._cities()
    kept, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return kept, peak, len(index.cities)


def timed(text: str, calls: int) -> tuple[float, float]:
    samples = []
    for _ in range(calls):
        t = time.perf_counter()
        try:
            timezones.parse_timezone(text)
        except UserError:
            pass
        samples.append((time.perf_counter() - t) * 1e6)
    q = statistics.quantiles(samples, n=100)
    return q[49], q[98]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=2000)
    args = ap.parse_args()
    loads = [first_load() for _ in range(3)]
    secs = statistics.median(x["seconds"] for x in loads)
    rss = statistics.median(x["rss"] for x in loads)
    print(f"first load (median of 3 fresh processes): {secs:.2f} s, +{rss / 2**20:.0f} MiB RSS")
    kept, peak, n = traced()
    print(f"index: {n} cities, {kept / 2**20:.0f} MiB kept, {peak / 2**20:.0f} MiB peak")
    floor = timed("Europe/Berlin", args.calls)
    print(f"{'lookup':<28}{'p50 µs':>10}{'p99 µs':>10}{'p50/floor':>11}")
    for label, text in [
        ("floor: Europe/Berlin", "Europe/Berlin"),
        ("tz database city: berlin", "berlin"),
        ("GeoNames city: bangalore", "bangalore"),
        ("namesakes asked: portland", "portland"),
        ("abbreviation: PST", "PST"),
    ]:
        p50, p99 = timed(text, args.calls)
        print(f"{label:<28}{p50:>10.1f}{p99:>10.1f}{p50 / floor[0]:>10.1f}x")
    p50, p99 = timed("mumbia", max(1, args.calls // 20))
    print(f"{'typo: mumbia (did you mean)':<28}{p50:>10.1f}{p99:>10.1f}{p50 / floor[0]:>10.1f}x")


if __name__ == "__main__":
    main()
