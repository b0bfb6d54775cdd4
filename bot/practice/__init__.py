"""The practice engine: the rules of practice, with the store keeping the rows.

* ``selection`` — what to ask next: least-seen items of a pool first, never the same twice in
  a row (a new cycle starts once the pool is exhausted).
* ``scoring`` — shuffled option orders stored with each quiz post, and how an answer is graded.
* ``checkins`` — which daily-prompt check-ins count: a prompt delivered to that channel, during
  its local day plus a short grace.
* ``streaks`` — study days, schedule-aware gaps and streak freezes.
* ``feedback`` — the line every answer's reply ends with: total, streak, rank change.

Commands stay thin: parse, call the engine and the store, build a Reply.
"""
