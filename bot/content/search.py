"""Ranked, typo-tolerant full-text search over all content, and the intents of a question.

Ranking: SQLite FTS5 (in memory, built from the validated content on first use) matches any
query term (OR, never AND, so filler words can't make a question stricter) and ranks by BM25
with the title (a fact's title, an interview or quiz question) weighted above the body. Each
score is then multiplied by a kind weight (facts and answers above the quiz items that quiz
on them) and by how much of the question the title covers.

Terms: words are reduced with the Snowball English stemmer (PyStemmer) restricted to
inflectional endings (-s, -es, -ed, -ing…): "models" = "model", "handling" = "handle", but
"transformers" ≠ "transformation" and "generalization" ≠ "general", which the full stemmer
would merge. Stop words are dropped unless nothing else is left; a document spelling out
"machine learning" (or another phrase of ABBREVIATIONS) is also indexed under "ml". A word
the index has never seen is corrected to the indexed word at the smallest edit distance
within a length-aware limit (rapidfuzz, optimal string alignment), so "gradiant desent"
still finds gradient descent while "austria" never becomes "australia".

Intents (``route``): a country plus a pay word asks for that country's salary card (a city:
its country's, a place the guides lack: a clear "no figures"); "X vs Y", "difference between
X and Y" and "compare X and Y" ask for a comparison. See docs/search.md.
"""

from __future__ import annotations

import heapq
import math
import re
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TypeVar

import Stemmer
from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.core.lookup import fold

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_STEMMER = Stemmer.Stemmer("english")
# What the stemmer may take off a word for two words to count as one term: inflections only.
# Derivational endings (-ation, -er, -ize, -ity) change the term, so they are kept.
# Longest first: the first that ends a word is the one taken off.
_INFLECTIONS = ("ings", "ying", "ies", "ied", "ing", "es", "ed", "s", "e", "y", "d")
# Words that carry no meaning in a query; dropped when other words remain.
STOPWORDS = frozenset(
    "a about am an and any are as at be been being best by can could did do does doing for "
    "from get give good how i if in into is it its me more most much my need of on or our "
    "please should so some tell than that the their them then there these they this those "
    "to up us use used using was we were what when where which who why will with would you "
    "your explain mean means meaning define definition s t re ve ll m between without "
    # "bagging vs boosting" is about bagging and boosting: "vs" itself matched every career
    # comparison (the comparison bonus still applies, see ``comparison``).
    "vs versus".split()
)
# Verbs of "how do I … X" questions: looked for, but a title that has only them does not
# cover the question ("how to handle imbalanced data" is not about handling missing data).
LIGHT_WORDS = frozenset(
    "handle handling deal dealing approach work works working pick choose select find "
    "get make build go start improve".split()
)
# Abbreviations: a document spelling the phrase out is also indexed under the abbreviation.
ABBREVIATIONS = {
    "ml": ("machine learning",),
    "mle": ("machine learning engineer", "maximum likelihood estimation"),
    "map": ("maximum a posteriori",),
    "ai": ("artificial intelligence",),
    "dl": ("deep learning",),
    "nlp": ("natural language processing",),
    "cv": ("computer vision",),
    "rl": ("reinforcement learning",),
    "llm": ("large language model",),
    "nn": ("neural network",),
    "cnn": ("convolutional neural network",),
    "rnn": ("recurrent neural network",),
    "ds": ("data scientist",),
    "swe": ("software engineer",),
    "sd": ("system design",),
    "ab": ("a b test",),
    "pca": ("principal component analysis",),
    "svm": ("support vector machine",),
}
# Facts and answers outrank the quiz items (and study prompts) that drill them.
KIND_WEIGHTS = {
    "career": 1.5,
    "salary": 1.4,
    "skill": 1.3,
    "interview": 1.3,
    "resource": 1.1,
    "lesson": 0.8,
    "quiz": 0.55,
}
COLUMN_WEIGHTS = (4.0, 3.0, 1.0, 1.0)  # title, tags, body, keywords (BM25F-style)
TITLE_BONUS = 1.5  # a title that covers the whole question scores up to 2.5x
TAG_COVERAGE = 0.5  # a word only in the tags covers half as much as one in the title
COMPARE_BONUS = 2.0  # a comparison fact, for a question that compares
LEAD_BONUS = 1.5  # a title that opens like the question ("What is…" for "what is…")
COMMON_SHARE = 0.25  # a term in more than this share of documents is "common" (see parse)
CANDIDATES = 200  # BM25's best this many are re-ranked with the weights above
PAY_WORDS = frozenset(
    "salary salaries pay paid pays paying earn earns earning earnings earned wage wages "
    "compensation income comp money".split()
)
SNIPPET = 200


