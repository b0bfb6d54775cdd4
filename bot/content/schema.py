"""Schemas for everything in content/.

Every item names where it comes from: ``source`` is either one of the guide file names in
``shared/seeds`` (e.g. ``002_3ef0363f478912e4.txt``) or ``authored`` for material the project
wrote itself. The validator (``python -m bot content check``) loads every file through these
models and reports the file and the item at fault.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

GUIDES = (
    "000_11abb56fa6e17a2a.txt",
    "001_9c783a36976aec48.txt",
    "002_3ef0363f478912e4.txt",
    "003_abde18db6337b033.txt",
)
AUTHORED = "authored"

Source = Literal[
    "000_11abb56fa6e17a2a.txt",
    "001_9c783a36976aec48.txt",
    "002_3ef0363f478912e4.txt",
    "003_abde18db6337b033.txt",
    "authored",
]
GuideSource = Literal[
    "000_11abb56fa6e17a2a.txt",
    "001_9c783a36976aec48.txt",
    "002_3ef0363f478912e4.txt",
    "003_abde18db6337b033.txt",
]

_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,47}$")
ItemId = Annotated[str, Field(min_length=1, max_length=48)]
Short = Annotated[str, Field(min_length=1, max_length=200)]
Text = Annotated[str, Field(min_length=1, max_length=1000)]
Difficulty = Literal["easy", "medium", "hard"]

SkillCategory = Literal[
    "math",  # linear algebra, calculus, statistics, probability, optimization
    "cs",  # data structures, algorithms, complexity, programming languages, architecture
    "ml",  # ML concepts and algorithms, deep learning, NLP, CV
    "data",  # data modeling, wrangling, big data, databases
    "signal-processing",
    "software",  # software engineering, deployment, cloud, MLOps practice
    "tools",  # frameworks and libraries
    "soft-skills",
]

ResourceKind = Literal[
    "course",
    "book",
    "blog",
    "practice",
    "job-platform",
    "community",
    "certification",
    "video",
    "podcast",
    "tool",
    "dataset",
    "paper",
]

InterviewTopic = Literal[
    "ml-concepts",
    "algorithms",
    "math-statistics",
    "data-preprocessing",
    "evaluation",
    "deep-learning",
    "nlp",
    "computer-vision",
    "mlops",
    "system-design",
    "behavioural",
    "coding",
    "career",
    "llm",
    "sql",
    "experimentation",
    "recsys",
    "distributed-training",
]

CareerKind = Literal[
    "role",  # what the role is
    "responsibility",
    "job-description",
    "day-in-life",
    "education",
    "path",  # the career paths A/B/C
    "steps",  # the 5-step and 4-step guides
    "experience",  # experience routes (internships, projects, ...)
    "certification",
    "comparison",  # ML engineer vs data scientist and similar
    "problem-type",
    "industry",
    "project-idea",
    "kpi",
    "challenge",
    "tool",
    "faq",
    "outlook",  # job outlook figures
    "skill-requirement",
    "job-search",
]


class Item(BaseModel):
    """Base of every content item: a stable id, a source and optional tags."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: ItemId
    source: Source
    tags: tuple[str, ...] = ()

    @field_validator("id")
    @classmethod
    def _id_shape(cls, v: str) -> str:
        if not _ID.match(v):
            raise ValueError("id must be lowercase letters, digits and '-', at most 48 chars")
        return v


class EditorialNote(BaseModel):
    """Mixin: the project's own correction or context beside a guide's claim.

    The guide's words stay as its claim; ``note`` says where the guide is wrong or dated and is
    always ``authored`` (``note_source``), so a member can tell the two apart on the card.
    """

    note: Text | None = None
    note_source: Literal["authored"] | None = None

    @model_validator(mode="after")
    def _note_is_marked(self):
        if self.note and self.note_source != AUTHORED:
            raise ValueError("an editorial note needs note_source: authored")
        if self.note_source and not self.note:
            raise ValueError("note_source without a note")
        return self


class Guide(Item):
    """One career guide in shared/seeds: its file name and the title it gives itself.

    ``source`` is the guide file itself. A guide with no title of its own gets a descriptive
    one with ``title_source: authored`` and says so in ``note``.
    """

    file: GuideSource
    title: Short
    title_source: Source
    publisher: Short | None = None  # only where the guide names itself (e.g. its site)
    note: Text | None = None

    @model_validator(mode="after")
    def _own_file(self) -> Guide:
        if self.source != self.file:
            raise ValueError("a guide's source is its own file")
        if self.title_source not in (self.file, AUTHORED):
            raise ValueError("title_source is the guide's own file or authored")
        return self


class Skill(EditorialNote, Item):
    name: Short
    category: SkillCategory
    description: Text
    why: Text | None = None  # why it matters, as the guide says


_HTTPS_URL = re.compile(r"^https://[a-z0-9.-]+\.[a-z]{2,}(/[^\s<>\"']*)?$", re.IGNORECASE)


