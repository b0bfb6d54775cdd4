"""Build scheduler instances on a real database for tests and the simulation."""

from __future__ import annotations

import contextlib
from datetime import timedelta

from bot.app import build_services
from bot.content import Content
from bot.content.schema import Lesson
from bot.core.clock import FakeClock
from bot.settings import Settings
from bot.store import open_store
from scheduler import Service

STAGES = ["math", "cs", "ml-concepts", "algorithms", "tools", "projects", "interview"]
TRACK_OF = {
    "math": "fundamentals",
    "cs": "fundamentals",
    "ml-concepts": "ml-core",
    "algorithms": "ml-core",
    "tools": "ml-core",
    "projects": "ml-core",
    "interview": "interview",
}


def fixture_lessons(per_stage: int = 2) -> list[Lesson]:
    out = []
    for stage in STAGES:
        for i in range(per_stage):
            out.append(
                Lesson(
                    id=f"{stage}-{i}",
                    source="authored",
                    stage=stage,
                    tracks=(TRACK_OF[stage], "mixed"),
                    topic=f"{stage} topic {i}",
                    study=f"Study {stage} part {i}.",
                    question=f"What is the key idea of {stage} part {i}?",
                    resource="coursera",
                )
            )
    return out


def fixture_content(real: Content) -> Content:
    """Real resources with a small, known curriculum (the real one is still being written)."""
    return Content({"resources": list(real.resources), "curriculum": fixture_lessons()})


async def instance(
    url: str,
    clock: FakeClock,
    content: Content,
    ports,
    *,
    owner: str,
    grace_hours: float = 6.0,
    **kw,
):
    async def no_sleep(_seconds: float) -> None:
        return None

    settings = Settings(DAILY_GRACE_HOURS=grace_hours)
    services = build_services(settings, clock=clock, content=content)
    services.store = await open_store(url, default_timezone="UTC", migrate_schema=False)
    if "sleep" not in kw:
        kw["sleep"] = no_sleep
        # A heartbeat on a sleep that never waits would spin; these tests move the clock.
        kw.setdefault("heartbeat", timedelta(0))
    svc = Service(services, ports=list(ports), owner=owner, limits={}, **kw)
    services.scheduler = svc
    return services, svc


async def close(services) -> None:
    if services.scheduler is not None:
        await services.scheduler.stop()
    await services.store.close()


@contextlib.asynccontextmanager
async def console_with_scheduler(db_url: str, content: Content, t0):
    """A console admin session on a real store and scheduler at fake time ``t0``: yields
    ``(services, session, out, clock)``; scheduled posts are printed to ``out``."""
    import io

    from bot.adapters.console import ConsoleDelivery, ConsoleSession
    from bot.core.context import Member

    clock = FakeClock(t0)
    services = build_services(Settings(), clock=clock, content=content)
    services.store = await open_store(db_url, default_timezone="UTC")
    services.scheduler = Service(services)
    out = io.StringIO()
    session = ConsoleSession(services, Member("ada", "Ada", is_admin=True))
    services.scheduler.register_delivery(ConsoleDelivery(out, session))
    try:
        yield services, session, out, clock
    finally:
        await services.scheduler.stop()
        await services.store.close()
