"""Interactions/s and INTERACTION_CREATE→callback latency through the fake Discord gateway:
our bot (``/salary show country:germany`` → embeds) against a bare discord.py bot that
answers "ok", same fake, same run, alternating rounds so machine noise hits both.

    .venv/bin/python bench/bench_discord.py [--n 400] [--concurrency 8] [--rounds 3]

Prints p50/p99 per bot and the throughput ratio ours/bare (target ≥ 0.9).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import discord  # noqa: E402

from bot.adapters.discord import make_bot  # noqa: E402
from bot.adapters.discord.client import configure  # noqa: E402
from bot.app import build_services  # noqa: E402
from bot.core.registry import REGISTRY  # noqa: E402
from tests.discord.fake_discord import FakeDiscord  # noqa: E402
from tests.discord.helpers import command_payload  # noqa: E402


class Bare(discord.AutoShardedClient):
    """The floor: discord.py alone, answering every slash command with "ok"."""

    def __init__(self) -> None:
        super().__init__(intents=discord.Intents.default(), guild_ready_timeout=0.05)
        self.ready_event = asyncio.Event()

    async def on_ready(self) -> None:
        self.ready_event.set()

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message("ok")


@contextlib.asynccontextmanager
async def started(client, token):
    task = asyncio.create_task(client.start(token))
    await asyncio.wait_for(client.ready_event.wait(), 30)
    try:
        yield client
    finally:
        await client.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 5)


@contextlib.asynccontextmanager
async def bot_process(fake: FakeDiscord, label: str):
    """The bot in its own process, as in production: the fake plays Discord in this one."""
    before = len([x for x in fake.sessions if x.ready.is_set()])
    proc = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--serve", label, "--api", fake.api_base, "--gateway", fake.gateway_url,
        "--token", fake.token,
    )
    try:
        async def ready() -> None:
            while len([x for x in fake.sessions if x.ready.is_set() and not x.ws.closed]) <= 0 or \
                    len([x for x in fake.sessions if x.ready.is_set()]) <= before:
                await asyncio.sleep(0.05)  # noqa: ASYNC110

        await asyncio.wait_for(ready(), 60)
        await asyncio.sleep(0.3)  # let discord.py finish its start-up
        yield
    finally:
        proc.terminate()
        await proc.wait()
        for x in fake.sessions:
            if not x.ws.closed:
                await x.ws.close()


async def serve_one(label: str, api: str, gateway: str, token: str) -> None:
    services = build_services()
    services.settings.discord_api_base = api
    services.settings.discord_gateway_url = gateway
    services.settings.discord_token = token
    configure(services.settings)
    client = Bare() if label == "bare" else make_bot(services, guild_ready_timeout=0.05)
    await client.start(token)


async def drive(fake: FakeDiscord, guild, make_payload, n: int, concurrency: int) -> tuple[float, list[float]]:
    latencies: list[float] = []
    sem = asyncio.Semaphore(concurrency)

    async def one() -> None:
        async with sem:
            inter = make_payload()
            t0 = time.perf_counter()
            await fake.interact(inter, within=30)
            latencies.append(time.perf_counter() - t0)

    start = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(n)))
    return n / (time.perf_counter() - start), latencies


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(p * len(values)))] * 1000


async def main(n: int, concurrency: int, rounds: int) -> float:
    logging.basicConfig(level=logging.ERROR)
    fake = FakeDiscord()
    guild = fake.add_guild()
    await fake.start()
    services = build_services()
    services.settings.discord_api_base = fake.api_base
    services.settings.discord_gateway_url = fake.gateway_url
    services.settings.discord_token = fake.token
    configure(services.settings)
    ours = make_bot(services)
    name, options = command_payload(ours.commands, REGISTRY.commands[("salary",)], {"country": "germany"})

    def payload():
        return fake.command(guild, name, options)

    results: dict[str, tuple[list[float], list[float]]] = {"bare": ([], []), "ours": ([], [])}
    for r in range(rounds):
        for label in ("bare", "ours") if r % 2 == 0 else ("ours", "bare"):
            async with bot_process(fake, label):
                await drive(fake, guild, payload, max(20, n // 10), concurrency)  # warm-up
                gc.collect()
                rate, lat = await drive(fake, guild, payload, n, concurrency)
            results[label][0].append(rate)
            results[label][1].extend(lat)
    await fake.close()

    print(f"fake Discord on 127.0.0.1 (this process), each bot in its own process, zlib-stream gateway; n={n} x {rounds} rounds, concurrency={concurrency}")
    print(f"{'bot':<6} {'interactions/s':>15} {'p50 ms':>8} {'p99 ms':>8}")
    rates = {}
    for label, (rs, lat) in results.items():
        rates[label] = statistics.median(rs)
        print(f"{label:<6} {rates[label]:>15.0f} {pct(lat, 0.5):>8.2f} {pct(lat, 0.99):>8.2f}")
    ratio = rates["ours"] / rates["bare"]
    p99_ratio = pct(results["bare"][1], 0.99) / pct(results["ours"][1], 0.99)
    print(f"throughput ratio ours/bare = {ratio:.2f} (target ≥ 0.9); p99 ratio bare/ours = {p99_ratio:.2f}")
    return ratio


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=400)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--serve", choices=["bare", "ours"], help=argparse.SUPPRESS)
    ap.add_argument("--api", help=argparse.SUPPRESS)
    ap.add_argument("--gateway", help=argparse.SUPPRESS)
    ap.add_argument("--token", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.serve:
        logging.basicConfig(level=logging.ERROR)
        asyncio.run(serve_one(a.serve, a.api, a.gateway, a.token))
    else:
        asyncio.run(main(a.n, a.concurrency, a.rounds))
