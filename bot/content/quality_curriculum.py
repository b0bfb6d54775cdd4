"""Teaching-order checks for the curriculum, run by ``python -m bot content check``.

A lesson may declare the concepts it ``requires`` and the ones it ``introduces``. A channel
follows one track: the lessons tagged with it, in the file's order (see
``scheduler.curriculum``). For every track, a lesson that requires a concept the track
introduces must come after the lesson that introduces it; a concept the track never
introduces is assumed background for that track, but some lesson of the curriculum must
introduce it (so a typo in a concept name is caught). Every lesson's resource must exist.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.content.schema import Lesson, Resource


def check_curriculum(lessons: Sequence[Lesson], resources: Iterable[Resource]) -> list[str]:
    """Return one message per problem (empty when the curriculum is sound).

    Problems: a resource id that no resources*.yaml item has; a required concept that no
    lesson introduces; a required concept that the lesson's own track introduces only at or
    after the lesson (teaching order broken); a lesson id used twice.
    """
    from scheduler.curriculum import TRACKS, sequence

    problems: list[str] = []
    known = {r.id for r in resources}
    seen_ids: set[str] = set()
    for lesson in lessons:
        if lesson.id in seen_ids:
            problems.append(f"curriculum: {lesson.id}: the id is used by two lessons")
        seen_ids.add(lesson.id)
        if lesson.resource not in known:
            problems.append(
                f"curriculum: {lesson.id}: resource '{lesson.resource}' is not in resources*.yaml"
            )

    introduced_anywhere = {c for lesson in lessons for c in lesson.introduces}
    for lesson in lessons:
        for concept in lesson.requires:
            if concept not in introduced_anywhere:
                problems.append(
                    f"curriculum: {lesson.id}: requires '{concept}', which no lesson introduces"
                )

    reported: set[tuple[str, str]] = set()
    for track in TRACKS:
        seq = sequence(lessons, track)
        first: dict[str, int] = {}
        for pos, lesson in enumerate(seq):
            for concept in lesson.introduces:
                first.setdefault(concept, pos)
        for pos, lesson in enumerate(seq):
            for concept in lesson.requires:
                at = first.get(concept)
                if at is not None and at >= pos and (lesson.id, concept) not in reported:
                    reported.add((lesson.id, concept))
                    problems.append(
                        f"curriculum: {lesson.id}: requires '{concept}', which track {track} "
                        f"introduces later (in {seq[at].id})"
                    )
    return problems
