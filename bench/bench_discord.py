"""Interactions/s and INTERACTION_CREATE→callback latency through the fake Discord gateway.

Three bots, each in its own process started the same way (this script with ``--serve``),
against the same fake Discord (in this process), with the same concurrency and number of
interactions, in interleaved rounds (the order rotates every round so machine noise hits
every bot alike):

* ``bare``   discord.py alone answering every slash command with "ok" (the framework floor)
* ``embed``  discord.py alone answering with a pre-built copy of the embed our bot sends for
             ``/salary show country:germany`` (the floor for an equal payload)
* ``ours``   our adapter: resolve the command, run the core command, render, send

    .venv/bin/python bench/bench_discord.py [--n 400] [--concurrency 8] [--rounds 6]

Prints, per bot, the medians over rounds of interactions/s, p50 and p99 latency and the bot
process's CPU time per interaction (from /proc, so it is not inflated when other programs
load the machine), then the ratios of medians: ours/bare (target ≥ 0.9) and
ours/embed (same payload, so what remains is our own per-interaction work).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import logging
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import discord  # noqa: E402

from bot.adapters.discord import make_bot  # noqa: E402
from bot.adapters.discord.client import configure  # noqa: E402
from bot.adapters.discord.render import render  # noqa: E402
from bot.app import build_services, context, freeze_heap  # noqa: E402
from bot.core import dispatch  # noqa: E402
from bot.core.registry import REGISTRY  # noqa: E402
from tests.discord.fake_discord import FakeDiscord  # noqa: E402
from tests.discord.helpers import command_payload  # noqa: E402

LABELS = ("bare", "embed", "ours")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


class Bare(discord.AutoShardedClient):
    """The floor: discord.py alone, answering every slash command with "ok" (or ``embeds``)."""

    def __init__(self, embeds: list[discord.Embed] | None = None) -> None:
        super().__init__(
            intents=discord.Intents.default(),
            guild_ready_timeout=0.05,
            allowed_mentions=discord.AllowedMentions.none() if embeds else None,
        )
        self.ready_event = asyncio.Event()
        self.embeds = embeds

    async def on_ready(self) -> None:
        self.ready_event.set()

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        if self.embeds:
            await interaction.response.send_message(embeds=self.embeds)
        else:
            await interaction.response.send_message("ok")


def cpu_seconds(pid: int) -> float | None:
    """CPU time of process ``pid`` so far (Linux /proc), None where unavailable.

    schedstat counts nanoseconds on a CPU; stat's user+system ticks (10 ms) are the fallback.
    """
    try:
        ns = int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
        if ns > 0:  # 0 where the kernel keeps no schedstats
            return ns / 1e9
    except (OSError, ValueError, IndexError):
        pass
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


@contextlib.asynccontextmanager
async def bot_process(fake: FakeDiscord, label: str, embed_json: str):
    """The bot in its own process, as in production: the fake plays Discord in this one."""
    before = len([x for x in fake.sessions if x.ready.is_set()])
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--serve",
        label,
        "--api",
        fake.api_base,
        "--gateway",
        fake.gateway_url,
        "--token",
        fake.token,
        "--embeds",
        embed_json,
    )
    try:

        def waiting() -> bool:  # until the new process has a live, ready gateway session
            ready = [x for x in fake.sessions if x.ready.is_set()]
            return len(ready) <= before or not any(not x.ws.closed for x in ready)

        async def ready() -> None:
            while waiting():  # noqa: ASYNC110 (the fake's sessions have no event to wait on)
                await asyncio.sleep(0.05)

        await asyncio.wait_for(ready(), 60)
        await asyncio.sleep(0.3)  # let discord.py finish its start-up
        yield proc
    finally:
        proc.terminate()
        await proc.wait()
        for x in fake.sessions:
            if not x.ws.closed:
                await x.ws.close()


async def serve_one(label: str, api: str, gateway: str, token: str, embed_json: str) -> None:
    services = build_services()
    services.settings.discord_api_base = api
    services.settings.discord_gateway_url = gateway
    services.settings.discord_token = token
    configure(services.settings)
    if label == "ours":
        client = make_bot(services, guild_ready_timeout=0.05)
    elif label == "embed":
        client = Bare([discord.Embed.from_dict(e) for e in json.loads(embed_json)])
    else:
        client = Bare()
    freeze_heap()  # every bot gets the start-up tuning bot.runner applies, so the floor is fair
    await client.start(token)


async def drive(
    fake: FakeDiscord, make_payload, n: int, concurrency: int
) -> tuple[float, list[float]]:
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


async def main(n: int, concurrency: int, rounds: int) -> dict[str, float]:
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
    cmd = REGISTRY.commands[("salary",)]
    name, options = command_payload(ours.commands, cmd, {"country": "germany"})
    # What our bot sends for this command, pre-built once for the "embed" floor.
    reply = await dispatch.invoke(context(services, "discord"), cmd, {"country": "germany"})
    [message] = render(reply)
    embed_json = json.dumps(message.embeds)

    def payload():
        return fake.command(guild, name, options)

    # label → per-round (rate, p50 ms, p99 ms, bot CPU ms per interaction)
    results: dict[str, list[tuple[float, float, float, float | None]]] = {x: [] for x in LABELS}
    sent: dict[str, dict] = {}
    for r in range(rounds):
        order = LABELS[r % len(LABELS) :] + LABELS[: r % len(LABELS)]
        for label in order:
            async with bot_process(fake, label, embed_json) as proc:
                await drive(fake, payload, max(20, n // 10), concurrency)  # warm-up
                sent[label] = fake.callbacks[-1].data
                gc.collect()
                cpu0 = cpu_seconds(proc.pid)
                rate, lat = await drive(fake, payload, n, concurrency)
                cpu1 = cpu_seconds(proc.pid)
            cpu = (cpu1 - cpu0) / n * 1000 if cpu0 is not None and cpu1 is not None else None
            results[label].append((rate, pct(lat, 0.5), pct(lat, 0.99), cpu))
            fake.callbacks.clear()
    await fake.close()

    def bare_embeds(data: dict) -> list[dict]:  # discord.Embed adds "flags": 0; otherwise equal
        return [{k: v for k, v in e.items() if k != "flags"} for e in data.get("embeds", [])]

    assert bare_embeds(sent["embed"]) == bare_embeds(sent["ours"]), (
        "the embed floor must send our embed"
    )
    sizes = {k: len(json.dumps(v)) for k, v in sent.items()}
    print(
        f"fake Discord on 127.0.0.1 (this process), each bot in its own process, zlib-stream gateway; "
        f"n={n} x {rounds} interleaved rounds, concurrency={concurrency}; medians over rounds"
    )
    print(
        f"{'bot':<6} {'interactions/s':>15} {'p50 ms':>8} {'p99 ms':>8} {'bot CPU ms/int':>15} {'callback bytes':>15}"
    )
    med: dict[str, dict[str, float]] = {}
    for label in LABELS:
        rows = results[label]
        cpus = [c for *_, c in rows if c is not None]
        med[label] = {
            "rate": statistics.median(x[0] for x in rows),
            "p50": statistics.median(x[1] for x in rows),
            "p99": statistics.median(x[2] for x in rows),
            "cpu": statistics.median(cpus) if cpus else float("nan"),
        }
        m = med[label]
        print(
            f"{label:<6} {m['rate']:>15.0f} {m['p50']:>8.2f} {m['p99']:>8.2f} {m['cpu']:>15.3f} {sizes[label]:>15}"
        )
    for label in LABELS:
        print(
            f"  {label:<5} per round interactions/s: "
            + " ".join(f"{x[0]:.0f}" for x in results[label])
        )
    ratios = {
        "bare": med["ours"]["rate"] / med["bare"]["rate"],
        "embed": med["ours"]["rate"] / med["embed"]["rate"],
    }
    print(
        f"throughput ratio ours/bare  = {ratios['bare']:.2f} (target ≥ 0.9)   "
        f"CPU/interaction bare/ours = {med['bare']['cpu'] / med['ours']['cpu']:.2f}"
    )
    print(
        f"throughput ratio ours/embed = {ratios['embed']:.2f} (equal payloads)  "
        f"CPU/interaction embed/ours = {med['embed']['cpu'] / med['ours']['cpu']:.2f}"
    )
    return ratios


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=400)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--serve", choices=LABELS, help=argparse.SUPPRESS)
    ap.add_argument("--api", help=argparse.SUPPRESS)
    ap.add_argument("--gateway", help=argparse.SUPPRESS)
    ap.add_argument("--token", help=argparse.SUPPRESS)
    ap.add_argument("--embeds", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.serve:
        logging.basicConfig(level=logging.ERROR)
        asyncio.run(serve_one(a.serve, a.api, a.gateway, a.token, a.embeds))
    else:
        asyncio.run(main(a.n, a.concurrency, a.rounds))
