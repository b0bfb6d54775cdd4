"""Validated content, indexed for the commands: lookups by topic/country/kind and search."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from bot.content.loader import ContentError, load_dir
from bot.content.schema import (
    AUTHORED,
    CareerFact,
    Guide,
    InterviewQuestion,
    Item,
    Lesson,
    QuizQuestion,
    Resource,
    Salary,
    Skill,
)
from bot.content.search import Doc, SearchIndex
from bot.core.lookup import Resolver, fold

__all__ = [
    "AUTHORED_LABEL",
    "Content",
    "ContentInvalid",
    "CountryLookup",
    "CountryMatch",
    "norm",
    "with_note",
]

AUTHORED_LABEL = "authored by the MLE study bot team"


# Words between two countries that join them ("uk vs germany", "spain and france").
CONNECTORS = frozenset({"vs", "v", "versus", "and", "or", "with", "to", "compared"})


class ContentInvalid(Exception):
    def __init__(self, errors: list[ContentError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


@lru_cache(maxsize=4096)
def norm(text: str) -> str:
    """Lowercase, accents and punctuation removed, spaces collapsed: a lookup key."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def with_note(text: str, item: object) -> str:
    """``text`` plus the item's editor's note, where the guide is wrong or dated.

    Only notes marked ``note_source: authored`` count (a salary's ``note`` is the guide's own
    wording and is not one). The note is labelled as the team's, never as the guide's.
    """
    note = getattr(item, "note", None)
    if not note or getattr(item, "note_source", None) != AUTHORED:
        return text
    return (text + "\n" if text else "") + f"Editor's note ({AUTHORED_LABEL}): {note}"


@dataclass(frozen=True)
class CountryMatch:
    key: str  # the country's display name
    figures: tuple[Salary, ...]
    exact: bool
    code: str = ""  # ISO 3166-1 alpha-2


@dataclass(frozen=True)
class CountryLookup:
    """What a typed country name resolved to. Exactly one of: ``match`` (a country with
    figures), ``uncovered`` (a real country the guides give no figures for, by its English
    name), ``ambiguous`` (several countries fit equally well), or none of them (not a
    country I know; ``suggestions`` are covered countries that look alike)."""

    match: CountryMatch | None = None
    uncovered: str | None = None
    ambiguous: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()
    by_code: bool = False  # ``uncovered`` was reached by its ISO code ("sa" → Saudi Arabia)


