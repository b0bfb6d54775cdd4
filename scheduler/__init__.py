"""Daily study prompts: subscriptions → timezone-aware triggers → claim → post.

See docs/scheduler.md. ``scheduler.Service`` is what the app runs (``services.scheduler``).
"""

from scheduler.service import Service, TickReport

__all__ = ["Service", "TickReport"]
