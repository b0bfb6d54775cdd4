"""Command families, one module each. Importing this package registers them all."""

from bot.commands import career, help, interview, resources, salary, search, skills  # noqa: F401
