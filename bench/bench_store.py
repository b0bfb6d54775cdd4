"""Store benchmark: leaderboard latency over a large points ledger, and answer throughput.

    .venv/bin/python bench/bench_store.py                      # 10k members, 1M events, both backends
    .venv/bin/python bench/bench_store.py --events 200000 --backend sqlite

For each backend it seeds ``--members`` members and ``--events`` point events spread over 90
days (bulk-loaded with the bare driver, with the per-period running totals the store keeps),
then measures:

* ``Store.leaderboard`` (page 1, plus the caller's own rank) for all time and this week: p50/p99;
* the floor: the same top-10 as one bare SELECT through the raw driver (sqlite3 / asyncpg);
* for scale, the naive query a ledger-only design would need (SUM over the events);
* sustained ``Store.answer_quiz`` submissions per second (50 concurrent members at a time).

PostgreSQL: a throw-away database is created from ``--pg`` (default the CI server) and dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sqlite3
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy.engine import make_url  # noqa: E402

from bot.store import Points, open_store  # noqa: E402
from bot.store.periods import period_keys  # noqa: E402

P, W = "discord", "bench-guild"
NOW = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)
TOP10 = (
    "SELECT member_id, points FROM point_totals WHERE platform = {p} AND workspace = {w} "
    "AND period = {k} AND points > 0 ORDER BY points DESC, member_id LIMIT 10"
)
# What Store.leaderboard runs for page 1 (the caller's row, the board size and the caller's
# rank in one count, then the page), as bare SQL: the floor for the same work without
# SQLAlchemy and the pool.
SAME_COUNTS = (
    "SELECT count(*), count(*) FILTER (WHERE points > {mine}) FROM point_totals "
    "WHERE platform = {p} AND workspace = {w} AND period = {k} AND points > 0"
)
SAME_ME = (
    "SELECT t.points, m.name "
    "FROM point_totals t JOIN members m ON m.platform = t.platform AND m.workspace = t.workspace "
    "AND m.member_id = t.member_id WHERE t.platform = {p} AND t.workspace = {w} AND t.period = {k} "
    "AND t.points > 0 AND t.member_id = {m}"
)
SAME_PAGE = (
    "SELECT t.member_id, t.points, m.name FROM point_totals t JOIN members m "
    "ON m.platform = t.platform AND m.workspace = t.workspace AND m.member_id = t.member_id "
    "WHERE t.platform = {p} AND t.workspace = {w} AND t.period = {k} AND t.points > 0 "
    "ORDER BY t.points DESC, t.member_id LIMIT 10"
)
NAIVE = (
    "SELECT member_id, SUM(points) AS s FROM point_events WHERE platform = {p} AND workspace = {w} "
    "GROUP BY member_id ORDER BY s DESC, member_id LIMIT 10"
)


def pct(samples: list[float], q: float) -> float:
    s = sorted(samples)
    return s[min(len(s) - 1, int(q * len(s)))]


def fmt(samples: list[float]) -> str:
    return f"p50 {pct(samples, 0.5) * 1000:7.3f} ms   p99 {pct(samples, 0.99) * 1000:7.3f} ms"


def generate(members: int, events: int, seed: int = 7):
    """Members, events and the running totals the store would have built from them."""
    rng = random.Random(seed)
    ids = [f"m{i:05d}" for i in range(members)]
    weights = [1 / (i + 1) ** 0.5 for i in range(members)]  # a few very active members
    who = rng.choices(ids, weights, k=events)
    totals: dict[tuple[str, str], int] = defaultdict(int)
    rows = []
    for i, m in enumerate(who):
        at = NOW - timedelta(seconds=rng.randrange(90 * 86400))
        pts = rng.choice((10, 10, 10, 5, 7))
        rows.append((m, pts, "quiz", f"quiz:{i}", at))
        for key in period_keys(at, "UTC"):
            totals[(key, m)] += pts
    return ids, rows, totals


def seed_sqlite(path: str, ids, rows, totals) -> None:
    con = sqlite3.connect(path)
    ts = lambda d: d.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")  # noqa: E731
    with con:
        con.executemany(
            "INSERT INTO members (platform, workspace, member_id, name, created_at) VALUES (?,?,?,?,?)",
            [(P, W, m, m.upper(), ts(NOW)) for m in ids],
        )
        con.executemany(
            "INSERT INTO point_events (platform, workspace, member_id, points, reason, ref, at) VALUES (?,?,?,?,?,?,?)",
            [(P, W, m, pts, r, ref, ts(at)) for m, pts, r, ref, at in rows],
        )
        con.executemany(
            "INSERT INTO point_totals (platform, workspace, period, member_id, points) VALUES (?,?,?,?,?)",
            [(P, W, k, m, v) for (k, m), v in totals.items()],
        )
    con.execute("ANALYZE")
    con.close()


async def seed_pg(dsn: str, ids, rows, totals) -> None:
    import asyncpg

    con = await asyncpg.connect(dsn)
    try:
        await con.copy_records_to_table(
            "members",
            records=[(P, W, m, m.upper(), NOW) for m in ids],
            columns=["platform", "workspace", "member_id", "name", "created_at"],
        )
        await con.copy_records_to_table(
            "point_events",
            records=[(P, W, m, pts, r, ref, at) for m, pts, r, ref, at in rows],
            columns=["platform", "workspace", "member_id", "points", "reason", "ref", "at"],
        )
        await con.copy_records_to_table(
            "point_totals",
            records=[(P, W, k, m, v) for (k, m), v in totals.items()],
            columns=["platform", "workspace", "period", "member_id", "points"],
        )
        await con.execute("VACUUM ANALYZE")  # steady state: autovacuum would have run
    finally:
        await con.close()


async def measure(url: str, floor, same, naive, queries: int, answers: int) -> None:
    store = await open_store(url, points=Points(cooldown_seconds=0))
    try:
        members = [f"m{i:05d}" for i in range(0, 10_000, 37)]
        for period in ("all", "week"):
            for _ in range(20):  # warm up caches and the pool
                await store.leaderboard(P, W, at=NOW, period=period, member_id=members[0])
            samples = []
            for i in range(queries):
                t = time.perf_counter()
                await store.leaderboard(
                    P, W, at=NOW, period=period, member_id=members[i % len(members)]
                )
                samples.append(time.perf_counter() - t)
            print(f"  Store.leaderboard {period:4s} (top 10 + own rank)  {fmt(samples)}")
        key = "all"
        samples = []
        for _ in range(20):
            await floor(key)
        for _ in range(queries):
            t = time.perf_counter()
            await floor(key)
            samples.append(time.perf_counter() - t)
        print(f"  floor: bare top-10 SELECT, raw driver     {fmt(samples)}")
        samples = []
        for i in range(queries):
            t = time.perf_counter()
            await same(key, members[i % len(members)])
            samples.append(time.perf_counter() - t)
        print(f"  floor: the same 3 statements, raw driver  {fmt(samples)}")
        samples = []
        for _ in range(5):
            t = time.perf_counter()
            await naive()
            samples.append(time.perf_counter() - t)
        print(f"  naive: SUM over the whole ledger (x5)     {fmt(samples)}")

        # Sustained answers: many members answering quiz posts, 50 in flight at a time.
        posts = [
            await store.open_quiz(P, W, "c", "q1", "nlp", NOW, NOW + timedelta(days=1), "h")
            for _ in range(max(1, answers // 1000))
        ]
        sem = asyncio.Semaphore(50)

        async def one(i: int):
            async with sem:
                r = await store.answer_quiz(
                    P, W, posts[i % len(posts)], f"a{i}", "A", i % 4, i % 4 == 0, NOW
                )
                assert r.status == "recorded"

        t = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(answers)))
        took = time.perf_counter() - t
        print(
            f"  Store.answer_quiz sustained: {answers / took:8.0f} answers/s ({answers} in {took:.2f} s)"
        )
    finally:
        await store.close()


async def bench_sqlite(args, data) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "bench.db")
        url = f"sqlite+aiosqlite:///{path}"
        store = await open_store(url)
        await store.close()
        t = time.perf_counter()
        seed_sqlite(path, *data)
        print(
            f"SQLite ({sqlite3.sqlite_version}, WAL, synchronous=FULL) — seeded in {time.perf_counter() - t:.1f} s"
        )
        raw = sqlite3.connect(path, check_same_thread=False)

        async def floor(key):
            return raw.execute(TOP10.format(p="?", w="?", k="?"), (P, W, key)).fetchall()

        async def same(key, member):
            q = dict(p=":p", w=":w", k=":k", m=":m")
            a = {"p": P, "w": W, "k": key, "m": member}
            mine = raw.execute(SAME_ME.format(**q), a).fetchone()[0]
            raw.execute(SAME_COUNTS.format(mine=":mine", **q), {**a, "mine": mine}).fetchall()
            return raw.execute(SAME_PAGE.format(**q), a).fetchall()

        async def naive():
            return raw.execute(NAIVE.format(p="?", w="?"), (P, W)).fetchall()

        await measure(url, floor, same, naive, args.queries, args.answers)
        raw.close()


async def bench_pg(args, data) -> None:
    import asyncpg

    base = make_url(args.pg)
    admin = base.set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"mle_bench_{uuid.uuid4().hex[:8]}"
    try:
        con = await asyncpg.connect(admin, timeout=3)
    except Exception as exc:
        print(f"PostgreSQL skipped: unreachable at {base.host}:{base.port} ({type(exc).__name__})")
        return
    await con.execute(f'CREATE DATABASE "{name}"')
    await con.close()
    url = base.set(database=name).render_as_string(hide_password=False)
    dsn = base.set(drivername="postgresql", database=name).render_as_string(hide_password=False)
    try:
        store = await open_store(url)
        await store.close()
        t = time.perf_counter()
        await seed_pg(dsn, *data)
        raw = await asyncpg.connect(dsn)
        version = await raw.fetchval("SHOW server_version")
        print(f"PostgreSQL {version} — seeded in {time.perf_counter() - t:.1f} s")
        top = TOP10.format(p="$1", w="$2", k="$3")

        async def floor(key):
            return await raw.fetch(top, P, W, key)

        me_sql = SAME_ME.format(p="$1", w="$2", k="$3", m="$4")
        page_sql = SAME_PAGE.format(p="$1", w="$2", k="$3")
        counts_sql = SAME_COUNTS.format(p="$1", w="$2", k="$3", mine="$4")

        async def same(key, member):
            mine = (await raw.fetchrow(me_sql, P, W, key, member))[0]
            await raw.fetch(counts_sql, P, W, key, mine)
            return await raw.fetch(page_sql, P, W, key)

        async def naive():
            return await raw.fetch(NAIVE.format(p="$1", w="$2"), P, W)

        await measure(url, floor, same, naive, args.queries, args.answers)
        await raw.close()
    finally:
        con = await asyncpg.connect(admin)
        await con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await con.close()


async def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--members", type=int, default=10_000)
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=1000, help="leaderboard queries per measurement")
    ap.add_argument("--answers", type=int, default=5000, help="answers for the throughput run")
    ap.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    ap.add_argument(
        "--pg",
        default=os.environ.get("BENCH_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"),
    )
    args = ap.parse_args()
    t = time.perf_counter()
    data = generate(args.members, args.events)
    print(
        f"{args.members:,} members, {args.events:,} point events over 90 days "
        f"({len(data[2]):,} running totals); generated in {time.perf_counter() - t:.1f} s\n"
    )
    if args.backend in ("sqlite", "both"):
        await bench_sqlite(args, data)
    if args.backend in ("postgresql", "both"):
        await bench_pg(args, data)
    print(f"\ncores: {os.cpu_count()}")


if __name__ == "__main__":
    asyncio.run(main())