class Content:
    """All content items plus the indexes commands need. Immutable after start-up."""

    def __init__(self, items: dict[str, list[Item]]) -> None:
        self.skills: tuple[Skill, ...] = tuple(items.get("skills", ()))  # type: ignore[arg-type]
        self.resources: tuple[Resource, ...] = tuple(items.get("resources", ()))  # type: ignore[arg-type]
        self.interview: tuple[InterviewQuestion, ...] = tuple(items.get("interview", ()))  # type: ignore[arg-type]
        self.salaries: tuple[Salary, ...] = tuple(items.get("salaries", ()))  # type: ignore[arg-type]
        self.career: tuple[CareerFact, ...] = tuple(items.get("career", ()))  # type: ignore[arg-type]
        self.quiz: tuple[QuizQuestion, ...] = tuple(items.get("quiz", ()))  # type: ignore[arg-type]
        self.curriculum: tuple[Lesson, ...] = tuple(items.get("curriculum", ()))  # type: ignore[arg-type]
        self.guides: dict[str, Guide] = {g.file: g for g in items.get("guides", ())}  # type: ignore[attr-defined]
        self.by_id: dict[tuple[str, str], Item] = {
            (kind, it.id): it for kind, its in items.items() for it in its
        }
        self._build_country_index()

    @cached_property
    def index(self) -> SearchIndex:
        """The search index, built on first use (about 0.1 s) so start-up doesn't wait for it."""
        return SearchIndex(list(self._docs()))

    @classmethod
    def load(cls, directory: Path | None = None) -> Content:
        """Load and validate content; raise ContentInvalid listing every problem."""
        result = load_dir(directory)
        if result.errors:
            raise ContentInvalid(result.errors)
        return cls(result.items)

    # -- lookups -------------------------------------------------------------------------

    def cite(self, source: str, *, file: bool = False) -> str:
        """How a member sees a ``source``: the guide's title, or that the team authored it.

        ``source`` is a guide file name (``002_3ef0363f478912e4.txt``) or ``authored``.
        ``file=True`` adds the file name in brackets, for footers and figures people check.
        A file with no entry in guides.yaml is shown as its file name, never dropped.
        """
        if source == AUTHORED:
            return AUTHORED_LABEL
        guide = self.guides.get(source)
        if guide is None:
            return source
        return f"{guide.title} ({guide.file})" if file else guide.title

    def get(self, kind: str, item_id: str) -> Item | None:
        return self.by_id.get((kind, item_id))

    def skill_categories(self) -> list[str]:
        return sorted({s.category for s in self.skills})

    def resource_topics(self) -> list[str]:
        counts: dict[str, int] = defaultdict(int)
        for r in self.resources:
            for t in r.topics:
                counts[t] += 1
        return sorted(counts, key=lambda t: (-counts[t], t))

    def resource_kinds(self) -> list[str]:
        return sorted({r.kind for r in self.resources})

    def interview_topics(self) -> list[str]:
        return sorted({q.topic for q in self.interview})

    def quiz_topics(self) -> list[str]:
        return sorted({q.topic for q in self.quiz})

    def countries(self) -> list[str]:
        return list(self.by_country)

    def find_country(self, text: str) -> CountryMatch | None:
        """Salary figures for a country by name (in English or one of
        ``bot.core.territories.LANGUAGES``), ISO code, alias or a close typo; None when the
        guides have no figures for what was typed (see ``lookup_country`` for why)."""
        return self.lookup_country(text).match

    def lookup_country(self, text: str) -> CountryLookup:
        """Resolve a typed country (see ``bot.core.lookup`` for the rules) and say why not.

        Order: an exact name, alias or ISO code of a covered country; another country's bare
        ISO code ("sa" → Saudi Arabia, "at"); an exact English name of any country
        (covered, or "uncovered"); an exact name in one of CLDR's other languages
        (``bot.core.territories.LANGUAGES``, loaded on first need); a close typo of a covered
        country's name or alias; a close typo of any country's English name ("uncovered").
        Else nothing, with suggestions. A real country is never answered with another's
        figures."""
        from bot.core import territories

        exact = self._countries.candidates(text, typos=False)
        if exact:
            return self._country_answer(exact)
        key = fold(text)
        code = key.upper()
        if len(code) == 2 and code in territories.english_names():
            # A bare ISO code ("sa", "at") of a country without figures: say whose code it
            # is, and offer covered countries with those initials ("sa" → South Africa).
            initials = [
                n for n in self.countries() if "".join(w[0] for w in fold(n).split()) == key
            ]
            return CountryLookup(
                uncovered=territories.english_name(code), by_code=True, suggestions=tuple(initials)
            )
        steps = (
            lambda: self._english().candidates(text, typos=False),
            # Other languages' names before any typo: "Alemania" is 2 edits from Albania,
            # "Russie" 1 from "aussie", but each is exactly some language's name.
            lambda: self._localized().candidates(text, typos=False),
            lambda: self._countries.candidates(text),
            lambda: self._english().candidates(text),
        )
        for step in steps:
            hits = step()
            if hits:
                return self._country_answer(hits)
        if key.startswith("the "):  # "the netherlands", "the uk"
            return self.lookup_country(key[4:])
        return CountryLookup(suggestions=tuple(self.suggest_countries(text)))

    def _country_answer(self, hits: list) -> CountryLookup:
        codes = list(dict.fromkeys(m.item for m in hits))
        if len(codes) > 1:
            from bot.core.territories import english_name

            names = [self._code_names.get(c) or english_name(c) for c in codes]
            return CountryLookup(ambiguous=tuple(names))
        m = hits[0]
        name = self._code_names.get(m.item)
        if name is None:
            from bot.core.territories import english_name

            return CountryLookup(uncovered=english_name(m.item))
        return CountryLookup(match=CountryMatch(name, self.by_country[name], m.exact, m.item))

    def split_countries(self, text: str) -> list[str]:
        """The covered countries named one after another in ``text`` ("uk germany france",
        "uk vs germany" → United Kingdom, Germany, …), or [] unless every word but the
        ``CONNECTORS`` belongs to one."""
        words = [w for w in fold(text).split() if w not in CONNECTORS]
        out: list[str] = []
        i = 0
        while i < len(words):
            for j in range(len(words), i, -1):
                hit = self.find_country(" ".join(words[i:j]))
                if hit is not None and (j - i > 1 or hit.exact):
                    out.append(hit.key)
                    i = j
                    break
            else:
                return []
        return out

    def suggest_countries(self, text: str, limit: int = 3) -> list[str]:
        """Covered countries whose names look like ``text`` (for "did you mean")."""
        return self._countries.suggest(text, limit)

    # -- building ------------------------------------------------------------------------

    def _build_country_index(self) -> None:
        countries: dict[str, list[Salary]] = defaultdict(list)
        self.general_salaries: tuple[Salary, ...] = tuple(
            s for s in self.salaries if s.country is None
        )
        for s in self.salaries:
            if s.country is not None:
                countries[s.country].append(s)
        self.by_country = {k: tuple(v) for k, v in sorted(countries.items())}
        self._code_names = {v[0].country_code: k for k, v in self.by_country.items()}
        entries = []
        for name, figures in self.by_country.items():
            aliases = [a for s in figures for a in (s.country_code, s.region, *s.aliases) if a]
            entries.append((figures[0].country_code, name, list(dict.fromkeys(aliases))))
        self._countries: Resolver[str] = Resolver(entries)
        self._english_resolver: Resolver[str] | None = None
        self._localized_resolver: Resolver[str] | None = None

    def _english(self) -> Resolver[str]:
        """Every country by its English name (CLDR), typos allowed. Built on first use."""
        if self._english_resolver is None:
            from bot.core import territories

            self._english_resolver = Resolver(
                (code, name, ()) for code, name in territories.english_names().items()
            )
        return self._english_resolver

    def _localized(self) -> Resolver[str]:
        """Every country by its names in CLDR's other languages, exact only (a typo of one
        language's name may be another's name for a different country). Built on first use
        (about a second; ``warm_up`` does it off the event loop at start-up)."""
        if self._localized_resolver is None:
            from bot.core import territories

            self._localized_resolver = Resolver(
                (),
                extra=(
                    (code, code, names) for code, names in territories.localized_names().items()
                ),
            )
        return self._localized_resolver

    def warm_up(self) -> None:
        """Build the lazy lookup tables now (call from a worker thread at start-up)."""
        self._english()
        self._localized()

    def _docs(self):
        def kw(*parts: object) -> str:
            return " ".join(str(p) for p in parts if p)

        for g in self.guides.values():
            yield Doc("guide", g.id, g.title, g.note or g.file, g.source, kw(g.file, g.publisher))

        for s in self.skills:
            body = s.description + (f" Why it matters: {s.why}" if s.why else "")
            yield Doc("skill", s.id, s.name, body, s.source, tags=kw(s.category, *s.tags))
        for r in self.resources:
            body = " · ".join(
                x for x in (r.kind, r.provider, ", ".join(r.authors), r.description) if x
            )
            yield Doc("resource", r.id, r.title, body, r.source, tags=kw(*r.topics, *r.tags))
        for q in self.interview:
            yield Doc(
                "interview",
                q.id,
                q.question,
                f"{q.topic} · {q.difficulty}",
                q.source,
                kw(*q.outline),
                tags=kw(*q.tags),
            )
        for s in self.salaries:
            body = s.note or f"{s.currency} {s.average or ''}"
            yield Doc(
                "salary",
                s.id,
                f"Salary in {s.country}" if s.country else "Salary range (no country named)",
                body,
                s.source,
                kw(s.currency, s.provider),
                tags=kw("salary pay", s.country_code, s.region, *s.aliases),
            )
        for c in self.career:
            body = " ".join([c.text or "", *c.points])
            yield Doc("career", c.id, c.title, body, c.source, tags=kw(c.kind, *c.tags))
        for q in self.quiz:
            # Options are indexed, never shown, and the explanation not even indexed: a search
            # must not give the answer away.
            yield Doc(
                "quiz",
                q.id,
                q.question,
                f"{q.topic} · {q.difficulty}",
                q.source,
                " / ".join(q.options),
                tags=kw(q.topic, *q.tags),
            )
        for lesson in self.curriculum:
            yield Doc(
                "lesson",
                lesson.id,
                lesson.topic,
                lesson.study,
                lesson.source,
                lesson.question,
                tags=kw(lesson.stage, *lesson.tags),
            )
