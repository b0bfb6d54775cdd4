"""Command families, one module each. Importing this package registers them all."""

from bot.commands import (  # noqa: F401  # noqa: F401
    career,
    daily,
    groups,
    help,
    interview,
    leaderboard,
    mock,
    profile,
    quiz,
    resources,
    review,
    salary,
    search,
    skills,
    sources,
)
