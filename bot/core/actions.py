"""Button action ids: ``name|arg|arg``, at most 100 characters (Discord's custom_id limit).

Ids are stateless so buttons keep working after a restart: the id alone says what to do.
A longer id (a paginated search with a long query) is kept in the services' memo under a
short hash key; such a button works for the life of the process.
"""

from __future__ import annotations

import hashlib

from bot.core.context import Services

SEP = "|"
MAX_ID = 100
PREFIX = "mle"  # lets adapters tell our components from anyone else's


def encode(services: Services | None, name: str, *args: object) -> str:
    raw = SEP.join([PREFIX, name, *(str(a).replace(SEP, "/") for a in args)])
    if len(raw) <= MAX_ID:
        return raw
    key = hashlib.blake2b(raw.encode(), digest_size=12).hexdigest()
    if services is not None:
        services.memo[key] = raw
    return SEP.join([PREFIX, "memo", key])


def decode(services: Services | None, action_id: str) -> tuple[str, list[str]] | None:
    """``(name, args)`` for one of our ids, or None for anything else."""
    parts = action_id.split(SEP)
    if len(parts) < 2 or parts[0] != PREFIX:
        return None
    if parts[1] == "memo" and len(parts) == 3:
        raw = services.memo.get(parts[2]) if services is not None else None
        if raw is None:
            return None
        parts = raw.split(SEP)
    return parts[1], parts[2:]
