"""Ranked, typo-tolerant full-text search over all content.

SQLite FTS5 (in memory, built at start-up from the validated content) ranks by BM25 with
titles weighted above bodies. Words the index has never seen are corrected to the closest
indexed word with rapidfuzz, so "gradiant desent" still finds gradient descent.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

from rapidfuzz import fuzz, process

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# Words that carry no meaning in a query; dropped when other words remain.
STOPWORDS = frozenset(
    "a an and are as at be by can do does for from how i in is it me my of on or should "
    "the to what when where which who why will with you your".split()
)
SNIPPET = 200


@dataclass(frozen=True, slots=True)
class Doc:
    kind: str
    id: str
    title: str
    body: str  # shown in snippets
    source: str
    keywords: str = ""  # indexed, never shown (tags, kinds, aliases)


@dataclass(frozen=True, slots=True)
class Hit:
    doc: Doc
    score: float
    snippet: str


class SearchIndex:
    def __init__(self, docs: list[Doc]) -> None:
        self._docs = docs
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.execute(
            "CREATE VIRTUAL TABLE docs USING fts5(title, body, keywords, tokenize='porter unicode61')"
        )
        self._db.executemany(
            "INSERT INTO docs(rowid, title, body, keywords) VALUES (?, ?, ?, ?)",
            [(i, d.title, d.body, d.keywords) for i, d in enumerate(docs)],
        )
        vocab: set[str] = set()
        for d in docs:
            vocab.update(w.lower() for w in _WORD.findall(f"{d.title} {d.body} {d.keywords}"))
        self._vocab_set = vocab
        self._vocab = sorted(w for w in vocab if len(w) > 2)  # candidates for typo fixes

    def __len__(self) -> int:
        return len(self._docs)

    def correct(self, word: str) -> str | None:
        """The indexed word closest to ``word`` (itself when indexed), or None."""
        w = word.lower()
        if w in self._vocab_set or len(w) < 3:
            return w if w in self._vocab_set else None
        hit = process.extractOne(w, self._vocab, scorer=fuzz.ratio, score_cutoff=75)
        return hit[0] if hit else None

    def search(self, query: str, limit: int = 50) -> list[Hit]:
        words = [w.lower() for w in _WORD.findall(query)][:12]
        meaningful = [w for w in words if w not in STOPWORDS]
        words = meaningful or words
        # An unknown word is kept as is: it may still prefix-match ("pyt" → python).
        terms = list(dict.fromkeys(self.correct(w) or w for w in words))
        if not terms:
            return []
        # Short words match exactly ("c", "r", "ml"); longer ones also as a prefix.
        quoted = [f'"{t}"' if len(t) < 3 else f'"{t}"*' for t in terms]
        rows = self._run(" AND ".join(quoted), limit)
        if not rows and len(quoted) > 1:
            rows = self._run(" OR ".join(quoted), limit)
        return [
            Hit(self._docs[rowid], -score, _snippet(self._docs[rowid].body, terms))
            for rowid, score in rows
        ]

    def _run(self, match: str, limit: int) -> list[tuple[int, float]]:
        return self._db.execute(
            "SELECT rowid, bm25(docs, 5.0, 1.0, 1.0) AS s FROM docs WHERE docs MATCH ? ORDER BY s LIMIT ?",
            (match, limit),
        ).fetchall()


def _snippet(body: str, terms: list[str]) -> str:
    """About SNIPPET characters of ``body`` around the first query term, cut at spaces."""
    body = " ".join(body.split())
    low = body.lower()
    at = min((i for i in (low.find(t) for t in terms) if i >= 0), default=0)
    start = max(0, at - SNIPPET // 3)
    if start:
        start = body.find(" ", start) + 1 or start
    end = start + SNIPPET
    if end < len(body):
        end = body.rfind(" ", start, end) if body.rfind(" ", start, end) > start else end
    return ("…" if start else "") + body[start:end] + ("…" if end < len(body) else "")
