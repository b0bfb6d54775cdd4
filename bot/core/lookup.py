"""One way to look a name up, used by every lookup (countries, skills, resources, topics,
choices, groups, timezones, subcommands).

A lookup answers in one of three ways and never substitutes one thing for another:

1. an **exact hit** on a full name or alias (case, accents, punctuation and spacing ignored:
   ``"All-Time"`` = ``"all time"`` = ``"alltime"``);
2. a **close typo** of a full name or alias: at most ``max_typos(len)`` edits (optimal string
   alignment distance: insert, delete, substitute, swap two neighbours) — 0 for keys of up to
   3 characters, 1 up to 7, 2 beyond — and only when a single item is that close;
3. **not found**, with suggestions the caller shows as "did you mean …".

Suggestions may be loose (they are offered, never acted on); answers may not. There is no
partial or token-set scoring on the answer path, so a short alias ("us", "es") can never win
against a longer input ("austria", "indonesia").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Generic, TypeVar

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

T = TypeVar("T")

SUGGEST_CUTOFF = 60  # WRatio for "did you mean": loose on purpose, never used to answer


@lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """A lookup key: accents dropped, casefolded, punctuation as spaces, spaces collapsed.

    ``fold("États-Unis")`` → ``"etats unis"``; ``fold("U.S.A.")`` → ``"u s a"``. ``+`` and
    ``#`` are kept: "C++" and "C" are different skills, "UTC+2" is not "UTC 2".
    """
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return " ".join(_PUNCT.sub(" ", text).split())


_PUNCT = re.compile(r"[^\w\s+#]|_")


def compact(key: str) -> str:
    """A folded key without spaces: ``"u s a"`` → ``"usa"``, ``"all time"`` → ``"alltime"``."""
    return key.replace(" ", "")


def max_typos(length: int) -> int:
    """How many edits a typed key of ``length`` characters may be from a name to still match."""
    if length <= 3:
        return 0
    if length <= 7:
        return 1
    return 2


@dataclass(frozen=True)
class Match(Generic[T]):
    """A lookup's answer: the item, its display name, and how the input reached it."""

    item: T
    name: str  # the item's display name
    key: str  # the folded name or alias that matched
    distance: int  # edits between the folded input and ``key``; 0 = exact

    @property
    def exact(self) -> bool:
        return self.distance == 0


@dataclass(frozen=True)
class _Entry(Generic[T]):
    item: T
    name: str


