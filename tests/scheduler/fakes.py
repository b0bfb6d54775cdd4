"""Test doubles for the scheduler: a platform behind the delivery port, and virtual time."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.clock import FakeClock
from bot.core.delivery import (
    PermanentDeliveryError,
    TransientDeliveryError,
    UncertainDeliveryError,
)
from bot.core.reply import Reply


class VirtualTime:
    """``sleep``/``monotonic`` on a FakeClock: sleeping tasks wake in time order, instantly.

    ``run(coro)`` drives the coroutine; whenever every task is blocked on a virtual sleep the
    clock jumps to the earliest wake-up. Only for code that awaits nothing but virtual sleeps.
    """

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self._heap: list = []
        self._seq = itertools.count()

    def monotonic(self) -> float:
        return self.clock.now().timestamp()

    async def sleep(self, seconds: float) -> None:
        fut = asyncio.get_running_loop().create_future()
        heapq.heappush(self._heap, (self.monotonic() + max(0.0, seconds), next(self._seq), fut))
        await fut

    async def run(self, coro):
        task = asyncio.ensure_future(coro)
        while not task.done():
            for _ in range(50):  # let every runnable task reach its next sleep
                await asyncio.sleep(0)
            if task.done() or not self._heap:
                continue
            wake, _, fut = heapq.heappop(self._heap)
            if fut.done():  # a cancelled sleep (e.g. a call's timeout timer): time stays put
                continue
            now = self.monotonic()
            if wake > now:
                self.clock.advance(timedelta(seconds=wake - now))
            fut.set_result(None)
        return task.result()


@dataclass
class Fault:
    """The platform misbehaves from ``start`` to ``end`` (clock instants).

    ``kind``: ``5xx`` (accepts the post, then answers 502), ``reset`` (accepts, then drops the
    connection), ``429`` (refuses with ``retry_after``), ``slow`` (answers after ``delay``
    seconds). Reads (``find``) fail the same way, except ``slow``."""

    start: datetime
    end: datetime
    kind: str
    retry_after: float = 30.0
    delay: float = 20.0


class FakePlatform:
    """Records posts; fails per channel as scripted or during fault windows; optionally
    deduplicates by idempotency key (``nonce_window`` seconds, as Discord's nonce).

    ``on_received(channel)`` / ``on_accepted(channel)`` run when a post request arrives and
    after the message was created, before the answer: a test crashes its owner there."""

    def __init__(
        self,
        platform: str = "discord",
        clock: FakeClock | None = None,
        *,
        nonce_window: float | None = None,
        sleep=None,
    ) -> None:
        self.platform = platform
        self.clock = clock
        self.nonce_window = nonce_window
        self.sleep = sleep or asyncio.sleep
        self.posts: list[tuple[str, str, Reply, object]] = []  # (workspace, channel, reply, at)
        self.keys: list[str | None] = []  # the key of each post, in order
        self.script: dict[str, list[Exception]] = defaultdict(list)  # channel → errors to raise
        self.calls: Counter[str] = Counter()
        self.call_times: dict[str, list[object]] = defaultdict(list)
        self.admin_notes: list[tuple[str, str, str]] = []
        self.faults: list[Fault] = []
        self.finds = 0
        self.on_received = None
        self.on_accepted = None

    def fail(self, channel: str, *errors: Exception) -> None:
        self.script[channel].extend(errors)

    def _now(self):
        return self.clock.now() if self.clock else None

    def fault(self) -> Fault | None:
        now = self._now()
        return next((f for f in self.faults if now is not None and f.start <= now < f.end), None)

    async def post(self, workspace: str, channel: str, reply: Reply, key: str | None = None) -> str:
        self.calls[channel] += 1
        self.call_times[channel].append(self._now())
        if self.script[channel]:
            raise self.script[channel].pop(0)
        if self.on_received is not None:
            await self.on_received(channel)
        fault = self.fault()
        if fault is not None and fault.kind == "429":
            raise TransientDeliveryError("rate limited", retry_after=fault.retry_after)
        if fault is not None and fault.kind == "slow":
            await self.sleep(fault.delay)
        mid = self._existing(channel, key)
        if mid is None:
            self.posts.append((workspace, channel, reply, self._now()))
            self.keys.append(key)
            mid = f"m{len(self.posts)}"
        if self.on_accepted is not None:
            await self.on_accepted(channel)
        if fault is not None and fault.kind == "5xx":
            raise UncertainDeliveryError("502 Bad Gateway")
        if fault is not None and fault.kind == "reset":
            raise UncertainDeliveryError("connection reset by peer")
        return mid

    def _existing(self, channel: str, key: str | None) -> str | None:
        if key is None or self.nonce_window is None:
            return None
        now = self._now()
        for i, ((_, ch, _, at), k) in enumerate(zip(self.posts, self.keys, strict=True)):
            if ch == channel and k == key and (now - at).total_seconds() < self.nonce_window:
                return f"m{i + 1}"
        return None

    async def find(self, workspace: str, channel: str, key: str, since) -> str | None:
        self.finds += 1
        fault = self.fault()
        if fault is not None and fault.kind != "slow":
            raise TransientDeliveryError(f"history unavailable ({fault.kind})")
        for i, ((_, ch, _, at), k) in enumerate(zip(self.posts, self.keys, strict=True)):
            if ch == channel and k == key and (at is None or at >= since):
                return f"m{i + 1}"
        return None

    async def notify_admin(self, workspace: str, channel: str, text: str) -> None:
        self.admin_notes.append((workspace, channel, text))


def transient(retry_after=None):
    return TransientDeliveryError("rate limited", retry_after=retry_after)


def permanent():
    return PermanentDeliveryError("Missing Access", missing_permission="Send Messages")
