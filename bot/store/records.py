"""What the store returns: plain frozen dataclasses, no SQLAlchemy rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

Period = Literal["week", "month", "all"]
AnswerStatus = Literal["recorded", "already", "closed", "cooldown", "missing", "bot"]


@dataclass(frozen=True)
class Points:
    """The points table (from settings): what each action earns."""

    quiz_correct: int = 10
    checkin: int = 5
    streak_bonus: int = 2  # extra per check-in that continues a streak (day 2 onwards)
    cooldown_seconds: float = 3.0  # between two quiz answers of one member


@dataclass(frozen=True)
class CheckInResult:
    points_awarded: int
    streak: int
    already: bool
    best_streak: int = 0
    local_date: date | None = None
    freezes: int = 0  # streak freezes held after this check-in
    total: int = 0  # all-time points after it
    rank: int | None = None  # all-time rank after it (None without points)
    previous_rank: int | None = None  # before it


@dataclass(frozen=True)
class AnswerResult:
    status: AnswerStatus
    correct: bool = False
    points_awarded: int = 0
    choice: int | None = None  # the member's counted choice (theirs from before if "already")
    retry_after: float = 0.0  # seconds, for "cooldown"
    # "recorded" only: a repeat is a question this member had already answered on another
    # post (welcome practice, never points); then the standing after the answer.
    repeat: bool = False
    total: int = 0
    streak: int = 0
    rank: int | None = None
    previous_rank: int | None = None

    @property
    def already(self) -> bool:
        return self.status == "already"


@dataclass(frozen=True)
class QuizPost:
    id: int
    platform: str
    workspace: str
    channel: str
    question_id: str
    topic: str
    opened_at: datetime
    closes_at: datetime
    created_by: str
    option_order: str | None = None  # "2,0,3,1": see bot/practice/scoring.py

    def is_open(self, at: datetime) -> bool:
        return at < self.closes_at


@dataclass(frozen=True)
class Group:
    id: int
    name: str
    created_by: str
    created_at: datetime
    members: int = 0


@dataclass(frozen=True)
class GroupDetail:
    group: Group
    member_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Standing:
    rank: int  # competition ranking: ties share a rank (1, 2, 2, 4)
    member_id: str
    name: str
    points: int


@dataclass(frozen=True)
class Leaderboard:
    period: Period
    period_key: str
    group: str | None
    rows: tuple[Standing, ...]
    total: int  # members with points in this board
    page: int
    pages: int
    me: Standing | None = None  # the caller, even outside the page


@dataclass(frozen=True)
class TopicStats:
    topic: str
    answered: int
    correct: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.answered if self.answered else 0.0


@dataclass(frozen=True)
class Profile:
    member_id: str
    name: str
    timezone: str  # effective: the member's own or the workspace's
    own_timezone: bool
    points: int
    week_points: int
    rank: int | None  # None until the member has points
    streak: int  # current: 0 once a scheduled day was missed with no freeze to cover it
    best_streak: int
    freezes: int = 0  # streak freezes held (net of any a current gap will use)
    topics: tuple[TopicStats, ...] = ()
    groups: tuple[str, ...] = field(default_factory=tuple)
