"""The one timezone parser every command uses (/daily subscribe, /profile timezone, …).

Accepts, case-insensitively:

* an IANA name: ``Europe/Berlin``, ``america/new york`` → as spelled in the tz database;
* a city of the tz database: ``berlin`` → ``Europe/Berlin``, ``new york`` →
  ``America/New_York``; a name two different zones share (``pacific``: US/Pacific or
  Canada/Pacific) is ambiguous and the member is asked which;
* a fixed offset: ``UTC``, ``GMT``, ``Z``, ``UTC+2``, ``GMT-05:30``, ``+01:00`` →
  ``UTC`` or ``UTC±HH:MM``.

A typo is never taken for a timezone (a timezone is a setting that decides when posts go
out): it gets "did you mean". The tz database is the ``tzdata`` package's (pinned).
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from zoneinfo import ZoneInfoNotFoundError

from bot.core.errors import UserError
from bot.core.lookup import Resolver, did_you_mean, fold, join_or
from bot.core.safety import neutralize

UTC_NAMES = {"utc", "gmt", "z", "zulu", "utc+0", "utc-0", "gmt+0", "gmt-0", "utc+00:00"}
_OFFSET = re.compile(r"^(?:utc|gmt)?\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?$")
_LEGACY = ("posix/", "right/", "SystemV/")


def parse_timezone(text: str) -> str:
    """The canonical timezone ``text`` names: an IANA name as the tz database spells it,
    ``"UTC"``, or ``"UTC±HH:MM"`` (offsets from UTC-14:00 to UTC+14:00).

    Raises UserError naming what was typed, with "did you mean" or the choices of an
    ambiguous city."""
    raw = " ".join(str(text).strip().split())
    low = raw.lower()
    if low in UTC_NAMES:
        return "UTC"
    m = _OFFSET.match(low)
    if m and (low.startswith(("utc", "gmt")) or low[:1] in "+-"):
        sign, hours, minutes = m.group(1), int(m.group(2)), int(m.group(3) or 0)
        if hours > 14 or minutes >= 60 or (hours == 14 and minutes):
            raise UserError(
                f"“{neutralize(raw, 30)}” is out of range: offsets go from UTC-14:00 to UTC+14:00."
            )
        if hours == 0 and minutes == 0:
            return "UTC"
        return f"UTC{sign}{hours:02d}:{minutes:02d}"
    exact = _zone_names().get(low.replace(" ", "_"))
    if exact:
        return exact
    hits = _resolver().candidates(raw, typos=False)
    if len(hits) == 1:
        return hits[0].item
    shown = neutralize(raw, 40)
    if hits and len({_link_groups().get(m.item, (m.item,)) for m in hits}) == 1:
        return sorted(m.item for m in hits)[0]  # several names of one zone (US/Samoa)
    if hits:
        names = sorted(m.item for m in hits)
        raise UserError(f"“{shown}” could be {join_or(names)}: which one? Give the full name.")
    near = _resolver().suggest(raw, 3) if fold(raw) else []
    raise UserError(
        f"“{shown}” isn't a timezone I know.{did_you_mean(near)} Use a city like Berlin, an "
        "IANA name like Europe/Berlin or America/New_York, or an offset like UTC+2."
    )


def iana_name(canonical: str) -> str:
    """An IANA name for a canonical timezone, for storage that needs one (``ZoneInfo``):
    ``UTC+02:00`` → ``Etc/GMT-2`` (POSIX signs are inverted). Raises UserError for an offset
    with minutes, which no IANA name has."""
    if not canonical.startswith("UTC") or canonical == "UTC":
        return canonical
    sign, hours, minutes = canonical[3], int(canonical[4:6]), int(canonical[7:9])
    if minutes:
        raise UserError(
            f"{canonical} has no IANA name; use your city instead (e.g. Asia/Kolkata for "
            "UTC+05:30)."
        )
    return f"Etc/GMT{'-' if sign == '+' else '+'}{hours}"


def warm_up() -> None:
    """Build the city table now (a worker thread at start-up) rather than on first use."""
    _resolver()


def suggestions() -> list[str]:
    """Every IANA name, most-used regions first, for autocomplete."""
    return sorted(
        (z for z in _zone_names().values() if "/" in z and not z.startswith(("Etc/", *_LEGACY))),
        key=lambda z: (z.split("/")[0] not in _REGIONS, z),
    )


_REGIONS = {"Europe", "America", "Asia", "Africa", "Australia", "Pacific", "Atlantic", "Indian"}


def is_zone(name: str) -> bool:
    """Whether ``name`` is a real zone of the tz database, exactly as spelled (``Europe/Berlin``,
    ``UTC``); not a file that merely sits in a zoneinfo folder (``localtime``, ``posixrules``)
    nor ``Factory``, the placeholder zone whose time is "local time zone must be set"."""
    return _zone_names().get(name.lower()) == name


@lru_cache(maxsize=1)
def _zone_names() -> dict[str, str]:
    """Lowercased → spelled name of every zone the ``tzdata`` package lists (its ``zones``
    file), without the legacy folders and ``Factory``. The system's zoneinfo folder can hold
    other files (``localtime``), which ``available_timezones`` would return too."""
    listed = (resources.files("tzdata") / "zones").read_text(encoding="utf-8").split()
    return {z.lower(): z for z in listed if z != "Factory" and not z.startswith(_LEGACY)}


@lru_cache(maxsize=1)
def _resolver() -> Resolver[str]:
    """Zones by full name and by city (the last part: ``berlin``, ``new york``). A name that
    is only a link (America/Buenos_Aires, US/Pacific) counts as the equal zone zone.tab lists
    (America/Argentina/Buenos_Aires, America/Los_Angeles); a city two different zones share
    ("pacific": US/Pacific and Canada/Pacific) stays ambiguous."""
    canonical = _canonical_zones()
    same = _link_groups()
    entries: list[tuple[str, str, list[str]]] = []
    for name in sorted(_zone_names().values()):
        if "/" not in name or name.startswith("Etc/"):
            continue
        city = name.rsplit("/", 1)[1].replace("_", " ")
        target = name
        if name not in canonical:  # a link: the equal zone.tab zone of the same city, or the
            # only equal one; else it keeps its own name (US/Eastern is not "America/Nassau")
            equal = [z for z in same.get(name, ()) if z in canonical]
            same_city = [z for z in equal if z.endswith("/" + name.rsplit("/", 1)[1])]
            if same_city or len(equal) == 1:
                target = (same_city or equal)[0]
        entries.append((target, target, [name, city]))
    return Resolver(entries)


@lru_cache(maxsize=1)
def _canonical_zones() -> frozenset[str]:
    try:
        tab = resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text()
    except (FileNotFoundError, ModuleNotFoundError):  # pragma: no cover - tzdata is pinned
        return frozenset()
    return frozenset(
        line.split("\t")[2] for line in tab.splitlines() if line and not line.startswith("#")
    )


@lru_cache(maxsize=1)
def _link_groups() -> dict[str, tuple[str, ...]]:
    """Zone → every name of the same zone (a link's tz file is its target's, byte for byte)."""
    by_bytes: dict[bytes, list[str]] = {}
    root = resources.files("tzdata.zoneinfo")
    for name in _zone_names().values():
        try:
            data = root.joinpath(*name.split("/")).read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError, ZoneInfoNotFoundError):
            continue
        by_bytes.setdefault(data, []).append(name)
    return {n: tuple(group) for group in by_bytes.values() for n in group}
