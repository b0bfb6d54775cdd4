"""Exponential backoff for reaching a platform that is down at start-up.

A platform outage is not a configuration error: the bot keeps trying, doubling the wait
(1 s, 2 s, 4 s … capped at 5 minutes, with jitter so replicas don't retry in step) and logs
exactly one warning line per failed attempt, never a traceback. Errors that retrying can't
fix (a refused token) are raised by ``attempt`` as something other than ``transient``.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

from bot.logs import one_line

log = logging.getLogger(__name__)

T = TypeVar("T")

FIRST_SECONDS = 1.0
CAP_SECONDS = 300.0


async def keep_trying(
    attempt: Callable[[], Awaitable[T]],
    *,
    what: str,
    transient: tuple[type[BaseException], ...],
    first: float = FIRST_SECONDS,
    cap: float = CAP_SECONDS,
) -> T:
    """Await ``attempt()`` until it returns; ``transient`` errors are logged and retried.

    ``what`` names the platform in the warning: ``"<what> unreachable (<error>): retrying in
    <n> s (attempt <k>)"``. Delays in seconds; each is scaled by a random 0.8–1.2.
    """
    delay = first
    number = 0
    while True:
        number += 1
        try:
            return await attempt()
        except transient as exc:
            wait = delay * random.uniform(0.8, 1.2)
            log.warning(
                "%s unreachable (%s): retrying in %.1f s (attempt %d)",
                what,
                one_line(exc),
                wait,
                number,
            )
        await asyncio.sleep(wait)
        delay = min(delay * 2, cap)
