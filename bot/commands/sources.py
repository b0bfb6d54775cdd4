"""/sources: the career guides every fact cites, by title, with the file each title stands for."""

from __future__ import annotations

from collections import Counter

from bot.content import AUTHORED_LABEL
from bot.content.schema import AUTHORED
from bot.core.context import Context
from bot.core.registry import command
from bot.core.reply import Entry, Reply


@command(
    "sources",
    description="The guides behind every fact: titles and the files to check them against",
    examples=["/sources"],
    needs_store=False,
)
async def sources(ctx: Context) -> Reply:
    content = ctx.content
    cited = Counter(item.source for (kind, _), item in content.by_id.items() if kind != "guides")
    items = []
    for guide in content.guides.values():
        bits = [f"File: {guide.file}", f"{cited[guide.file]} items cite it"]
        if guide.publisher:
            bits.append(f"published by {guide.publisher}")
        text = " · ".join(bits)
        if guide.note:
            text += f"\n{guide.note}"
        items.append(Entry(guide.title, text))
    items.append(
        Entry(
            "Authored",
            f"{cited[AUTHORED]} items are {AUTHORED_LABEL}: interview and quiz questions, the "
            "study plan, links and editor's notes where a guide is wrong or dated.",
        )
    )
    return Reply(
        title="Sources",
        text="Every fact names the guide it comes from; members see the guide's title.",
        items=tuple(items),
    )