@dataclass(frozen=True, slots=True)
class Doc:
    kind: str
    id: str
    title: str
    body: str  # shown in snippets
    source: str
    keywords: str = ""  # indexed, never shown (an answer outline, quiz options)
    tags: str = ""  # indexed like a second title, never shown (tags, kinds, aliases)


@dataclass(frozen=True, slots=True)
class Hit:
    doc: Doc
    score: float
    snippet: str


@lru_cache(maxsize=65536)
def term(word: str) -> str:
    """The index term of one word: lowercased, its inflection removed (see the module doc).

    The Snowball stem when the stemmer only took off an inflection, else the word less its
    inflection: ``"Models"`` → ``"model"``, ``"imbalanced"`` and ``"imbalance"`` →
    ``"imbalanc"``, ``"transformers"`` → ``"transformer"``, ``"transformation"`` stays.
    """
    w = word.lower()
    if w[-1:] == "s" and w[:-1] in ABBREVIATIONS:
        return w[:-1]  # "llms", "cnns": the stemmer keeps the s after a consonant
    stem = _STEMMER.stemWord(w)
    if stem == w:
        return w
    k = 0
    while k < min(len(w), len(stem)) and w[k] == stem[k]:
        k += 1
    # What the stemmer took off, less its inflection: "ers" → "er", "ance" → "anc", "ed" → "".
    rest = w[k:]
    for ending in _INFLECTIONS:
        if rest.endswith(ending) and not (ending == "s" and rest.endswith(("ss", "us", "is"))):
            rest = rest[: len(rest) - len(ending)]
            break
    return w[:k] + rest if rest else stem


def terms(text: str) -> list[str]:
    """Index terms of ``text`` in order (see ``term``)."""
    return [term(w) for w in _WORD.findall(text)]


