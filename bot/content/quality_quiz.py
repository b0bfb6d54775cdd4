"""Quality rules for the quiz bank that can be measured, run by ``python -m bot content check``.

The schema (``bot.content.schema.QuizQuestion``) says what a quiz item *is*; these rules say
what makes a bank a candidate can't game or be confused by:

- every item has exactly ``OPTIONS`` options, each short enough to fit a button label
  whole (``OPTION_MAX`` characters after the "A. " prefix), and a non-empty explanation;
- the correct option is the strictly longest one in at most ``MAX_LONGEST_SHARE`` of a
  topic's items (picking the longest option must not beat chance by much), and likewise the
  strictly shortest (over-correcting the first rule hands out the opposite give-away);
- in a topic with at least ``MIN_PER_TOPIC`` items no answer position (A-D) holds more than
  ``MAX_POSITION_SHARE`` of the correct answers;
- every topic has at least ``MIN_PER_TOPIC`` items, and at least ``MIN_PER_CELL`` at each
  difficulty (so `/quiz topic difficulty` never has just one question to repeat);
- asymptotic options are parallel: all written as O(·)/Ω(·)/Θ(·) or none of them; and in
  an all-numeric item the correct number is not the only one with its count of decimals
  ("0.25" among "0.5", "1", "2");
- no two questions are near-duplicates: rapidfuzz ``token_set_ratio`` of their question text
  plus correct option above ``NEAR_DUPLICATE``, unless the pair is in ``ALLOWED_PAIRS``;
- an explanation never names an option by letter or position ("option C", "the third
  formula"): the bot shows options in file order, and an edit that reorders them would
  silently make such an explanation contradict its own options.

Each problem is a :class:`~bot.content.loader.ContentError` naming the file and the item id
(for a rule about a whole topic: ``topic:<name>`` and the ids involved).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from rapidfuzz import fuzz, process, utils

from bot.content.loader import ContentError
from bot.content.schema import QuizQuestion

FILE = "quiz.yaml"
OPTIONS = 4
OPTION_MAX = 77  # a button label is at most 80 characters: "A. " + the option
MIN_PER_TOPIC = 12
MIN_PER_CELL = 2
DIFFICULTIES = ("easy", "medium", "hard")
MAX_LONGEST_SHARE = 0.30
MAX_SHORTEST_SHARE = 0.30
MAX_POSITION_SHARE = 0.40
NEAR_DUPLICATE = 90.0  # token_set_ratio (0-100) of question + correct option
LETTERS = "ABCDEFGH"

# Pairs of item ids that look alike on purpose (e.g. one formula in two settings). Keep the
# list short; tests/test_content_quality.py checks each entry names two shipped items.
ALLOWED_PAIRS: frozenset[frozenset[str]] = frozenset(
    {
        # The output-size formula without padding, then with padding, stride and its floor.
        frozenset({"qz-conv-output-valid", "qz-conv-output-floor"}),
    }
)

# An explanation naming an option by place instead of by content.
_BY_POSITION = re.compile(
    r"\boptions?\s+(?:[A-D]|one|two|three|four)\b"
    r"|\bthe\s+(?:first|second|third|fourth|last)(?:\s+(?:option|formula|answer|choice)s?|\s+(?:is|one)\b)"
    r"|\([A-D]\)",
    re.IGNORECASE,
)

# An option written in asymptotic notation: O(n log n), Omega(n), Θ(n^2), "O(n) per query".
_ASYMPTOTIC = re.compile(r"^\s*(O|o|Omega|Theta|Ω|Θ)\s*\(")


# A numeric option: "0.615", "12,832", "-0.50", "About 14,000", "2 GiB", "20%", "4x".
_NUMBER = re.compile(r"\s*(?:About\s+)?[$€£]?-?[\d,]+(?:\.(\d+))?\s*(?:%|x|GB|GiB)?\s*")


def _err(item: str, message: str, file: str = FILE) -> ContentError:
    return ContentError(file, item, message)


def _correct_is_strictly(q: QuizQuestion, longer: bool) -> bool:
    lengths = [len(o.strip()) for o in q.options]
    mine = lengths[q.answer]
    others = [n for i, n in enumerate(lengths) if i != q.answer]
    return all(mine > n for n in others) if longer else all(mine < n for n in others)


def longest_is_correct(q: QuizQuestion) -> bool:
    """True when the correct option is strictly longer (in characters) than every other."""
    return _correct_is_strictly(q, longer=True)


def shortest_is_correct(q: QuizQuestion) -> bool:
    """True when the correct option is strictly shorter (in characters) than every other."""
    return _correct_is_strictly(q, longer=False)


def _duplicate_key(q: QuizQuestion) -> str:
    return utils.default_process(f"{q.question} {q.options[q.answer]}")


def near_duplicates(
    items: Sequence[QuizQuestion], threshold: float = NEAR_DUPLICATE
) -> list[tuple[str, str, float]]:
    """Pairs of item ids whose question + correct option score above ``threshold``.

    The score is rapidfuzz's ``token_set_ratio`` (0-100) on lowercased text without
    punctuation, so reordered or padded rewordings of one question still match.
    """
    ids = [q.id for q in items]
    keys = [_duplicate_key(q) for q in items]
    pairs = []
    for i, key in enumerate(keys):
        later = keys[i + 1 :]
        hits = process.extract(
            key, later, scorer=fuzz.token_set_ratio, score_cutoff=threshold, limit=None
        )
        pairs += [(ids[i], ids[i + 1 + j], score) for _, score, j in hits if score > threshold]
    return sorted(pairs, key=lambda p: (ids.index(p[0]), ids.index(p[1])))


def _item_rules(q: QuizQuestion, file: str) -> Iterable[ContentError]:
    if len(q.options) != OPTIONS:
        yield _err(q.id, f"has {len(q.options)} options; every quiz item needs {OPTIONS}", file)
    for i, option in enumerate(q.options):
        if len(option) > OPTION_MAX:
            yield _err(
                q.id,
                f"option {LETTERS[i]} is {len(option)} characters; at most {OPTION_MAX} fit a "
                "button label whole",
                file,
            )
    if not q.explanation.strip():
        yield _err(q.id, "the explanation is empty", file)
    elif m := _BY_POSITION.search(q.explanation):
        yield _err(
            q.id,
            f"the explanation names an option by position ('{' '.join(m.group(0).split())}'); "
            "name it by content",
            file,
        )
    numbers = [_NUMBER.fullmatch(o) for o in q.options]
    if all(numbers):
        decimals = [len(m.group(1) or "") for m in numbers]  # type: ignore[union-attr]
        others = {d for i, d in enumerate(decimals) if i != q.answer}
        if decimals[q.answer] not in others:
            yield _err(
                q.id,
                f"options are not parallel: only the correct one has {decimals[q.answer]} "
                "decimal place(s)",
                file,
            )
    asymptotic = [bool(_ASYMPTOTIC.match(o)) for o in q.options]
    if any(asymptotic) and not all(asymptotic):
        plain = ", ".join(LETTERS[i] for i, a in enumerate(asymptotic) if not a)
        yield _err(
            q.id,
            f"options are not parallel: option(s) {plain} are not written in O(·) like the others",
            file,
        )


def _topic_rules(topic: str, qs: list[QuizQuestion], file: str) -> Iterable[ContentError]:
    label = f"topic:{topic}"
    if len(qs) < MIN_PER_TOPIC:
        yield _err(label, f"has {len(qs)} items; every topic needs at least {MIN_PER_TOPIC}", file)
    for level in DIFFICULTIES:
        n = sum(q.difficulty == level for q in qs)
        if n < MIN_PER_CELL:
            yield _err(
                label, f"has {n} {level} item(s); every difficulty needs {MIN_PER_CELL}", file
            )
    for word, is_give_away, limit in (
        ("longest", longest_is_correct, MAX_LONGEST_SHARE),
        ("shortest", shortest_is_correct, MAX_SHORTEST_SHARE),
    ):
        ids = [q.id for q in qs if is_give_away(q)]
        if len(ids) > limit * len(qs):
            yield _err(
                label,
                f"the correct option is the strictly {word} in {len(ids)} of {len(qs)} items "
                f"(at most {limit:.0%}): {', '.join(ids)}",
                file,
            )
    if len(qs) >= MIN_PER_TOPIC:
        positions = Counter(q.answer for q in qs)
        for position, n in sorted(positions.items()):
            if n > MAX_POSITION_SHARE * len(qs):
                ids = ", ".join(q.id for q in qs if q.answer == position)
                yield _err(
                    label,
                    f"the correct answer is {LETTERS[position]} in {n} of {len(qs)} items "
                    f"(at most {MAX_POSITION_SHARE:.0%} per position): {ids}",
                    file,
                )


def check_quiz(
    items: Sequence[QuizQuestion],
    file: str = FILE,
    allowed_pairs: frozenset[frozenset[str]] = ALLOWED_PAIRS,
) -> list[ContentError]:
    """Every quality problem of a quiz bank, as ``file: item: problem`` errors.

    ``items`` are already schema-valid questions (the loader's output). An empty bank has no
    problems here (the content check reports missing content itself). Returns a list that is
    empty when the bank passes.
    """
    errors: list[ContentError] = []
    if not items:
        return errors
    by_topic: dict[str, list[QuizQuestion]] = defaultdict(list)
    for q in items:
        errors.extend(_item_rules(q, file))
        by_topic[q.topic].append(q)
    for topic in sorted(by_topic):
        errors.extend(_topic_rules(topic, by_topic[topic], file))
    for a, b, score in near_duplicates(items):
        if frozenset((a, b)) not in allowed_pairs:
            errors.append(
                _err(a, f"is a near-duplicate of {b} (token-set similarity {score:.0f})", file)
            )
    return errors
