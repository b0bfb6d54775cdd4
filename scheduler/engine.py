"""Post prompts through the adapters' delivery ports: rate limited, retried, isolated.

* Every post runs in its own task, so one failing channel never delays the others.
* A per-platform rate limiter spaces requests: Discord ≈ 50 requests/s for the whole bot,
  Slack ≈ 1 message/s per channel (chat.postMessage's documented limit). The limiter
  reserves evenly spaced slots, so a burst of N posts takes N/rate seconds and never trips
  the platform's own limit.
* TransientDeliveryError (rate limited, 5xx, timeout) is retried with exponential backoff,
  waiting ``retry_after`` when the platform says how long. After ``max_transient`` tries the
  post is handed back as ``retry`` so the caller can try again later (the claim stays).
* PermanentDeliveryError (missing permission, channel gone) is tried ``max_permanent`` (3)
  times in all; then the outcome is ``permanent`` and the caller pauses the subscription and
  tells an admin.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

from bot.core.delivery import Delivery, PermanentDeliveryError, TransientDeliveryError
from bot.core.reply import Reply

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
Monotonic = Callable[[], float]


# The limiter's window is a little longer than the platform's second, so the microseconds
# between our timestamp and the platform's never let one request too many through.
WINDOW = 1.005


class RateLimiter:
    """At most ``rate`` requests in any one-second window, spread evenly.

    Each caller reserves the next evenly spaced slot (a leaky bucket), so a burst of N takes
    N/rate seconds. Timers fire a little late and unevenly, which can bunch a few requests
    closer than the spacing; a sliding window over the actual start times (the same rule a
    platform applies) holds back any request that would make more than ``rate`` in one second.
    """

    def __init__(self, rate: float, *, monotonic: Monotonic, sleep: Sleep) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.interval = 1.0 / rate
        self.cap = max(1, int(rate))  # requests per one-second window
        self._monotonic = monotonic
        self._sleep = sleep
        self._next = float("-inf")
        self._window: deque[float] = deque()

    async def acquire(self) -> None:
        now = self._monotonic()
        slot = max(now, self._next)
        self._next = slot + self.interval
        if slot > now:
            await self._sleep(slot - now)
        while True:
            now = self._monotonic()
            while self._window and self._window[0] <= now - WINDOW:
                self._window.popleft()
            if len(self._window) < self.cap:
                self._window.append(now)
                return
            await self._sleep(self._window[0] + WINDOW - now + 1e-6)


@dataclass(frozen=True)
class Limit:
    rate: float  # requests per second
    per: Literal["platform", "channel"]


# Documented platform limits. Console has none.
LIMITS: dict[str, Limit] = {
    "discord": Limit(50.0, "platform"),
    "slack": Limit(1.0, "channel"),
}


class Limiters:
    """One RateLimiter per (platform) or per (platform, workspace, channel)."""

    def __init__(self, limits: dict[str, Limit], *, monotonic: Monotonic, sleep: Sleep) -> None:
        self.limits = limits
        self._monotonic = monotonic
        self._sleep = sleep
        self._buckets: dict[tuple[str, ...], RateLimiter] = {}

    def for_(self, platform: str, workspace: str, channel: str) -> RateLimiter | None:
        limit = self.limits.get(platform)
        if limit is None:
            return None
        key = (platform,) if limit.per == "platform" else (platform, workspace, channel)
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = RateLimiter(
                limit.rate, monotonic=self._monotonic, sleep=self._sleep
            )
        return bucket


@dataclass(frozen=True)
class Outcome:
    status: Literal["sent", "retry", "permanent", "no-port"]
    message_id: str | None = None
    attempts: int = 0
    error: str | None = None


class DeliveryEngine:
    def __init__(
        self,
        ports: dict[str, Delivery] | None = None,
        *,
        limits: dict[str, Limit] | None = None,
        sleep: Sleep = asyncio.sleep,
        monotonic: Monotonic = time.monotonic,
        max_transient: int = 5,
        max_permanent: int = 3,
        base_backoff: float = 1.0,
        max_backoff: float = 60.0,
        rng: random.Random | None = None,
    ) -> None:
        self.ports: dict[str, Delivery] = dict(ports or {})
        self.limiters = Limiters(
            LIMITS if limits is None else limits, monotonic=monotonic, sleep=sleep
        )
        self.sleep = sleep
        self.max_transient = max_transient
        self.max_permanent = max_permanent
        self.base_backoff = base_backoff
        self.max_backoff = max_backoff
        self.rng = rng or random.Random()

    def backoff(self, failures: int) -> float:
        """Exponential backoff with ±20 % jitter: 1 s, 2 s, 4 s … capped at ``max_backoff``."""
        delay = min(self.max_backoff, self.base_backoff * 2 ** (failures - 1))
        return delay * (0.8 + 0.4 * self.rng.random())

    async def deliver(self, platform: str, workspace: str, channel: str, reply: Reply) -> Outcome:
        """Post one reply, retrying as the module doc says. Never raises for platform errors."""
        port = self.ports.get(platform)
        if port is None:
            return Outcome("no-port", error=f"no delivery port for {platform}")
        limiter = self.limiters.for_(platform, workspace, channel)
        attempts = transient = permanent = 0
        while True:
            attempts += 1
            if limiter is not None:
                await limiter.acquire()
            try:
                message_id = await port.post(workspace, channel, reply)
                return Outcome("sent", str(message_id), attempts)
            except TransientDeliveryError as exc:
                transient += 1
                if transient >= self.max_transient:
                    log.warning(
                        "post to %s/%s/%s still failing after %d tries: %s",
                        platform,
                        workspace,
                        channel,
                        attempts,
                        exc,
                    )
                    return Outcome("retry", attempts=attempts, error=str(exc))
                delay = exc.retry_after if exc.retry_after is not None else self.backoff(transient)
                await self.sleep(max(0.0, delay))
            except PermanentDeliveryError as exc:
                permanent += 1
                if permanent >= self.max_permanent:
                    return Outcome("permanent", attempts=attempts, error=str(exc))
                await self.sleep(self.backoff(permanent))
            except Exception as exc:  # an adapter bug: log it, treat it as transient
                log.exception("delivery port %s raised unexpectedly", platform)
                transient += 1
                if transient >= self.max_transient:
                    return Outcome("retry", attempts=attempts, error=repr(exc))
                await self.sleep(self.backoff(transient))