def max_typos(length: int) -> int:
    """Edits a word of ``length`` characters may be from an indexed word to be corrected."""
    return 0 if length <= 3 else 1 if length <= 7 else 2


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed question: ``groups`` are alternatives per meaningful word (a term, or the
    terms of an abbreviation's phrase); ``fts`` is the FTS5 MATCH expression (None: nothing
    to look for); ``corrected`` maps typed words to the indexed words that replaced them."""

    groups: tuple[tuple[tuple[str, ...], ...], ...]
    fts: str | None
    corrected: tuple[tuple[str, str], ...]
    compares: bool
    lead: tuple[str, ...] = ()  # "what is", "how much"…: a title asking the same scores more


class SearchIndex:
    """An in-memory FTS5 index of ``docs``; ``search`` answers a question with ranked hits."""

    def __init__(self, docs: list[Doc]) -> None:
        self._docs = docs
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.execute(
            "CREATE VIRTUAL TABLE docs USING fts5(title, tags, body, keywords, "
            "tokenize='unicode61 remove_diacritics 2')"
        )
        texts = [[_words(f) for f in (d.title, d.tags, d.body, d.keywords)] for d in docs]
        df: Counter[str] = Counter()
        for fields in texts:
            df.update(set().union(*fields))
        to_term = {w: term(w) for w in df}
        # Each field's terms, with the abbreviation of each spelled-out phrase added
        # ("machine learning" also holds "ml"), so a query word is always one term.
        fielded = [[_abbreviate([to_term[w] for w in f]) for f in fields] for fields in texts]
        rows = []
        # Inverted sets for the re-ranking: which rows have a term in the title, in the tags,
        # open with a question's lead, or compare two things.
        self._in_title: dict[str, set[int]] = defaultdict(set)
        self._in_tags: dict[str, set[int]] = defaultdict(set)
        self._leads: dict[tuple[str, ...], set[int]] = defaultdict(set)
        self._comparisons = {i for i, d in enumerate(docs) if _is_comparison(d)}
        self._kind_weight = [KIND_WEIGHTS.get(d.kind, 1.0) for d in docs]
        self._bodies = [(b, b.lower()) for b in (" ".join(d.body.split()) for d in docs)]
        for i, (fields, words) in enumerate(zip(fielded, texts, strict=True)):
            title, tags, body, kw = fields
            rows.append((i, *(" ".join(f) for f in (title, tags, body, kw))))
            for t in title:
                self._in_title[t].add(i)
            for t in tags:
                self._in_tags[t].add(i)
            self._leads[_lead(words[0])].add(i)
        self._db.executemany(
            "INSERT INTO docs(rowid, title, tags, body, keywords) VALUES (?, ?, ?, ?, ?)", rows
        )
        self._df = df  # surface word → how many docs hold it (ties in typo correction)
        term_df: Counter[str] = Counter()
        for fields in fielded:
            term_df.update({t for f in fields for t in f})
        self._terms = set(term_df)
        n = len(docs)
        self._idf = {t: math.log(1 + n / c) for t, c in term_df.items()}
        self._term_df = term_df
        self._common = n * COMMON_SHARE
        # Candidates for typo fixes by length and first or second letter: a fix is within two
        # edits, so within two letters in length, and an edit at the start of a word (a
        # letter changed, dropped, added or swapped) leaves one of its first two letters in
        # one of the first two places.
        self._candidates: dict[tuple[int, int, str], list[str]] = defaultdict(list)
        for w in sorted(df):
            if len(w) > 3:
                self._candidates[len(w), 0, w[0]].append(w)
                self._candidates[len(w), 1, w[1]].append(w)

    def __len__(self) -> int:
        return len(self._docs)

    def knows(self, word: str) -> bool:
        """Whether ``word`` (lowercase) occurs in the indexed content."""
        return word in self._df

    def correct(self, word: str) -> str | None:
        """The indexed word ``word`` stands for: itself when indexed, else the closest indexed
        word within ``max_typos`` edits (the most common on a tie), else None."""
        w = word.lower()
        if w in self._df or term(w) in self._terms:
            return w
        limit = max_typos(len(w))
        if not limit:
            return None
        get = self._candidates.get
        lengths = range(len(w) - limit, len(w) + limit + 1)
        pool = list(
            set().union(*(get((n, p, c), ()) for n in lengths for p in (0, 1) for c in w[:2]))
        )
        near = process.extract(w, pool, scorer=OSA.distance, score_cutoff=limit, limit=None)
        if not near:
            return None
        best = min(d for _, d, _ in near)
        return max((c for c, d, _ in near if d == best), key=lambda c: (self._df[c], c))

    def parse(self, query: str) -> Query:
        """The terms to look for in ``query`` (see ``Query``)."""
        words = _words(query)[:16]
        meaningful = [w for w in words if w not in STOPWORDS]
        words = meaningful or words
        groups: list[tuple[tuple[str, ...], ...]] = []
        parts: list[str] = []
        common: list[str] = []
        corrected: list[tuple[str, str]] = []
        for w in dict.fromkeys(words):
            fixed = self.correct(w)
            if fixed is None:
                # Unknown and not a near typo: it may still be the start of a word ("pyt").
                if len(w) >= 3:
                    parts.append(f'"{w}"*')
                continue
            if fixed != w:
                corrected.append((w, fixed))
            alts: list[tuple[str, ...]] = [(term(fixed),)]
            if fixed not in LIGHT_WORDS:
                groups.append(tuple(alts))
            # A word in most documents adds next to nothing to BM25 but makes FTS5 score
            # nearly every document: it is left to the title coverage while rarer words remain.
            quoted = ['"' + " ".join(a) + '"' for a in alts]
            if min(min(self._term_df.get(t, 0) for t in a) for a in alts) > self._common:
                common.extend(quoted)
            else:
                parts.extend(quoted)
        fts = " OR ".join(dict.fromkeys(parts or common)) or None
        lead = _lead([w.lower() for w in _WORD.findall(query)])
        return Query(tuple(groups), fts, tuple(corrected), is_comparison(query), lead)

    @staticmethod
    def _rows_with(index: dict[str, set[int]], group: tuple[tuple[str, ...], ...]) -> set[int]:
        """Rows holding every term of at least one of the group's alternatives."""
        out: set[int] = set()
        for alt in group:
            sets = [index.get(t) for t in alt]
            if all(sets):
                out |= set.intersection(*sets)  # type: ignore[arg-type]
        return out

    def _group_idf(self, group: tuple[tuple[str, ...], ...]) -> float:
        first = group[0]
        return max(self._idf.get(t, 0.0) for t in first) if first else 0.0

    def search(self, query: str, limit: int = 50) -> list[Hit]:
        """Hits for ``query``, best first, at most ``limit``. Scores are positive and only
        comparable within one query. Never raises on any text."""
        q = self.parse(query)
        if q.fts is None:
            return []
        rows = self._db.execute(
            "SELECT rowid, bm25(docs, ?, ?, ?, ?) AS s FROM docs WHERE docs MATCH ? "
            "ORDER BY s LIMIT ?",
            (*COLUMN_WEIGHTS, q.fts, CANDIDATES),
        ).fetchall()
        # Coverage counts each query word by its IDF: a title naming the rare word of the
        # question ("imbalanced") covers more of it than one naming the common ones ("data").
        weights = [self._group_idf(g) for g in q.groups]
        total = sum(weights)
        covered: dict[int, float] = defaultdict(float)
        for g, w in zip(q.groups, weights, strict=True):
            in_title = self._rows_with(self._in_title, g)
            for r in in_title:
                covered[r] += w
            for r in self._rows_with(self._in_tags, g) - in_title:
                covered[r] += w * TAG_COVERAGE
        leads = self._leads.get(q.lead, set()) if q.lead else set()
        comparisons = self._comparisons if q.compares else set()
        kind_weight = self._kind_weight
        scored = []
        for rowid, bm25 in rows:
            score = -bm25 * kind_weight[rowid]
            if total:
                score *= 1 + TITLE_BONUS * covered.get(rowid, 0.0) / total
            if rowid in leads:
                score *= LEAD_BONUS
            if rowid in comparisons:
                score *= COMPARE_BONUS
            scored.append((score, rowid))
        best = heapq.nsmallest(limit, scored, key=lambda s: (-s[0], s[1]))
        snippet_terms = [w for g in q.groups for alt in g for w in alt]
        return [Hit(self._docs[i], s, _snippet(*self._bodies[i], snippet_terms)) for s, i in best]


