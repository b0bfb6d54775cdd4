"""Test doubles for the scheduler: a platform behind the delivery port, and virtual time."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections import Counter, defaultdict
from datetime import timedelta

from bot.core.clock import FakeClock
from bot.core.delivery import PermanentDeliveryError, TransientDeliveryError
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
            now = self.monotonic()
            if wake > now:
                self.clock.advance(timedelta(seconds=wake - now))
            fut.set_result(None)
        return task.result()


class FakePlatform:
    """Records posts; fails per channel as scripted; optionally enforces a request rate."""

    def __init__(self, platform: str = "discord", clock: FakeClock | None = None) -> None:
        self.platform = platform
        self.clock = clock
        self.posts: list[tuple[str, str, Reply, object]] = []  # (workspace, channel, reply, at)
        self.script: dict[str, list[Exception]] = defaultdict(list)  # channel → errors to raise
        self.calls: Counter[str] = Counter()
        self.call_times: dict[str, list[object]] = defaultdict(list)
        self.admin_notes: list[tuple[str, str, str]] = []
        self.crash_before_accept: set[str] = set()

    def fail(self, channel: str, *errors: Exception) -> None:
        self.script[channel].extend(errors)

    async def post(self, workspace: str, channel: str, reply: Reply) -> str:
        self.calls[channel] += 1
        self.call_times[channel].append(self.clock.now() if self.clock else None)
        if self.script[channel]:
            raise self.script[channel].pop(0)
        self.posts.append((workspace, channel, reply, self.clock.now() if self.clock else None))
        return f"m{len(self.posts)}"

    async def notify_admin(self, workspace: str, channel: str, text: str) -> None:
        self.admin_notes.append((workspace, channel, text))


def transient(retry_after=None):
    return TransientDeliveryError("rate limited", retry_after=retry_after)


def permanent():
    return PermanentDeliveryError("Missing Access", missing_permission="Send Messages")
