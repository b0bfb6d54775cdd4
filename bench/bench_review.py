"""Review benchmark: ``/review``'s next-due lookup at scale.

    .venv/bin/python bench/bench_review.py                # 100k members × 5 cards, both backends
    .venv/bin/python bench/bench_review.py --quick        # 10k members
    .venv/bin/python bench/bench_review.py --backend sqlite

Seeds ``--members`` members with ``--cards`` FSRS review cards each (due times spread over
±30 days around now) with bulk SQL inside the database, then measures for random members:

* ``Store.next_review`` (the due card soonest, one index probe on
  (platform, workspace, member_id, due)) and ``Store.review_counts``;
* the floor: the same SELECT through the raw driver (sqlite3 / asyncpg) in the same run.

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
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_store import fmt, scratch_pg  # noqa: E402

from bot.practice import review as rules  # noqa: E402
from bot.store import open_store  # noqa: E402

P, W = "discord", "bench-guild"
NOW = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)
SPREAD = 30 * 86400  # due times within ±30 days of NOW
NEXT = (
    "SELECT * FROM review_cards WHERE platform = {p} AND workspace = {w} AND member_id = {m} "
    "AND due <= {t} ORDER BY due LIMIT 2"
)
CARD = rules.dumps(rules.new_card(NOW))


def seed_sqlite(path: str, members: int, cards: int) -> None:
    con = sqlite3.connect(path)
    now = NOW.replace(tzinfo=None).isoformat(sep=" ")
    epoch = int(NOW.timestamp())
    with con:
        con.execute("PRAGMA foreign_keys = OFF")
        con.execute(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
            "INSERT INTO members (platform, workspace, member_id, name, created_at) "
            "SELECT ?, ?, printf('m%06d', i), printf('M%06d', i), ? FROM n",
            (members - 1, P, W, now),
        )
        con.execute(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
            "INSERT INTO review_cards (platform, workspace, member_id, kind, item_id, topic, "
            "card, due, last_rating, reviews, updated_at) "
            "SELECT ?, ?, printf('m%06d', i / ?), 'quiz', printf('q%04d', i % ?), 'nlp', ?, "
            "datetime(? + (abs(random()) % (2 * ?)) - ?, 'unixepoch'), 1, 1, ? FROM n",
            (members * cards - 1, P, W, cards, cards, CARD, epoch, SPREAD, SPREAD, now),
        )
    con.execute("ANALYZE")
    con.close()


async def seed_pg(dsn: str, members: int, cards: int) -> None:
    import asyncpg

    con = await asyncpg.connect(dsn)
    try:
        await con.execute(
            "INSERT INTO members (platform, workspace, member_id, name, created_at) "
            "SELECT $1, $2, 'm' || lpad(i::text, 6, '0'), 'M' || i, $3 "
            "FROM generate_series(0, $4::int - 1) i",
            P,
            W,
            NOW,
            members,
        )
        await con.execute(
            "INSERT INTO review_cards (platform, workspace, member_id, kind, item_id, topic, "
            "card, due, last_rating, reviews, updated_at) "
            "SELECT $1, $2, 'm' || lpad((i / $3::int)::text, 6, '0'), 'quiz', "
            "'q' || lpad((i % $3::int)::text, 4, '0'), 'nlp', $4, "
            "$5::timestamptz + make_interval(secs => floor(random() * 2 * $6::int) - $6::int), "
            "1, 1, $5 FROM generate_series(0, $7::int - 1) i",
            P,
            W,
            cards,
            CARD,
            NOW,
            SPREAD,
            members * cards,
        )
        await con.execute("ANALYZE review_cards")
    finally:
        await con.close()


async def timed(fn, n: int) -> list[float]:
    out = []
    for i in range(n):
        t = time.perf_counter()
        await fn(i)
        out.append(time.perf_counter() - t)
    return out


async def measure(url: str, members: int, floor, args) -> None:
    store = await open_store(url)
    rng = random.Random(1)
    callers = [f"m{rng.randrange(members):06d}" for _ in range(args.queries)]
    try:
        found = 0
        for m in callers:  # warm the page cache for every caller, so no run pays for it
            await floor(m)
        for m in callers[:50]:  # warm-up (and check the seed is what we measure)
            found += (await store.next_review(P, W, m, NOW)) is not None
        runs = [
            (
                "Store.next_review                 ",
                lambda i: store.next_review(P, W, callers[i], NOW),
            ),
            (
                "Store.review_counts               ",
                lambda i: store.review_counts(P, W, callers[i], NOW),
            ),
            ("floor: same SELECT, raw driver    ", lambda i: floor(callers[i])),
        ]
        for label, fn in runs:
            print(f"  {label} {fmt(await timed(fn, len(callers)))}")
        print(f"  ({found}/50 warm-up members had a card due)")
    finally:
        await store.close()


async def bench_sqlite(args) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "bench.db")
        url = f"sqlite+aiosqlite:///{path}"
        store = await open_store(url)
        await store.close()
        t = time.perf_counter()
        seed_sqlite(path, args.members, args.cards)
        print(f"SQLite ({sqlite3.sqlite_version}) — seeded in {time.perf_counter() - t:.1f} s")
        raw = sqlite3.connect(path, check_same_thread=False)
        sql = NEXT.format(p="?", w="?", m="?", t="?")
        now = NOW.replace(tzinfo=None).isoformat(sep=" ")

        async def floor(member):
            return raw.execute(sql, (P, W, member, now)).fetchall()

        await measure(url, args.members, floor, args)
        raw.close()


async def bench_pg(args) -> None:
    import asyncpg

    async with scratch_pg(args.pg) as db:
        if db is None:
            return
        url, dsn = db
        store = await open_store(url)
        await store.close()
        t = time.perf_counter()
        await seed_pg(dsn, args.members, args.cards)
        raw = await asyncpg.connect(dsn)
        version = await raw.fetchval("SHOW server_version")
        print(f"PostgreSQL {version} — seeded in {time.perf_counter() - t:.1f} s")
        sql = NEXT.format(p="$1", w="$2", m="$3", t="$4")

        async def floor(member):
            return await raw.fetch(sql, P, W, member, NOW)

        await measure(url, args.members, floor, args)
        await raw.close()


async def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--members", type=int, default=100_000)
    ap.add_argument("--cards", type=int, default=5, help="review cards per member")
    ap.add_argument("--quick", action="store_true", help="10k members")
    ap.add_argument("--queries", type=int, default=2000)
    ap.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    ap.add_argument(
        "--pg",
        default=os.environ.get("BENCH_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"),
    )
    args = ap.parse_args()
    if args.quick:
        args.members = 10_000
    print(f"{args.members:,} members × {args.cards} review cards\n")
    if args.backend in ("sqlite", "both"):
        await bench_sqlite(args)
    if args.backend in ("postgresql", "both"):
        await bench_pg(args)
    print(f"\ncores: {os.cpu_count()}")


if __name__ == "__main__":
    asyncio.run(main())