class Resource(EditorialNote, Item):
    title: Short
    kind: ResourceKind
    provider: Short | None = None  # platform or publisher (Coursera, O'Reilly, ...)
    authors: tuple[Short, ...] = ()
    topics: tuple[str, ...] = Field(min_length=1)
    description: Text | None = None
    # The canonical page (official course or book page, the project's own site). No guide
    # prints a URL, so every one is ``authored`` and added only where it is certain.
    url: str | None = None
    url_source: Source | None = None

    @model_validator(mode="after")
    def _url(self) -> Resource:
        if self.url is not None:
            if not _HTTPS_URL.match(self.url):
                raise ValueError("url must be a plain https:// address")
            if self.url_source is None:
                raise ValueError("a url needs url_source (authored when no guide prints it)")
        elif self.url_source is not None:
            raise ValueError("url_source without a url")
        return self


class InterviewQuestion(Item):
    question: Annotated[str, Field(min_length=5, max_length=500)]
    topic: InterviewTopic
    difficulty: Difficulty
    outline: tuple[Annotated[str, Field(min_length=1, max_length=400)], ...] = Field(
        min_length=2, max_length=10
    )
    # Where the answer outline comes from: the guide when it gives the answer, else authored.
    outline_source: Source


class Salary(Item):
    # Display name, e.g. "United Kingdom"; None for a figure whose guide names no country
    # (it is then never counted as any country's figure).
    country: Short | None
    country_code: Annotated[str, Field(min_length=2, max_length=2)] | None  # ISO 3166-1 alpha-2
    aliases: tuple[str, ...] = ()  # extra names members type: "uk", "britain", "dubai"
    region: Short | None = None  # a city or emirate when the guide names one (e.g. Dubai)
    currency: Annotated[str, Field(min_length=3, max_length=3)]  # ISO 4217 (USD, GBP, EUR)
    average: int | None = None
    low: int | None = None
    high: int | None = None
    basis: Literal["base", "total", "unspecified"]
    period: Literal["year"] = "year"
    provider: Short | None = None  # the data provider the guide names (Glassdoor, ...)
    note: Text | None = None  # the guide's own wording of the figure
    source: GuideSource

    @model_validator(mode="after")
    def _figures(self) -> Salary:
        if (self.country is None) != (self.country_code is None):
            raise ValueError("country and country_code go together (both, or neither)")
        if self.country is None and (self.aliases or self.region):
            raise ValueError("a figure with no country can't have aliases or a region")
        if self.average is None and (self.low is None or self.high is None):
            raise ValueError("a salary needs an average or a full low–high range")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError("low is above high")
        if self.average is not None and self.low is not None and self.high is not None:
            if not self.low <= self.average <= self.high:
                raise ValueError("average is outside the low–high range")
        return self


class CareerFact(EditorialNote, Item):
    kind: CareerKind
    title: Short
    text: Text | None = None
    points: tuple[Annotated[str, Field(min_length=1, max_length=400)], ...] = ()

    @model_validator(mode="after")
    def _has_body(self) -> CareerFact:
        if not self.text and not self.points:
            raise ValueError("a career fact needs text or points")
        return self


class QuizQuestion(Item):
    question: Annotated[str, Field(min_length=5, max_length=300)]
    topic: InterviewTopic
    difficulty: Difficulty
    options: tuple[Annotated[str, Field(min_length=1, max_length=80)], ...] = Field(
        min_length=3, max_length=5
    )
    answer: int  # index into options, 0-based
    explanation: Annotated[str, Field(min_length=5, max_length=500)]

    @model_validator(mode="after")
    def _answer_in_range(self) -> QuizQuestion:
        if not 0 <= self.answer < len(self.options):
            raise ValueError("answer is not an index into options")
        if len({o.strip().lower() for o in self.options}) != len(self.options):
            raise ValueError("options repeat")
        return self


Track = Literal["fundamentals", "ml-core", "interview", "mixed"]
Stage = Literal[
    "math",
    "cs",
    "ml-concepts",
    "algorithms",
    "tools",
    "llm",
    "scale",
    "mlops",
    "experimentation",
    "projects",
    "interview",
]
Concept = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,47}$")]


class Lesson(Item):
    """One day of the study curriculum (authored)."""

    stage: Stage
    tracks: tuple[Track, ...] = Field(min_length=1)
    topic: Short
    study: Text  # what to study today
    question: Annotated[str, Field(min_length=5, max_length=500)]  # a question to answer
    resource: ItemId  # id of an item in resources.yaml
    # Concepts this lesson builds on and the ones it teaches (checked for teaching order).
    requires: tuple[Concept, ...] = ()
    introduces: tuple[Concept, ...] = ()


# The loader maps a file to its model by the part of its name before the first "_" or ".":
# interview_guides.yaml and interview_authored.yaml both hold InterviewQuestion items.
KINDS: dict[str, type[Item]] = {
    "guides": Guide,
    "skills": Skill,
    "resources": Resource,
    "interview": InterviewQuestion,
    "salaries": Salary,
    "career": CareerFact,
    "quiz": QuizQuestion,
    "curriculum": Lesson,
}
