"""Country names in many languages, from the Unicode CLDR data that Babel ships.

Members type countries in their own words: "Deutschland", "Allemagne", "États-Unis",
"Reino Unido", "Österreich". CLDR (via Babel, installed with the package, nothing downloaded)
names every ISO 3166-1 territory in each language; this module turns those names into ISO
codes, so a lookup can tell "a country the guides don't cover" (Austria) from "not a country".

Loading a language costs about a millisecond, so the table is built once, lazily, on the first
lookup that needs it (exact hits on the content's own names never do).
"""

from __future__ import annotations

import logging
import threading
from functools import lru_cache

log = logging.getLogger(__name__)

# Languages whose country names are recognised. CLDR has ~200; these are the languages with
# the most speakers and those of the countries the guides cover, which keeps the first
# lookup fast. Names are matched exactly (accents and case ignored), never by typo.
LANGUAGES = (
    "en", "de", "fr", "es", "it", "pt", "nl", "sv", "da", "nb", "fi", "pl", "cs", "sk",
    "hu", "ro", "el", "tr", "ru", "uk", "ar", "he", "fa", "hi", "bn", "ur", "id", "ms",
    "vi", "th", "zh", "zh_Hant", "ja", "ko", "sw", "yo", "ha", "ig", "af", "zu", "tl",
    "ca", "hr", "sr", "bg", "lt", "lv", "et", "sl", "ga", "cy", "is", "ta", "te", "mr",
)  # fmt: skip

_lock = threading.Lock()


def _is_country(code: str) -> bool:
    # ISO 3166-1 alpha-2 codes; CLDR also names regions ("001" World, "419" Latin America)
    # and groupings ("EU", "UN", "EZ") that no member means by a country.
    return len(code) == 2 and code.isalpha() and code.isupper() and code not in _NOT_COUNTRIES


_NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "XA", "XB", "XK", "ZZ"}


@lru_cache(maxsize=1)
def english_names() -> dict[str, str]:
    """ISO code → English name (``"AT"`` → ``"Austria"``), every current country."""
    from babel import Locale

    return {c: n for c, n in Locale.parse("en").territories.items() if _is_country(c)}


def english_name(code: str) -> str:
    """The English name of an ISO 3166-1 alpha-2 code (the code itself if CLDR has none)."""
    return english_names().get(code.upper(), code.upper())


@lru_cache(maxsize=1)
def localized_names() -> dict[str, tuple[str, ...]]:
    """ISO code → its names in ``LANGUAGES`` other than English (CLDR's standard, short and
    variant forms: "Vereinigtes Königreich", "Royaume-Uni", "Reino Unido", "UK")."""
    from babel import Locale, UnknownLocaleError

    with _lock:
        names: dict[str, list[str]] = {c: [] for c in english_names()}
        for lang in LANGUAGES:
            try:
                territories = Locale.parse(lang).territories
            except (UnknownLocaleError, ValueError):  # a language CLDR dropped: skip it
                log.warning("CLDR has no locale %s; its country names are skipped", lang)
                continue
            for code, name in territories.items():
                if code in names and name not in names[code]:
                    names[code].append(name)
        return {c: tuple(v) for c, v in names.items()}
