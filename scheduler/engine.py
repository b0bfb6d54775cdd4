"""Post prompts through the adapters' delivery ports: rate limited, retried, isolated.

* Every post runs in its own task, so one failing channel never delays the others.
* A per-platform rate limiter spaces requests: Discord ≈ 50 requests/s for the whole bot,
  Slack ≈ 1 message/s per channel (chat.postMessage's documented limit). The limiter
  reserves evenly spaced slots, so a burst of N posts takes N/rate seconds and never trips
  the platform's own limit.
* Every call to the platform has a deadline (``call_timeout``); no answer by then is an
  uncertain outcome (the request may have been acted on).
* TransientDeliveryError (rate limited, refused before sending) is retried with exponential
  backoff, waiting ``retry_after`` when the platform says how long. After ``max_transient``
  tries the post is handed back as ``retry`` so the caller can try again later.
* UncertainDeliveryError (timeout, connection reset, 5xx: the post may exist) is never
  blindly retried: it is recorded (``record("uncertain")``) and the next step is the port's
  ``find`` for the delivery's idempotency key — found: ``reconciled``; not found: post again
  with the same key (which Discord also deduplicates by nonce).
* PermanentDeliveryError (missing permission, channel gone) is tried ``max_permanent`` (3)
  times in all; then the outcome is ``permanent`` and the caller pauses the subscription and
  tells an admin.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from bot.core.delivery import (
    Delivery,
    PermanentDeliveryError,
    TransientDeliveryError,
    UncertainDeliveryError,
)
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
    status: Literal["sent", "reconciled", "retry", "permanent", "no-port", "lost"]
    message_id: str | None = None
    attempts: int = 0
    error: str | None = None
    uncertain: bool = False  # a post may exist that no ``find`` has ruled out yet


# ``record(status)``: the caller's fenced write of "sending" (before a platform call) or
# "uncertain" (after an ambiguous answer); False means the claim was lost to another owner.
Record = Callable[[str], Awaitable[bool]]


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
        call_timeout: float | None = 15.0,
        rng: random.Random | None = None,
    ) -> None:
        self.ports: dict[str, Delivery] = dict(ports or {})
        self.limiters = Limiters(
            LIMITS if limits is None else limits, monotonic=monotonic, sleep=sleep
        )
        self.sleep = sleep
        self.monotonic = monotonic
        self.max_transient = max_transient
        self.max_permanent = max_permanent
        self.base_backoff = base_backoff
        self.max_backoff = max_backoff
        self.call_timeout = call_timeout
        self.rng = rng or random.Random()

    def backoff(self, failures: int) -> float:
        """Exponential backoff with ±20 % jitter: 1 s, 2 s, 4 s … capped at ``max_backoff``."""
        delay = min(self.max_backoff, self.base_backoff * 2 ** (failures - 1))
        return delay * (0.8 + 0.4 * self.rng.random())

    async def _call(self, coro: Awaitable, what: str):
        """Await a platform call, giving up after ``call_timeout`` (on the injected clock).

        The give-up raises UncertainDeliveryError: the request may have been acted on."""
        if self.call_timeout is None:
            return await coro
        call = asyncio.ensure_future(coro)
        start = self.monotonic()
        timer = asyncio.ensure_future(self.sleep(self.call_timeout))
        try:
            await asyncio.wait({call, timer}, return_when=asyncio.FIRST_COMPLETED)
            if not call.done() and self.monotonic() - start < self.call_timeout:
                # the injected sleep doesn't wait (tests moving a clock by hand): real time
                await asyncio.wait({call}, timeout=self.call_timeout)
        finally:
            timer.cancel()
            if not call.done():
                call.cancel()
                with contextlib.suppress(BaseException):
                    await call
        if call.cancelled():
            raise UncertainDeliveryError(f"no answer to {what} within {self.call_timeout:g}s")
        return call.result()

    async def deliver(
        self,
        platform: str,
        workspace: str,
        channel: str,
        reply: Reply,
        key: str | None = None,
        *,
        since: datetime | None = None,
        reconcile: bool = False,
        record: Record | None = None,
    ) -> Outcome:
        """Post one reply, retrying and reconciling as the module doc says.

        ``key`` is the idempotency key (None: a one-off post, e.g. ``daily now``);
        ``reconcile`` says an earlier attempt may have posted already (look first, from
        ``since``). Never raises for platform errors."""
        port = self.ports.get(platform)
        if port is None:
            return Outcome("no-port", error=f"no delivery port for {platform}")
        limiter = self.limiters.for_(platform, workspace, channel)
        attempts = transient = permanent = 0
        uncertain = reconcile and key is not None
        where = f"{platform}/{workspace}/{channel}"
        while True:
            if uncertain:
                find = getattr(port, "find", None)
                if find is None:
                    # Nothing to look in: assume the earlier attempt landed (at most once).
                    log.warning("post to %s may have been delivered; %s can't search", where, key)
                    return Outcome("reconciled", None, attempts, "uncertain; not searchable")
                try:
                    assert key is not None
                    found = await self._call(
                        find(workspace, channel, key, since or datetime.now(UTC)), "find"
                    )
                except TransientDeliveryError as exc:
                    transient += 1
                    if transient >= self.max_transient:
                        return Outcome("retry", attempts=attempts, error=str(exc), uncertain=True)
                    await self.sleep(self._delay(exc, transient))
                    continue
                except PermanentDeliveryError as exc:
                    return Outcome("permanent", attempts=attempts, error=str(exc), uncertain=True)
                if found is not None:
                    log.info("post %s to %s was delivered after all (found %s)", key, where, found)
                    return Outcome("reconciled", str(found), attempts)
                uncertain = False
            if record is not None and not await record("sending"):
                return Outcome("lost", attempts=attempts)
            attempts += 1
            if limiter is not None:
                await limiter.acquire()
            try:
                post = (
                    port.post(workspace, channel, reply, key)
                    if key
                    else port.post(workspace, channel, reply)
                )
                message_id = await self._call(post, "post")
                return Outcome("sent", str(message_id), attempts)
            except UncertainDeliveryError as exc:
                transient += 1
                uncertain = key is not None
                log.warning("post %s to %s: outcome unknown (%s)", key, where, exc)
                if record is not None and uncertain and not await record("uncertain"):
                    return Outcome("lost", attempts=attempts)
                if transient >= self.max_transient or not uncertain:
                    # Without a key nothing can be reconciled: never send a one-off twice.
                    return Outcome("retry", attempts=attempts, error=str(exc), uncertain=True)
                await self.sleep(self._delay(exc, transient))
            except TransientDeliveryError as exc:
                transient += 1
                if transient >= self.max_transient:
                    log.warning("post to %s still failing after %d tries: %s", where, attempts, exc)
                    return Outcome("retry", attempts=attempts, error=str(exc))
                await self.sleep(self._delay(exc, transient))
            except PermanentDeliveryError as exc:
                permanent += 1
                if permanent >= self.max_permanent:
                    return Outcome("permanent", attempts=attempts, error=str(exc))
                await self.sleep(self.backoff(permanent))
            except Exception as exc:  # an adapter bug: the request may have gone out
                log.exception("delivery port %s raised unexpectedly", platform)
                transient += 1
                uncertain = key is not None
                if record is not None and uncertain and not await record("uncertain"):
                    return Outcome("lost", attempts=attempts)
                if transient >= self.max_transient or not uncertain:
                    return Outcome("retry", attempts=attempts, error=repr(exc), uncertain=True)
                await self.sleep(self.backoff(transient))

    def _delay(self, exc: TransientDeliveryError, failures: int) -> float:
        return max(0.0, exc.retry_after if exc.retry_after is not None else self.backoff(failures))
