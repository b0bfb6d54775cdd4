"""Liveness and readiness over HTTP, for container healthchecks and load balancers.

- ``GET /healthz``: 200 while the process serves requests (liveness).
- ``GET /readyz``: 200 when the database answers ``SELECT 1`` (and, for a SQLite file, it is
  still the file opened at start-up) and the daily-prompt scheduler is running; otherwise 503.
  The body is JSON: ``{"ready": bool, "database": str, "scheduler": str}``.

Slack's HTTP mode serves both on its own server (``SLACK_PORT``); every other process (Discord,
Socket Mode) gets a small aiohttp server on ``HEALTH_PORT`` when it is set.
"""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from bot.core.context import Services

log = logging.getLogger(__name__)

CHECK_SECONDS = 3.0


async def readiness(services: Services) -> dict[str, object]:
    """``{"ready": bool, "database": "ok" | why not, "scheduler": "running" | "stopped"}``."""
    database = await _database(services)
    aps = getattr(services.scheduler, "_aps", None)
    scheduler = "running" if aps is not None and aps.running else "stopped"
    return {
        "ready": database == "ok" and scheduler == "running",
        "database": database,
        "scheduler": scheduler,
    }


async def _database(services: Services) -> str:
    store = services.store
    if store is None:
        return "not connected"
    from bot.store.engine import describe_error, sqlite_file

    file = sqlite_file(store.engine)
    if file is not None and file.verify() is not None:
        return "SQLite file lost"
    try:
        async with asyncio.timeout(CHECK_SECONDS):
            async with store.engine.connect() as conn:
                await conn.exec_driver_sql("SELECT 1")
    except Exception as exc:
        return describe_error(exc, services.settings.database_url)
    return "ok"


def add_routes(app: web.Application, services: Services) -> None:
    """Add ``/healthz`` and ``/readyz`` for ``services`` to ``app``."""

    async def healthz(_: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def readyz(_: web.Request) -> web.Response:
        state = await readiness(services)
        return web.json_response(state, status=200 if state["ready"] else 503)

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)


async def start_server(services: Services, host: str, port: int) -> tuple[web.AppRunner, int]:
    """Serve the two routes on ``host:port``; returns the runner and the bound port."""
    app = web.Application()
    add_routes(app, services)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    log.info("health: http://%s:%s/healthz and /readyz", host, bound)
    return runner, bound
