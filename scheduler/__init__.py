"""Daily study prompts: subscriptions → timezone-aware triggers → claim → post.

See docs/scheduler.md. ``scheduler.Service`` is what the app runs (``services.scheduler``).
"""


def __getattr__(name: str):
    # Loaded on first use: the service pulls in SQLAlchemy and APScheduler, which the
    # command modules (importing scheduler.timespec and friends) don't need.
    if name in ("Service", "TickReport"):
        from scheduler import service

        return getattr(service, name)
    raise AttributeError(f"module 'scheduler' has no attribute {name!r}")


__all__ = ["Service", "TickReport"]
