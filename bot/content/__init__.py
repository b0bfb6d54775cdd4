"""Validated content, indexed for the commands: lookups by topic/country/kind and search."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process

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

__all__ = ["AUTHORED_LABEL", "Content", "ContentInvalid", "CountryMatch", "norm", "with_note"]

AUTHORED_LABEL = "authored by the MLE study bot team"


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
        self.index = SearchIndex(list(self._docs()))

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
        """Salary figures for a country by name, code, alias or a close typo."""
        key = norm(text)
        if not key:
            return None
        exact = self._country_keys.get(key)
        if exact:
            return CountryMatch(exact, self.by_country[exact], True)
        hit = process.extractOne(key, list(self._country_keys), scorer=fuzz.WRatio, score_cutoff=85)
        if hit and len(key) >= 4:
            name = self._country_keys[hit[0]]
            return CountryMatch(name, self.by_country[name], False)
        return None

    def suggest_countries(self, text: str, limit: int = 3) -> list[str]:
        hits = process.extract(norm(text), list(self._country_keys), scorer=fuzz.WRatio, limit=10)
        names = [self._country_keys[k] for k, s, _ in hits if s >= 50]
        return list(dict.fromkeys(names))[:limit]

    # -- building ------------------------------------------------------------------------

    def _build_country_index(self) -> None:
        countries: dict[str, list[Salary]] = defaultdict(list)
        keys: dict[str, str] = {}
        for s in self.salaries:
            countries[s.country].append(s)
        for name, figures in countries.items():
            for s in figures:
                for alias in (s.country, s.country_code, s.region or "", *s.aliases):
                    if alias and norm(alias):
                        keys.setdefault(norm(alias), name)
        self.by_country = {k: tuple(v) for k, v in sorted(countries.items())}
        self._country_keys = keys

    def _docs(self):
        def kw(*parts: object) -> str:
            return " ".join(str(p) for p in parts if p)

        for g in self.guides.values():
            yield Doc("guide", g.id, g.title, g.note or g.file, g.source, kw(g.file, g.publisher))

        for s in self.skills:
            body = s.description + (f" Why it matters: {s.why}" if s.why else "")
            yield Doc("skill", s.id, s.name, body, s.source, kw(s.category, *s.tags))
        for r in self.resources:
            body = " · ".join(
                x for x in (r.kind, r.provider, ", ".join(r.authors), r.description) if x
            )
            yield Doc("resource", r.id, r.title, body, r.source, kw(*r.topics, *r.tags))
        for q in self.interview:
            yield Doc(
                "interview",
                q.id,
                q.question,
                f"{q.topic} · {q.difficulty}",
                q.source,
                kw(*q.outline, *q.tags),
            )
        for s in self.salaries:
            body = s.note or f"{s.currency} {s.average or ''}"
            yield Doc(
                "salary",
                s.id,
                f"Salary in {s.country}",
                body,
                s.source,
                kw("salary pay", s.country_code, s.region, *s.aliases, s.currency, s.provider),
            )
        for c in self.career:
            body = " ".join([c.text or "", *c.points])
            yield Doc("career", c.id, c.title, body, c.source, kw(c.kind, *c.tags))
        for q in self.quiz:
            # Options but not the explanation: a search must not give the answer away.
            yield Doc(
                "quiz", q.id, q.question, " / ".join(q.options), q.source, kw(q.topic, *q.tags)
            )
        for lesson in self.curriculum:
            yield Doc(
                "lesson",
                lesson.id,
                lesson.topic,
                lesson.study,
                lesson.source,
                kw(lesson.stage, lesson.question, *lesson.tags),
            )
