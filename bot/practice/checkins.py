"""Which daily-prompt check-ins count.

A prompt's button carries its id, ``s<subscription>-<YYYYMMDD>`` (``scheduler.prompt``). A
check-in counts only when that subscription belongs to this workspace and channel, the
scheduler recorded a delivery of it for that local date (``daily_deliveries``), and the press
comes during that local day (the subscription's timezone) or within ``GRACE`` after it.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, tzinfo

GRACE = timedelta(hours=3)
# Delivery states in which the prompt was (or is being) posted; skipped, missed and failed
# days never showed a button.
# A post exists (or may: ``sending``/``uncertain``) once the owner has called the platform;
# ``claimed`` means nothing was sent yet, so no button can exist.
DELIVERED = ("sending", "sent", "uncertain", "reconciled")
# ``daily_deliveries.kind`` of a daily prompt; the other kind, the weekly recap, carries no
# check-in button and never makes a day count.
PROMPT_KIND = "prompt"
# ASCII digits only and no leading zero: one prompt has exactly one spelling, so the UNIQUE
# (member, prompt) constraint can't be dodged with "s01-…", "s١-…" or full-width digits.
_ID = re.compile(r"s([1-9][0-9]{0,17})-([0-9]{8})")


def parse_prompt_id(prompt_id: str) -> tuple[int, date] | None:
    """``(subscription id, local date)`` from a prompt id, or None if it isn't one (only the
    canonical spelling ``canonical_id`` writes is accepted)."""
    m = _ID.fullmatch(prompt_id)
    if m is None:
        return None
    try:
        parsed = int(m.group(1)), datetime.strptime(m.group(2), "%Y%m%d").date()
    except ValueError:
        return None
    return parsed if canonical_id(*parsed) == prompt_id else None


def canonical_id(subscription_id: int, day: date) -> str:
    """The one spelling of a prompt id (``scheduler.prompt.delivery_key``'s format)."""
    return f"s{subscription_id}-{day:%Y%m%d}"


def window(day: date, tz: tzinfo, grace: timedelta = GRACE) -> tuple[datetime, datetime]:
    """The instants (aware) between which a check-in on ``day``'s prompt counts."""
    start = datetime.combine(day, time(0), tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tz)
    return start, end + grace
