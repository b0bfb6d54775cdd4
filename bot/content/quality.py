"""Checks on the content as a whole, which no single item's schema can see.

- **Near-duplicates** across every bank: interview questions, quiz questions and the
  curriculum's lesson text (study text and question). Two texts are near-duplicates when
  rapidfuzz's ``token_set_ratio`` of their content words (lower-cased, punctuation,
  question-making STOPWORDS and guide titles removed; 0–100) reaches ``NEAR_DUPLICATE`` and
  neither is much shorter than the other (a short question whose words all occur in a long
  lesson is not a repeat of it). Questions of several sentences are also compared sentence by
  sentence, at the stricter ``NEAR_DUPLICATE_SENTENCE``. Each problem names both items;
  intentional pairs go in ``allow_near_duplicates.toml`` beside the content, with a reason.
- **Quiz repeats**: a quiz question that asks an interview question again, whole or contained
  in it (``quiz_repeats``; no length ratio, ``QUIZ_REPEAT``).
- **Interview coverage**: every topic of ``InterviewTopic`` has at least ``MIN_PER_TOPIC``
  questions and every topic × difficulty cell at least ``MIN_PER_CELL``, so
  ``/interview topic:X difficulty:Y`` never keeps returning the same question.
- **Resource links** (a notice, not a failure): resources without a ``url``.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import get_args

from rapidfuzz import fuzz, process, utils

from bot.content.loader import ContentError
from bot.content.schema import Difficulty, InterviewTopic, Item

NEAR_DUPLICATE = 85  # token_set_ratio at or above which two texts are the same question
MIN_LENGTH_RATIO = 0.6  # shorter / longer word count: below this, containment is not a repeat
MIN_WORDS = 3  # fewer content words than this ("What is PCA?") is too short to judge
QUIZ_REPEAT = 90  # a quiz question asking an interview question again (see quiz_repeats)
NEAR_DUPLICATE_SENTENCE = 95  # one sentence of a question repeating another text, near verbatim
MIN_SENTENCE_WORDS = 5  # "What are the likely causes?" alone is no repeat
MIN_PER_TOPIC = 15
MIN_PER_CELL = 3
ALLOW_FILE = "allow_near_duplicates.toml"

# Words every question is made of: left out so that two questions are compared by what they
# ask about, not by "what is the difference between … and how would you …".
STOPWORDS = frozenset(
    "a an and are as at be by can could do does did for from how i if in is it its me my of on "
    "or should so than that the their then there these this those to was what when where which "
    "who why will with would you your we our us into each any some give explain describe walk "
    "through make makes".split()
)

# Which texts of each kind are compared: (kind, field) pairs.
COMPARED: dict[str, tuple[str, ...]] = {
    "interview": ("question",),
    "quiz": ("question",),
    "curriculum": ("question", "study"),
}


@dataclass(frozen=True, slots=True)
class Text:
    kind: str
    id: str
    file: str
    field: str
    text: str

    @property
    def is_part(self) -> bool:
        """One sentence of a longer question rather than a whole text."""
        return ", sentence " in self.field

    @property
    def ref(self) -> str:
        """``file: id (field)`` — how a problem names the item."""
        return f"{self.file}: {self.id} ({self.field})"


@dataclass(frozen=True, slots=True)
class Pair:
    a: Text
    b: Text
    score: float


_SENTENCE_END = re.compile(r"(?<=[.?!:;])\s+")


def bank_texts(items: dict[str, list[Item]], files: dict[tuple[str, str], str]) -> list[Text]:
    """Every compared text of every bank, in file order, plus each of its sentences.

    A lesson that asks an interview question word for word inside a longer question is a
    repeat too, so questions of several sentences are also compared sentence by sentence
    (``field`` then reads ``question, sentence 2``; such a part must match at
    ``NEAR_DUPLICATE_SENTENCE`` and have ``MIN_SENTENCE_WORDS``). Guide titles are taken out first: quiz
    items that name the same guide are not alike for that.
    """
    titles = [getattr(g, "title", "") for g in items.get("guides", ())]
    strip = (
        re.compile("|".join(re.escape(t) for t in titles if t), re.IGNORECASE) if titles else None
    )
    out = []
    for kind, fields in COMPARED.items():
        for item in items.get(kind, ()):
            file = files.get((kind, item.id), f"{kind}.yaml")
            for name in fields:
                text = str(getattr(item, name))
                if strip is not None:
                    text = strip.sub(" ", text)
                out.append(Text(kind, item.id, file, name, text))
                sentences = [x for x in _SENTENCE_END.split(text) if x.strip()]
                # Study text teaches what questions ask: only questions are split.
                if name == "question" and len(sentences) > 1:
                    out.extend(
                        Text(kind, item.id, file, f"{name}, sentence {n}", sentence)
                        for n, sentence in enumerate(sentences, 1)
                    )
    return out


def near_duplicates(
    texts: list[Text],
    threshold: float = NEAR_DUPLICATE,
    allowed: frozenset[frozenset[tuple[str, str]]] = frozenset(),
) -> list[Pair]:
    """Pairs of texts from different items that say the same thing, most similar first.

    ``allowed`` holds pairs of ``(kind, id)`` that are intentional and not reported.
    """
    cleaned = [_key(t.text) for t in texts]
    words = [len(set(c.split())) for c in cleaned]
    pairs = []
    for i, a in enumerate(texts):
        if words[i] < MIN_WORDS:
            continue
        # Only later texts: each pair is scored once. (cdist would need numpy.)
        later = cleaned[i + 1 :]
        hits = process.extract(
            cleaned[i], later, scorer=fuzz.token_set_ratio, score_cutoff=threshold, limit=None
        )
        for _, score, k in hits:
            j = i + 1 + k
            b = texts[j]
            if (a.kind, a.id) == (b.kind, b.id):
                continue
            short, long_ = sorted((words[i], words[j]))
            if short < MIN_WORDS or short / long_ < MIN_LENGTH_RATIO:
                continue
            if (a.is_part or b.is_part) and (
                score < NEAR_DUPLICATE_SENTENCE or short < MIN_SENTENCE_WORDS
            ):
                continue
            if frozenset({(a.kind, a.id), (b.kind, b.id)}) in allowed:
                continue
            pairs.append(Pair(a, b, float(score)))
    best: dict[frozenset[tuple[str, str]], Pair] = {}
    for p in pairs:
        key = frozenset({(p.a.kind, p.a.id), (p.b.kind, p.b.id)})
        if key not in best or p.score > best[key].score:
            best[key] = p
    return sorted(best.values(), key=lambda p: -p.score)


def _key(text: str) -> str:
    """The words that carry the question: lower-cased, punctuation and STOPWORDS removed."""
    return " ".join(w for w in utils.default_process(text).split() if w not in STOPWORDS)


def similarity(a: str, b: str) -> float:
    """token_set_ratio (0–100) of two texts' content words; what ``near_duplicates`` uses."""
    return fuzz.token_set_ratio(_key(a), _key(b))


