"""Pictures: pure functions from plain data to PNG bytes, drawn off the event loop.

``salary``, ``profile`` and ``leaderboard`` each offer ``draw(data) -> (png, width, height)``
and ``describe(data) -> alt text``. Commands call :func:`attach`, which runs the drawing in
one worker thread (renders are serialised there, so a burst of pictures queues instead of
competing for the CPU with the event loop's own work; the loop never waits on one) and returns an :class:`~bot.core.reply.Attachment`, or ``None`` when
pictures are turned off (``PICTURES=off``) or drawing failed — the reply's text always
carries the same numbers, so nothing is lost.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from bot.core.reply import Attachment

log = logging.getLogger(__name__)

T = TypeVar("T")
_executor: ThreadPoolExecutor | None = None
_SLUG = re.compile(r"[^a-z0-9]+")


def _pool() -> ThreadPoolExecutor:
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pictures")
    return _executor


def filename(*words: str) -> str:
    """An ASCII file name such as ``salary-uk-germany.png`` (any script in ``words`` → dropped)."""
    slug = "-".join(s for s in (_SLUG.sub("-", w.lower()).strip("-") for w in words) if s)
    return (slug[:60].strip("-") or "picture") + ".png"


def enabled(settings: Any) -> bool:
    """Whether pictures are on (``PICTURES``, default on)."""
    return bool(getattr(settings, "pictures", True))


def render(draw: Callable[[T], tuple[bytes, int, int]], data: T, alt: str, name: str) -> Attachment:
    """Draw synchronously (tests, benchmarks, the worker thread)."""
    png, width, height = draw(data)
    return Attachment(png, name, alt, width, height)


CACHED = 64  # pictures of static content (salary charts) kept, most recent first
_cache: OrderedDict[tuple[str, Any], Attachment] = OrderedDict()


async def attach(
    settings: Any,
    draw: Callable[[T], tuple[bytes, int, int]],
    describe: Callable[[T], str],
    data: T,
    name: str,
    *,
    cache: bool = False,
) -> Attachment | None:
    """The picture for ``data`` drawn in the pictures thread, or None (off, or it failed).

    ``cache=True`` for pictures of static content (``data`` hashable and the same picture
    every time, e.g. a salary chart): the last ``CACHED`` are kept and not drawn again.
    """
    if not enabled(settings):
        return None
    key = (name, data)
    if cache and (hit := _cache.get(key)) is not None:
        _cache.move_to_end(key)
        return hit
    alt = describe(data)
    loop = asyncio.get_running_loop()
    try:
        picture = await loop.run_in_executor(_pool(), render, draw, data, alt, name)
    except Exception:
        log.exception("drawing %s failed; the reply goes out as text only", name)
        return None
    if cache:
        _cache[key] = picture
        while len(_cache) > CACHED:
            _cache.popitem(last=False)
    return picture