_QUESTION_WORDS = frozenset("what how is are can should do does".split())
_QUESTION_WORD = frozenset("who why where when which".split())  # alone say enough
_CONTRACTIONS = {"s": "is", "re": "are"}


def _lead(words: list[str]) -> tuple[str, ...]:
    """The first two words of a question ("what is", "how much"), or () for other text."""
    if words and words[0] in _QUESTION_WORD:
        return (words[0],)
    if len(words) < 2 or words[0] not in _QUESTION_WORDS:
        return ()
    return (words[0], _CONTRACTIONS.get(words[1], words[1]))


_DOTTED = re.compile(r"\b(?:[^\W_]{1,2}\.){1,3}[^\W_]{1,2}\b")
_COMPOUND = re.compile(r"\b([^\W_]+)-([^\W_]+)\b")


def _words(text: str) -> list[str]:
    """Lowercased words of ``text``; a hyphenated compound also as one word, so
    "trade-off" is found by "tradeoff" and "k-means" by "kmeans"."""
    low = text.lower()
    words = _WORD.findall(low)
    if "-" in low:
        words += [a + b for a, b in _COMPOUND.findall(low)]
    if "." in low:  # "Ph.D." is also "phd"
        words += ["".join(m.split(".")) for m in _DOTTED.findall(low)]
    return words


@lru_cache(maxsize=1)
def _phrases() -> dict[tuple[str, ...], str]:
    """Spelled-out phrase (as terms) → its abbreviation's term."""
    return {tuple(terms(p)): term(abbr) for abbr, phrases in ABBREVIATIONS.items() for p in phrases}


def _abbreviate(field: list[str]) -> list[str]:
    """``field``'s terms plus the abbreviation of each spelled-out phrase in it."""
    phrases = _phrases()
    extra = [
        phrases[tuple(field[i : i + n])]
        for n in (4, 3, 2)
        for i in range(len(field) - n + 1)
        if tuple(field[i : i + n]) in phrases
    ]
    return field + extra if extra else field