def load_allowed(
    directory: Path,
) -> tuple[frozenset[frozenset[tuple[str, str]]], list[ContentError]]:
    """The allow-list: ``[[pair]]`` tables with ``a``, ``b`` (``kind:id``) and ``why``."""
    path = directory / ALLOW_FILE
    if not path.exists():
        return frozenset(), []
    errors: list[ContentError] = []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        return frozenset(), [ContentError(ALLOW_FILE, "-", f"not valid TOML: {exc}")]
    allowed = set()
    for i, entry in enumerate(data.get("pair", [])):
        refs = [entry.get("a", ""), entry.get("b", "")]
        parsed = [tuple(r.split(":", 1)) for r in refs if isinstance(r, str) and ":" in r]
        if len(parsed) != 2 or not str(entry.get("why", "")).strip():
            errors.append(
                ContentError(ALLOW_FILE, f"#{i}", "a pair needs a = 'kind:id', b = 'kind:id', why")
            )
            continue
        allowed.add(frozenset(parsed))
    return frozenset(allowed), errors  # type: ignore[arg-type]


def quiz_repeats(
    items: dict[str, list[Item]],
    threshold: float = QUIZ_REPEAT,
    allowed: frozenset[frozenset[tuple[str, str]]] = frozenset(),
) -> list[tuple[str, str, float]]:
    """``(quiz id, interview id, score)`` for each quiz question that asks an interview
    question again, whole or contained in it ("What is training-serving skew?"): rapidfuzz's
    ``token_set_ratio`` of the two questions (default processing, every word kept) at or above
    ``threshold``. Unlike ``near_duplicates`` there is no length ratio: a short quiz question
    inside a longer interview question is still the same question."""
    interview = {q.id: utils.default_process(q.question) for q in items.get("interview", ())}  # type: ignore[attr-defined]
    out = []
    for q in items.get("quiz", ()):
        hit = process.extractOne(
            utils.default_process(q.question),  # type: ignore[attr-defined]
            interview,
            scorer=fuzz.token_set_ratio,
            score_cutoff=threshold,
        )
        if hit and frozenset({("quiz", q.id), ("interview", hit[2])}) not in allowed:
            out.append((q.id, hit[2], float(hit[1])))
    return out


