"""Slack HTTP mode under load: slash commands per second and ack latency, vs bare slack-bolt.

    python bench/bench_slack.py [--requests 3000] [--concurrency 200] [--rounds 3]

Three kinds of process on loopback: the fake Slack (Web API + response_url), the server under
test (one at a time, each in its own process), and this load generator. Each request is a
correctly signed ``/mle salary germany`` slash command, sent 200 at a time over an aiohttp
client. The floor is a bare ``slack_bolt.AsyncApp`` whose listener only does ``ack("ok")``,
served by the same aiohttp route; ours acks, then runs the command through the core and
POSTs the Block Kit answer to the fake's response_url, in the same process.

Printed: acks/s, p50/p99 ack time (request sent → HTTP response), the ratio ours/bare
(target ≥ 0.9) and, for ours, how long until every answer reached the response_url.
Both servers run side by side and batches alternate between them (bare, ours, ours, bare…)
so whatever else loads the machine falls on both alike.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SECRET = "bench-signing-secret"
TEAM = "T0001"


# ---- the processes ------------------------------------------------------------------------


async def run_fake() -> None:
    from tests.slack.fake_slack import FakeSlack

    fake = await FakeSlack().start()
    for i in range(1000):
        fake.users[f"U{i:04d}"] = {"name": f"u{i}", "is_admin": False}
    print(f"READY {fake.port}", flush=True)
    await asyncio.Event().wait()


async def run_server(kind: str, api_url: str) -> None:
    from aiohttp import web
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request

    logging_off()
    if kind == "ours":
        from bot.adapters.slack.app import SlackBot
        from bot.adapters.slack.server import start_http
        from bot.app import build_services, freeze_heap
        from bot.settings import Settings

        settings = Settings(
            SLACK_BOT_TOKEN="xoxb-bench", SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=api_url
        )
        bot = SlackBot(build_services(settings))
        _, port = await start_http(bot, "127.0.0.1", 0)
        freeze_heap()  # as bot.runner does once everything is up (the bare app gets it too)
    else:
        from slack_bolt.async_app import AsyncApp
        from slack_sdk.web.async_client import AsyncWebClient

        app = AsyncApp(
            signing_secret=SECRET, client=AsyncWebClient(token="xoxb-bench", base_url=api_url)
        )

        @app.command("/mle")
        async def ok(ack):
            await ack("ok")

        async def events(request: web.Request) -> web.Response:
            return await to_aiohttp_response(
                await app.async_dispatch(await to_bolt_request(request))
            )

        web_app = web.Application()
        web_app.router.add_post("/slack/events", events)
        runner = web.AppRunner(web_app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        from bot.app import freeze_heap

        freeze_heap()
    print(f"READY {port}", flush=True)
    await asyncio.Event().wait()


def logging_off() -> None:
    import logging

    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("slack_bolt").setLevel(logging.ERROR)


def spawn(*args: str) -> tuple[subprocess.Popen, int]:
    proc = subprocess.Popen(
        [sys.executable, __file__, *args],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    line = proc.stdout.readline()  # type: ignore[union-attr]
    if not line.startswith("READY"):
        proc.kill()
        raise SystemExit(f"{args} did not start: {line!r}")
    return proc, int(line.split()[1])


# ---- the load ---------------------------------------------------------------------------


MEMBERS = 200  # distinct members sending commands (users.info is cached per member for 60 s)


def requests_for(n: int, fake_port: int) -> list[tuple[bytes, dict[str, str]]]:
    from slack_sdk.signature import SignatureVerifier

    signer = SignatureVerifier(SECRET)
    ts = str(int(time.time()))
    out = []
    for i in range(n):
        body = urlencode(
            {
                "token": "legacy",
                "team_id": TEAM,
                "team_domain": "bench",
                "channel_id": "C0001",
                "channel_name": "general",
                "user_id": f"U{i % MEMBERS:04d}",
                "user_name": f"u{i}",
                "command": "/mle",
                "text": "salary germany",
                "api_app_id": "A0001",
                "response_url": f"http://127.0.0.1:{fake_port}/response/{i}",
                "trigger_id": "1.2.3",
            }
        )
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signer.generate_signature(timestamp=ts, body=body) or "",
        }
        out.append((body.encode(), headers))
    return out


async def load(port: int, reqs, concurrency: int) -> tuple[float, list[float], int, int]:
    import aiohttp

    url = f"http://127.0.0.1:{port}/slack/events"
    latencies: list[float] = []
    failures = in_ack = 0
    queue = list(reversed(reqs))
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker():
            nonlocal failures, in_ack
            while queue:
                body, headers = queue.pop()
                start = time.perf_counter()
                async with session.post(url, data=body, headers=headers) as resp:
                    answer = await resp.read()
                    if resp.status != 200:
                        failures += 1
                latencies.append(time.perf_counter() - start)
                if b'"blocks"' in answer:  # the reply came back in the ack itself
                    in_ack += 1

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
    return elapsed, latencies, failures, in_ack


async def fake_stats(port: int) -> dict:
    import aiohttp

    async with aiohttp.ClientSession() as s, s.get(f"http://127.0.0.1:{port}/stats") as r:
        return json.loads(await r.text())


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def summary(kind: str, n: int, elapsed: float, lat: list[float], failures: int) -> dict:
    lat = sorted(lat)
    return {
        "kind": kind,
        "rps": n / elapsed,
        "p50": lat[len(lat) // 2] * 1000,
        "p99": lat[max(int(len(lat) * 0.99) - 1, 0)] * 1000,
        "failures": failures,
    }


async def drained(fake_port: int, in_ack: int, count: int) -> None:
    """Wait until replies not sent inside the ack have reached the response_url."""
    if in_ack >= count:
        return
    start = (await fake_stats(fake_port))["responses"]
    deadline = time.perf_counter() + 60
    while (await fake_stats(fake_port))["responses"] - start < count - in_ack:  # noqa: ASYNC110
        if time.perf_counter() > deadline:
            return
        await asyncio.sleep(0.01)


async def main(args) -> None:
    """Both servers run side by side; batches of requests alternate between them (ABBA
    order), so load from anything else on the machine falls on both alike."""
    fake, fake_port = spawn("--fake")
    api = f"http://127.0.0.1:{fake_port}/api/"
    procs = {}
    try:
        for kind in ("bare", "ours"):
            procs[kind] = spawn("--serve", kind, "--api", api)
        ports = {kind: port for kind, (_, port) in procs.items()}
        for kind in ports:  # warm-up: connections, users.info cache, imports
            await load(ports[kind], requests_for(args.concurrency, fake_port), args.concurrency)
        before = (await fake_stats(fake_port))["responses"]
        totals = {
            k: {"elapsed": 0.0, "lat": [], "failures": 0, "in_ack": 0, "cpu": 0.0} for k in ports
        }
        batch = max(args.concurrency * 2, args.requests // args.rounds)
        order = ["bare", "ours", "ours", "bare"]
        sent = {k: 0 for k in ports}
        t0 = time.perf_counter()
        i = 0
        while min(sent.values()) < args.requests:
            kind = order[i % 4]
            i += 1
            count = min(batch, args.requests - sent[kind])
            if count <= 0:
                continue
            reqs = requests_for(count, fake_port)
            cpu0 = cpu_seconds(procs[kind][0].pid)
            elapsed, lat, failures, in_ack = await load(ports[kind], reqs, args.concurrency)
            if kind == "ours":  # post-ack work counts too: wait for it before reading the CPU
                await drained(fake_port, in_ack, count)
            totals[kind]["cpu"] += cpu_seconds(procs[kind][0].pid) - cpu0
            sent[kind] += count
            t = totals[kind]
            t["elapsed"] += elapsed
            t["lat"] += lat
            t["failures"] += failures
            t["in_ack"] += in_ack
            print(f"batch {i:2d} {kind:4}: {count / elapsed:7.0f} acks/s", flush=True)
        # Replies not inside the ack must reach the response_url (polling: a benchmark).
        deadline = time.perf_counter() + 60

        async def answered_so_far() -> int:
            return totals["ours"]["in_ack"] + (await fake_stats(fake_port))["responses"] - before

        while await answered_so_far() < args.requests and time.perf_counter() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.01)  # polling another process: this is a benchmark
        answered = await answered_so_far()
        res = {
            k: summary(k, args.requests, t["elapsed"], t["lat"], t["failures"])
            for k, t in totals.items()
        }
        bare, ours = res["bare"], res["ours"]
        print()
        print(
            f"{args.requests} signed /mle slash commands per server, {args.concurrency} "
            f"concurrent, {MEMBERS} members, {os.cpu_count()} CPUs, batches alternating"
        )
        for label, r in (
            ("bare slack-bolt (ack 'ok') ", bare),
            ("mle adapter (ack + command)", ours),
        ):
            cpu_ms = totals[r["kind"]]["cpu"] / args.requests * 1000
            print(
                f"{label}: {r['rps']:7.0f} acks/s   p50 {r['p50']:6.1f} ms   "
                f"p99 {r['p99']:6.1f} ms   server CPU {cpu_ms:.2f} ms/command   "
                f"non-200: {r['failures']}"
            )
        print(
            f"ratio ours/bare: {ours['rps'] / bare['rps']:.2f} (target >= 0.9)   "
            f"p99 ack ours: {ours['p99']:.1f} ms (target < 300 ms; bare {bare['p99']:.1f} ms)"
        )
        cpu_ratio = totals["bare"]["cpu"] / totals["ours"]["cpu"] if totals["ours"]["cpu"] else 0
        print(
            f"CPU-bound ratio (bare CPU per command / ours): {cpu_ratio:.2f} "
            "(the throughput ratio on an otherwise idle core)"
        )
        print(
            f"ours answered {answered}/{args.requests} commands "
            f"({totals['ours']['in_ack']} inside the ack) in {time.perf_counter() - t0:.1f} s"
        )
    finally:
        for proc, _ in procs.values():
            proc.terminate()
            proc.wait()
        fake.terminate()
        fake.wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--members",
        type=int,
        default=MEMBERS,
        help="distinct members (at most 1000); more means more users.info calls",
    )
    parser.add_argument("--serve", choices=["ours", "bare"])
    parser.add_argument("--api")
    parser.add_argument("--fake", action="store_true")
    args = parser.parse_args()
    MEMBERS = min(max(args.members, 1), 1000)
    if args.fake:
        asyncio.run(run_fake())
    elif args.serve:
        asyncio.run(run_server(args.serve, args.api))
    else:
        asyncio.run(main(args))