def _is_comparison(doc: Doc) -> bool:
    """A comparison fact, or an item whose title compares ("X vs Y", "Compare X and Y",
    "the difference between X and Y")."""
    return "comparison" in doc.tags.split() or comparison(doc.title) is not None


_COMPARE = (
    re.compile(r"^(?P<a>.+?)\s+(?:vs\.?|versus|compared (?:to|with))\s+(?P<b>.+)$", re.I),
    re.compile(r"\bdiff[a-z]*\s+(?:between|of)\s+(?P<a>.+?)\s+(?:and|&|vs\.?)\s+(?P<b>.+)$", re.I),
    re.compile(r"\bcompar[a-z]*\s+(?P<a>.+?)\s+(?:and|with|to|&|vs\.?)\s+(?P<b>.+)$", re.I),
)


def comparison(query: str) -> tuple[str, str] | None:
    """The two sides of a comparing question ("X vs Y", "difference between X and Y",
    "compare X and Y"), stripped of punctuation at the ends; None for any other question."""
    text = " ".join(query.split()).strip(" ?!.")
    for pattern in _COMPARE:
        m = pattern.search(text)
        if m:
            a, b = (m.group(k).strip(" ,;:?!.") for k in ("a", "b"))
            if a and b:
                return a, b
    return None


def is_comparison(query: str) -> bool:
    """Whether ``query`` compares two things (see ``comparison``)."""
    return comparison(query) is not None


@dataclass(frozen=True, slots=True)
class Intent:
    """What a question obviously asks for, beyond ranked hits.

    ``kind`` is one of
    - "salary": ``places`` holds one country name as the salary lookup knows it; ``via`` the
      city the question named instead, if any ("London" for the United Kingdom);
    - "salary-compare": ``places`` holds two such country names;
    - "salary-missing": ``places`` holds a place the guides have no figures for;
    - "compare": ``sides`` holds the two phrases compared.
    """

    kind: str
    places: tuple[str, ...] = ()
    sides: tuple[str, ...] = ()
    via: str | None = None


def mentions_pay(query: str) -> bool:
    """Whether ``query`` asks about pay ("salary", "earn", "how much … make")."""
    words = [w.lower() for w in _WORD.findall(query)]
    if PAY_WORDS.intersection(words):
        return True
    return "how much" in " ".join(words) and ("make" in words or "makes" in words)


def find_places(query: str, country: Callable[[str], str | None]) -> list[str]:
    """Countries named in ``query``, in order, longest phrase first at each position.

    ``country(text)`` is the salary lookup: the display name of the country ``text`` names
    exactly (name, code, alias or localised name), or None. Only exact names count here: a
    question is never answered for a country it did not name.
    """

    def name(phrase: list[str]) -> str | None:
        if len(phrase) == 1 and phrase[0].lower() in _NOT_PLACES:
            return None
        if not (_may_edge(phrase[0]) and _may_edge(phrase[-1])):
            return None  # no country's name starts or ends with "in", "of", "what"…
        return country(" ".join(phrase))

    return _scan(_WORD.findall(query), 4, name)


T = TypeVar("T")


def _scan(words: list[str], longest: int, lookup: Callable[[list[str]], T | None]) -> list[T]:
    """What ``lookup`` finds in ``words``: at each position the longest phrase (up to
    ``longest`` words) it knows, then on after that phrase; each answer once, in order."""
    found: list[T] = []
    i = 0
    while i < len(words):
        for n in range(min(longest, len(words) - i), 0, -1):
            hit = lookup(words[i : i + n])
            if hit is not None:
                if hit not in found:
                    found.append(hit)
                i += n
                break
        else:
            i += 1
    return found


def _may_edge(word: str) -> bool:
    w = word.lower()
    return w not in STOPWORDS or len(w) == 1 or w in ("the", "us")


# Short words that are country codes or aliases but, in a question, almost always mean
# something else ("tell us", "in", "it", "me", "no").
_NOT_PLACES = frozenset("a an as at be by do in is it me my no of on or so to we".split())