def coverage_problems(items: dict[str, list[Item]]) -> list[ContentError]:
    """Interview topics below MIN_PER_TOPIC and topic × difficulty cells below MIN_PER_CELL."""
    questions = items.get("interview", [])
    if not questions:
        return []
    topics = Counter(q.topic for q in questions)  # type: ignore[attr-defined]
    cells = Counter((q.topic, q.difficulty) for q in questions)  # type: ignore[attr-defined]
    out = []
    for topic in get_args(InterviewTopic):
        if topics[topic] < MIN_PER_TOPIC:
            out.append(
                ContentError(
                    "interview_*.yaml",
                    topic,
                    f"{topics[topic]} questions; every topic needs at least {MIN_PER_TOPIC}",
                )
            )
        for level in get_args(Difficulty):
            if cells[(topic, level)] < MIN_PER_CELL:
                out.append(
                    ContentError(
                        "interview_*.yaml",
                        f"{topic}/{level}",
                        f"{cells[(topic, level)]} questions; every topic × difficulty needs "
                        f"at least {MIN_PER_CELL}",
                    )
                )
    return out


def missing_links(items: dict[str, list[Item]]) -> list[str]:
    """Ids of resources with no url (shown as a notice: a link is added only where certain)."""
    return [r.id for r in items.get("resources", []) if getattr(r, "url", None) is None]


def check(
    items: dict[str, list[Item]], files: dict[tuple[str, str], str], directory: Path
) -> list[ContentError]:
    """Every whole-content problem: near-duplicates (naming both items) and coverage gaps."""
    allowed, problems = load_allowed(directory)
    for pair in near_duplicates(bank_texts(items, files), allowed=allowed):
        problems.append(
            ContentError(
                pair.a.file,
                pair.a.id,
                f"near-duplicate of {pair.b.ref} (similarity {pair.score:.0f}): "
                f"“{pair.a.text[:80]}” / “{pair.b.text[:80]}” — reword one, remove one, or "
                f"list the pair in {ALLOW_FILE} with a reason",
            )
        )
    for quiz_id, interview_id, score in quiz_repeats(items, allowed=allowed):
        problems.append(
            ContentError(
                files.get(("quiz", quiz_id), "quiz.yaml"),
                quiz_id,
                f"asks interview question {interview_id} again (similarity {score:.0f}) — "
                f"reword it to test something the interview question doesn't, or list the "
                f"pair in {ALLOW_FILE} with a reason",
            )
        )
    problems.extend(coverage_problems(items))
    return problems