class Resolver(Generic[T]):
    """Names and aliases of a set of items, resolved the same way everywhere.

    ``entries`` are ``(item, display name, aliases)``. ``extra`` are further names matched
    exactly only (never by typo): e.g. a country's names in a hundred languages, where a typo
    of one language's name could be another language's name for a different country.
    Items are compared by equality: two names of the same item never make a lookup ambiguous.
    """

    def __init__(
        self,
        entries: Iterable[tuple[T, str, Iterable[str]]],
        extra: Iterable[tuple[T, str, Iterable[str]]] = (),
    ) -> None:
        self._entries: list[_Entry[T]] = []
        self._index: dict[object, int] = {}  # item → entry (hashable items)
        self._keys: dict[str, list[int]] = {}  # folded name/alias → entry indexes (typo-able)
        self._exact_only: dict[str, list[int]] = {}
        for table, source in ((self._keys, entries), (self._exact_only, extra)):
            for item, name, aliases in source:
                idx = self._entry(item, name)
                for alias in (name, *aliases):
                    key = fold(alias)
                    if not key:
                        continue
                    for k in dict.fromkeys((key, compact(key))):
                        slot = table.setdefault(k, [])
                        if idx not in slot:
                            slot.append(idx)
        self._key_list = list(self._keys)

    def _entry(self, item: T, name: str) -> int:
        try:
            known = self._index.get(item)  # type: ignore[arg-type]
        except TypeError:  # an unhashable item: compare one by one
            known = next((i for i, e in enumerate(self._entries) if e.item == item), None)
        if known is not None:
            return known
        self._entries.append(_Entry(item, name))
        idx = len(self._entries) - 1
        try:
            self._index[item] = idx  # type: ignore[index]
        except TypeError:
            pass
        return idx

    # -- answers ----------------------------------------------------------------------------

    @property
    def names(self) -> list[str]:
        """Every item's display name, in the order they were given."""
        return [e.name for e in self._entries]

    def resolve(self, text: str) -> Match[T] | None:
        """The one item ``text`` names exactly or by a close typo; None otherwise
        (unknown, or ambiguous: two items equally close)."""
        hits = self.candidates(text)
        return hits[0] if len(hits) == 1 else None

    def candidates(self, text: str, typos: bool = True) -> list[Match[T]]:
        """Every item at the best distance from ``text`` within the typo threshold (one item:
        a clear answer; several: an ambiguity to ask about; none: not found). ``typos=False``
        looks for exact hits only."""
        key = fold(text)
        if not key:
            return []
        # "U.S.A." may be typed as "usa"; but two words typed apart ("z à") are not a code.
        forms = (key,) if any(ch.isspace() for ch in text.strip()) else (key, compact(key))
        for table in (self._keys, self._exact_only):
            for k in dict.fromkeys(forms):
                if k in table:
                    return [self._match(i, k, 0) for i in table[k]]
        limit = max_typos(len(key)) if typos else 0
        if limit == 0 or not self._key_list:
            return []
        hits = process.extract(
            key, self._key_list, scorer=OSA.distance, score_cutoff=limit, limit=None
        )
        if not hits:
            return []
        best = min(d for _, d, _ in hits)
        out: dict[int, Match[T]] = {}
        for k, d, _ in hits:
            if d == best:
                for i in self._keys[k]:
                    out.setdefault(i, self._match(i, k, int(d)))
        return list(out.values())

    def _match(self, idx: int, key: str, distance: int) -> Match[T]:
        e = self._entries[idx]
        return Match(e.item, e.name, key, distance)

    def suggest(self, text: str, limit: int = 3) -> list[str]:
        """Display names that look like ``text`` (for "did you mean", never an answer): close
        typos first, then names with a word starting with it ("germ" → Germany), then whole
        names by similarity (rapidfuzz ratio ≥ ``SUGGEST_CUTOFF``)."""
        key = fold(text)
        if not key or not self._key_list:
            return []
        names = [m.name for m in self.candidates(text)]
        if len(key) >= 3:
            for k in self._key_list:
                if k != key and any(w.startswith(key) for w in k.split()):
                    names.extend(self._entries[i].name for i in self._keys[k])
        hits = process.extract(
            key, self._key_list, scorer=fuzz.ratio, score_cutoff=SUGGEST_CUTOFF, limit=limit * 4
        )
        for k, _, _ in hits:
            names.extend(self._entries[i].name for i in self._keys[k])
        return list(dict.fromkeys(names))[:limit]


def resolve_any(text: str, resolvers: Sequence[Resolver]) -> list[Match]:
    """Candidates across several resolvers in priority order (a category before a skill of
    the same name): exact hits of the first resolver that has any; else the typos at the best
    distance across all of them, taken from the first resolver that has typos that close."""
    for r in resolvers:
        hits = r.candidates(text, typos=False)
        if hits:
            return hits
    found = [r.candidates(text) for r in resolvers]
    best = min((m.distance for hits in found for m in hits), default=None)
    for hits in found:
        close = [m for m in hits if m.distance == best]
        if close:
            return close
    return []


def did_you_mean(names: Sequence[str], quote: bool = False) -> str:
    """``" Did you mean A, B or C?"`` (empty for no names)."""
    if not names:
        return ""
    return f" Did you mean {join_or([f'“{n}”' if quote else n for n in names])}?"


def join_or(names: Sequence[str]) -> str:
    """``"A, B or C"``."""
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " or " + names[-1]
