"""Store benchmark: leaderboard latency over a large points ledger, and answer throughput.

    .venv/bin/python bench/bench_store.py                 # 100k members, 10M events, both backends
    .venv/bin/python bench/bench_store.py --quick         # 10k members, 1M events
    .venv/bin/python bench/bench_store.py --events 2000000 --backend sqlite

For each backend it seeds ``--members`` members and ``--events`` point events spread over 90
days with bulk SQL inside the database (a recursive CTE on SQLite, generate_series on
PostgreSQL; a few very active members, most occasional), then derives the per-period running
totals and the score histogram the store keeps (the same statements as migration
0005_practice's back-fill), and measures:

* ``Store.leaderboard`` (page 1, plus the caller's exact rank) for all time and this week;
* the floor: the same statements through the raw driver (sqlite3 / asyncpg), and a bare
  top-10 SELECT;
* for scale, what the histogram replaces: counting every member above the caller;
* sustained ``Store.answer_quiz`` submissions per second (50 concurrent members at a time),
  each a committed transaction that also keeps the credit, the study day, the streak and the
  histogram.

PostgreSQL: a throw-away database is created from ``--pg`` (default the CI server) and dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sqlite3
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy.engine import make_url  # noqa: E402

from bot.store import Points, open_store  # noqa: E402
from bot.store.tables import HISTOGRAM_WIDTHS  # noqa: E402

P, W = "discord", "bench-guild"
NOW = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)
DAYS = 90
TOP10 = (
    "SELECT member_id, points FROM point_totals WHERE platform = {p} AND workspace = {w} "
    "AND period = {k} AND points > 0 ORDER BY points DESC, member_id LIMIT 10"
)
# What Store.leaderboard runs for page 1 of a workspace board (the caller's row, the board
# size and the caller's rank from the histogram, then the page), as bare SQL: the floor for
# the same work without SQLAlchemy and the pool.
SAME_ME = (
    "SELECT t.points, m.name "
    "FROM point_totals t JOIN members m ON m.platform = t.platform AND m.workspace = t.workspace "
    "AND m.member_id = t.member_id WHERE t.platform = {p} AND t.workspace = {w} AND t.period = {k} "
    "AND t.points > 0 AND t.member_id = {m}"
)


def same_above(ph, period: str, points: int) -> tuple[str, list]:
    """The histogram rank count Store runs (bot/store/base.py ``_above_expr``) as bare SQL
    with placeholders ``ph(n)``, and its arguments."""
    parts, args = [], []
    for level, width in enumerate(HISTOGRAM_WIDTHS):
        n = len(args)
        sql = (
            "(SELECT coalesce(sum(members), 0) FROM score_histogram WHERE platform = "
            f"{ph(n)} AND workspace = {ph(n + 1)} AND period = {ph(n + 2)} AND level = {level} "
            f"AND bucket > {ph(n + 3)}"
        )
        args += [P, W, period, points // width]
        if level + 1 < len(HISTOGRAM_WIDTHS):
            up = HISTOGRAM_WIDTHS[level + 1]
            sql += f" AND bucket < {ph(n + 4)}"
            args.append((points // up + 1) * (up // width))
        parts.append(sql + ")")
    return "SELECT " + " + ".join(parts), args


def both_above(ph, period: str, mine: int) -> tuple[str, list]:
    """The board's size and the caller's rank count in one SELECT, as Store runs them."""
    size, a = same_above(ph, period, 0)
    rank, b = same_above(lambda n: ph(n + len(a)), period, mine)
    return size + ", " + rank.removeprefix("SELECT "), a + b


SAME_PAGE = (
    "SELECT t.member_id, t.points, m.name FROM point_totals t JOIN members m "
    "ON m.platform = t.platform AND m.workspace = t.workspace AND m.member_id = t.member_id "
    "WHERE t.platform = {p} AND t.workspace = {w} AND t.period = {k} AND t.points > 0 "
    "ORDER BY t.points DESC, t.member_id LIMIT 10"
)
# What the histogram replaces: the rank as a count of every member above the caller.
COUNT_ABOVE = (
    "SELECT count(*) FROM point_totals WHERE platform = {p} AND workspace = {w} "
    "AND period = {k} AND points > {mine}"
)
HISTOGRAM = [  # what migration 0005_practice back-fills from point_totals
    "INSERT INTO score_histogram (platform, workspace, period, level, bucket, shard, members) "
    f"SELECT platform, workspace, period, {level}, points / {width}, 0, count(*) "
    f"FROM point_totals WHERE points > 0 GROUP BY platform, workspace, period, points / {width}"
    for level, width in enumerate(HISTOGRAM_WIDTHS)
]


def pct(samples: list[float], q: float) -> float:
    s = sorted(samples)
    return s[min(len(s) - 1, int(q * len(s)))]


def fmt(samples: list[float]) -> str:
    return f"p50 {pct(samples, 0.5) * 1000:7.3f} ms   p99 {pct(samples, 0.99) * 1000:7.3f} ms"


def member_ids(members: int) -> list[str]:
    return [f"m{i:06d}" for i in range(members)]


def seed_sqlite(path: str, members: int, events: int) -> None:
    """Bulk-load inside SQLite: a recursive CTE generates the rows, totals are GROUP BYs."""
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
        # Load the ledger without its secondary index, then build the index once.
        con.execute("DROP INDEX ix_point_events_platform_workspace_member_id_at")
        # Member index skewed towards 0 (x^3 of a uniform x): a few very active members.
        con.execute(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?), "
            "r(i, u, s, k) AS (SELECT i, (abs(random()) % 1000000) / 1000000.0, "
            "abs(random()) % ?, abs(random()) % 5 FROM n) "
            "INSERT INTO point_events (platform, workspace, member_id, points, reason, ref, at) "
            "SELECT ?, ?, printf('m%06d', CAST(u * u * u * ? AS INTEGER)), "
            "CASE k WHEN 3 THEN 5 WHEN 4 THEN 7 ELSE 10 END, 'quiz', 'quiz:' || i, "
            "datetime(? - s, 'unixepoch') FROM r",
            (events - 1, DAYS * 86400, P, W, members, epoch),
        )
        con.execute(
            "CREATE INDEX ix_point_events_platform_workspace_member_id_at "
            "ON point_events (platform, workspace, member_id, at)"
        )
        con.execute(
            "INSERT INTO point_totals (platform, workspace, period, member_id, points) "
            "SELECT platform, workspace, k, member_id, sum(points) FROM ("
            "SELECT platform, workspace, 'all' AS k, member_id, points FROM point_events "
            "UNION ALL SELECT platform, workspace, 'w' || date(at, '-6 days', 'weekday 1'), "
            "member_id, points FROM point_events "
            "UNION ALL SELECT platform, workspace, 'm' || strftime('%Y-%m', at), member_id, "
            "points FROM point_events) GROUP BY platform, workspace, k, member_id"
        )
        for sql in HISTOGRAM:
            con.execute(sql)
    con.execute("ANALYZE")
    con.close()


async def seed_pg(dsn: str, members: int, events: int) -> None:
    """Bulk-load inside PostgreSQL: generate_series, foreign-key triggers off while loading."""
    import asyncpg

    con = await asyncpg.connect(dsn)
    try:
        await con.execute("SET session_replication_role = replica")  # skip FK checks
        await con.execute(
            "INSERT INTO members (platform, workspace, member_id, name, created_at) "
            "SELECT $1, $2, 'm' || lpad(i::text, 6, '0'), 'M' || lpad(i::text, 6, '0'), $3 "
            "FROM generate_series(0, $4::int - 1) AS i",
            P,
            W,
            NOW,
            members,
        )
        await con.execute("DROP INDEX ix_point_events_platform_workspace_member_id_at")
        await con.execute(
            "INSERT INTO point_events (platform, workspace, member_id, points, reason, ref, at) "
            "SELECT $1, $2, 'm' || lpad(floor(power(random(), 3) * $3::int)::int::text, 6, '0'), "
            "(ARRAY[10, 10, 10, 5, 7])[1 + floor(random() * 5)::int], 'quiz', 'quiz:' || i, "
            "$4::timestamptz - make_interval(secs => floor(random() * $5::int)) "
            "FROM generate_series(1, $6::int) AS i",
            P,
            W,
            members,
            NOW,
            DAYS * 86400,
            events,
        )
        await con.execute(
            "CREATE INDEX ix_point_events_platform_workspace_member_id_at "
            "ON point_events (platform, workspace, member_id, at)"
        )
        await con.execute(
            "INSERT INTO point_totals (platform, workspace, period, member_id, points) "
            "SELECT platform, workspace, k, member_id, sum(points) FROM ("
            "SELECT platform, workspace, 'all' AS k, member_id, points FROM point_events "
            "UNION ALL SELECT platform, workspace, "
            "'w' || to_char(date_trunc('week', at AT TIME ZONE 'UTC'), 'YYYY-MM-DD'), "
            "member_id, points FROM point_events "
            "UNION ALL SELECT platform, workspace, 'm' || to_char(at AT TIME ZONE 'UTC', 'YYYY-MM'), "
            "member_id, points FROM point_events) AS e GROUP BY platform, workspace, k, member_id"
        )
        for sql in HISTOGRAM:
            await con.execute(sql)
        await con.execute("SET session_replication_role = DEFAULT")
        await con.execute("VACUUM ANALYZE")  # steady state: autovacuum would have run
    finally:
        await con.close()


async def measure(url: str, members: int, floor, same, count_above, args) -> None:
    store = await open_store(url, points=Points(cooldown_seconds=0))
    try:
        ids = member_ids(members)
        callers = ids[:: max(1, members // 997)]  # the most active to the least
        for period in ("all", "week"):
            for _ in range(20):  # warm up caches and the pool
                await store.leaderboard(P, W, at=NOW, period=period, member_id=callers[0])
            samples = []
            for i in range(args.queries):
                t = time.perf_counter()
                board = await store.leaderboard(
                    P, W, at=NOW, period=period, member_id=callers[i % len(callers)]
                )
                samples.append(time.perf_counter() - t)
            print(f"  Store.leaderboard {period:4s} (top 10 + exact own rank)  {fmt(samples)}")
        assert board.me is None or board.me.rank >= 1
        key = "all"
        for label, fn in (
            ("floor: the same work, raw driver        ", lambda i: same(key, callers[i])),
            ("floor: bare top-10 SELECT, raw driver   ", lambda i: floor(key)),
            ("what it replaces: count members above   ", lambda i: count_above(key, callers[i])),
        ):
            for i in range(20):
                await fn(i % len(callers))
            samples = []
            for i in range(args.queries):
                t = time.perf_counter()
                await fn(i % len(callers))
                samples.append(time.perf_counter() - t)
            print(f"  {label}  {fmt(samples)}")

        # Sustained answers: many members answering quiz posts, 50 in flight at a time.
        answers = args.answers
        posts = [
            await store.open_quiz(P, W, "c", f"q{n}", "nlp", NOW, NOW + timedelta(days=1), "h")
            for n in range(max(1, answers // 1000))
        ]
        sem = asyncio.Semaphore(50)

        async def one(i: int):
            async with sem:
                r = await store.answer_quiz(
                    P, W, posts[i % len(posts)], ids[i % members], "A", i % 4, i % 4 == 0, NOW
                )
                assert r.status in ("recorded", "already"), r

        t = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(answers)))
        took = time.perf_counter() - t
        print(
            f"  Store.answer_quiz sustained: {answers / took:8.0f} answers/s ({answers} in {took:.2f} s)"
        )
    finally:
        await store.close()


async def bench_sqlite(args) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "bench.db")
        url = f"sqlite+aiosqlite:///{path}"
        store = await open_store(url)
        await store.close()
        t = time.perf_counter()
        seed_sqlite(path, args.members, args.events)
        print(
            f"SQLite ({sqlite3.sqlite_version}, WAL, synchronous=FULL) — seeded in {time.perf_counter() - t:.1f} s"
        )
        raw = sqlite3.connect(path, check_same_thread=False)

        async def floor(key):
            return raw.execute(TOP10.format(p="?", w="?", k="?"), (P, W, key)).fetchall()

        q = dict(p=":p", w=":w", k=":k", m=":m")

        async def same(key, member):
            a = {"p": P, "w": W, "k": key, "m": member}
            row = raw.execute(SAME_ME.format(**q), a).fetchone()
            mine = row[0] if row else 0
            sql, args = both_above(lambda n: "?", key, mine)
            raw.execute(sql, args).fetchone()
            return raw.execute(SAME_PAGE.format(**q), a).fetchall()

        async def count_above(key, member):
            a = {"p": P, "w": W, "k": key, "m": member}
            row = raw.execute(SAME_ME.format(**q), a).fetchone()
            return raw.execute(
                COUNT_ABOVE.format(mine=":mine", **q), {**a, "mine": row[0] if row else 0}
            ).fetchone()

        await measure(url, args.members, floor, same, count_above, args)
        raw.close()


@contextlib.asynccontextmanager
async def scratch_pg(pg: str):
    """A fresh PostgreSQL database on the server of ``pg`` for one run, dropped afterwards:
    yields ``(SQLAlchemy url, asyncpg dsn)``, or None (after saying so) if it is unreachable."""
    import asyncpg

    base = make_url(pg)
    admin = base.set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"mle_bench_{uuid.uuid4().hex[:8]}"
    try:
        con = await asyncpg.connect(admin, timeout=3)
    except Exception as exc:
        print(f"PostgreSQL skipped: unreachable at {base.host}:{base.port} ({type(exc).__name__})")
        yield None
        return
    await con.execute(f'CREATE DATABASE "{name}"')
    await con.close()
    url = base.set(database=name).render_as_string(hide_password=False)
    dsn = base.set(drivername="postgresql", database=name).render_as_string(hide_password=False)
    try:
        yield url, dsn
    finally:
        con = await asyncpg.connect(admin)
        await con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await con.close()


async def bench_pg(args) -> None:
    import asyncpg

    async with scratch_pg(args.pg) as db:
        if db is None:
            return
        url, dsn = db
        store = await open_store(url)
        await store.close()
        t = time.perf_counter()
        await seed_pg(dsn, args.members, args.events)
        raw = await asyncpg.connect(dsn)
        version = await raw.fetchval("SHOW server_version")
        print(f"PostgreSQL {version} — seeded in {time.perf_counter() - t:.1f} s")
        top = TOP10.format(p="$1", w="$2", k="$3")

        async def floor(key):
            return await raw.fetch(top, P, W, key)

        me_sql = SAME_ME.format(p="$1", w="$2", k="$3", m="$4")
        page_sql = SAME_PAGE.format(p="$1", w="$2", k="$3")
        count_sql = COUNT_ABOVE.format(p="$1", w="$2", k="$3", mine="$4")

        async def same(key, member):
            row = await raw.fetchrow(me_sql, P, W, key, member)
            mine = row[0] if row else 0
            sql, args = both_above(lambda n: f"${n + 1}", key, mine)
            await raw.fetchrow(sql, *args)
            return await raw.fetch(page_sql, P, W, key)

        async def count_above(key, member):
            row = await raw.fetchrow(me_sql, P, W, key, member)
            return await raw.fetchval(count_sql, P, W, key, row[0] if row else 0)

        await measure(url, args.members, floor, same, count_above, args)
        await raw.close()


async def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--members", type=int, default=100_000)
    ap.add_argument("--events", type=int, default=10_000_000)
    ap.add_argument("--quick", action="store_true", help="10k members, 1M events")
    ap.add_argument("--queries", type=int, default=1000, help="leaderboard queries per measurement")
    ap.add_argument("--answers", type=int, default=3000, help="answers for the throughput run")
    ap.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    ap.add_argument(
        "--pg",
        default=os.environ.get("BENCH_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"),
    )
    args = ap.parse_args()
    if args.quick:
        args.members, args.events = 10_000, 1_000_000
    print(f"{args.members:,} members, {args.events:,} point events over {DAYS} days\n")
    if args.backend in ("sqlite", "both"):
        await bench_sqlite(args)
    if args.backend in ("postgresql", "both"):
        await bench_pg(args)
    print(f"\ncores: {os.cpu_count()}")


if __name__ == "__main__":
    asyncio.run(main())
