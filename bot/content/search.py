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


@dataclass(frozen=True, slots=True)
class Doc:
    kind: str
    id: str
    title: str
    body: str
    source: str


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
            "CREATE VIRTUAL TABLE docs USING fts5(title, body, tokenize='porter unicode61')"
        )
        self._db.executemany(
            "INSERT INTO docs(rowid, title, body) VALUES (?, ?, ?)",
            [(i, d.title, d.body) for i, d in enumerate(docs)],
        )
        vocab: set[str] = set()
        for d in docs:
            vocab.update(w.lower() for w in _WORD.findall(d.title + " " + d.body))
        self._vocab = sorted(w for w in vocab if len(w) > 1)
        self._vocab_set = set(self._vocab)

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
        terms = []
        for w in words:
            fixed = self.correct(w)
            if fixed:
                terms.append(fixed)
            elif len(w) >= 2:
                terms.append(w)  # may still prefix-match ("pyt" → python)
        terms = list(dict.fromkeys(terms))
        if not terms:
            return []
        quoted = [f'"{t}"*' for t in terms]
        rows = self._run(" AND ".join(quoted), limit)
        if not rows and len(quoted) > 1:
            rows = self._run(" OR ".join(quoted), limit)
        return [
            Hit(self._docs[rowid], -score, snippet) for rowid, score, snippet in rows
        ]

    def _run(self, match: str, limit: int) -> list[tuple[int, float, str]]:
        return self._db.execute(
            "SELECT rowid, bm25(docs, 5.0, 1.0) AS s, snippet(docs, 1, '', '', '…', 24) "
            "FROM docs WHERE docs MATCH ? ORDER BY s LIMIT ?",
            (match, limit),
        ).fetchall()