@dataclass(frozen=True, slots=True)
class Place:
    """A place a question names that the salary lookup may not: a country by its ISO 3166
    name, or a city by its time zone (IANA tz database, shipped by ``tzdata``)."""

    name: str  # as named in the question's source data ("Austria", "London")
    country_code: str  # ISO 3166 alpha-2
    country: str  # the country's ISO 3166 English name
    is_city: bool


@lru_cache(maxsize=1)
def _world() -> tuple[dict[str, list[Place]], int]:
    """Lowercased country and city names → places, and the longest name in words."""
    tz = resources.files("tzdata") / "zoneinfo"
    countries: dict[str, str] = {}
    for line in (tz / "iso3166.tab").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            code, name = line.split("\t", 1)
            countries[code] = name.strip()
    names: dict[str, list[Place]] = {}

    def add(key: str, place: Place) -> None:
        key = " ".join(_WORD.findall(fold(key)))  # accents dropped: "são paulo" = "sao paulo"
        if key and place not in names.setdefault(key, []):
            names[key].append(place)

    for code, name in countries.items():
        place = Place(name, code, name, False)
        add(name, place)
        if "(" in name:  # "Korea (South)": also "south korea"; "Britain (UK)": also "britain"
            base, extra = name.rstrip(")").split("(", 1)
            add(base, place)
            add(f"{extra} {base}", place)
    for line in (tz / "zone.tab").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            code, _, zone = line.split("\t")[:3]
            city = zone.rsplit("/", 1)[-1].replace("_", " ")
            add(city, Place(city, code, countries.get(code, code), True))
    longest = max(len(k.split()) for k in names)
    return names, longest


def world_places(query: str) -> list[Place]:
    """Countries (ISO 3166 names) and time-zone cities named in ``query``, in order; a name
    shared by places in two countries is skipped (it can't say which is meant)."""
    names, longest = _world()

    def place(phrase: list[str]) -> Place | None:
        if len(phrase) == 1 and phrase[0] in _NOT_PLACES:
            return None
        places = names.get(" ".join(phrase))
        # A name shared by places in two countries can't say which is meant.
        return places[0] if places and len({p.country_code for p in places}) == 1 else None

    return _scan(_WORD.findall(fold(query)), longest, place)


def route(
    query: str, country: Callable[[str], str | None], covered: Mapping[str, str]
) -> Intent | None:
    """The obvious intent of ``query`` (see ``Intent``), or None for a plain search.

    ``country`` is as in ``find_places``; ``covered`` maps the ISO 3166 code of each country
    the guides give figures for to its name. A pay question naming one country is a salary
    question, naming two a salary comparison; a pay question naming only a city is answered
    for the city's country when the guides cover it, and one naming a place the guides lack
    says so (never another country's figures). "X vs Y" is a comparison.
    """
    pay = mentions_pay(query)
    sides = comparison(query)
    if not (pay or sides):
        # A country and nothing else ("germany", "deutschland"): the guides' only figures
        # for a country are its salaries.
        rest = " ".join(w for w in _WORD.findall(query) if w.lower() not in STOPWORDS)
        short = 0 < len(rest.split()) <= 4  # no country's name is longer
        name = country(rest) if short and rest.lower() not in _NOT_PLACES else None
        return Intent("salary", places=(name,)) if name else None
    places = find_places(query, country)
    if len(places) == 2:
        return Intent("salary-compare", places=tuple(places))
    if len(places) == 1 and pay:
        return Intent("salary", places=tuple(places))
    if pay and not places:
        for place in world_places(query):
            name = covered.get(place.country_code)
            if name is None:
                return Intent("salary-missing", places=(place.name,))
            if place.is_city:
                return Intent("salary", places=(name,), via=place.name)
    return Intent("compare", sides=sides) if sides else None


def _snippet(body: str, low: str, terms_: list[str]) -> str:
    """About SNIPPET characters of ``body`` (spaces collapsed; ``low`` its lowercase) around
    the first query term, cut at spaces."""
    at = min((i for i in (low.find(t) for t in terms_) if i >= 0), default=0)
    start = max(0, at - SNIPPET // 3)
    if start:
        start = body.find(" ", start) + 1 or start
    end = start + SNIPPET
    if end < len(body):
        end = body.rfind(" ", start, end) if body.rfind(" ", start, end) > start else end
    return ("…" if start else "") + body[start:end] + ("…" if end < len(body) else "")
