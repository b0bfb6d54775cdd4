"""The App Home tab: the member's profile and streak, the workspace leaderboard, today's prompt.

Each panel runs a core command (so the home shows exactly what ``/mle profile`` would) and
embeds its Block Kit. A panel whose command is not registered yet, or needs a store that is
not configured, shows a friendly line instead of failing the whole tab.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from bot.adapters.slack.blocks import MAX_HOME_BLOCKS, escape, render_blocks
from bot.core.context import Context
from bot.core.dispatch import execute
from bot.core.parse import split_words

log = logging.getLogger(__name__)

# (heading, command texts to try in order, what to say when none is available)
PANELS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    (
        "Your profile and streak",
        ("profile",),
        "Profiles and streaks appear here once the bot's storage is set up.",
    ),
    (
        "Workspace leaderboard",
        ("leaderboard",),
        "The leaderboard appears here once members start answering quizzes.",
    ),
    (
        "Today's prompt",
        ("daily today", "daily preview"),
        "Daily prompts appear here once daily study prompts are set up.",
    ),
)
PROMPT = "Today's prompt"
PANEL_BLOCKS = 28  # three panels + intro stay under the 100-block home limit


def _command_for(ctx: Context, texts: tuple[str, ...]) -> str | None:
    registry = ctx.services.registry
    for text in texts:
        words = split_words(text)
        cmd, used = registry.resolve(words)
        if cmd is not None and used == len(words):
            return text
    return None


async def prompt_channel(ctx: Context) -> str | None:
    """The first unpaused daily-prompt channel of this workspace (None when there is none)."""
    repo = getattr(ctx.services.scheduler, "repo", None)
    if repo is None:
        return None
    subs = await repo.list(ctx.platform, ctx.workspace)
    active = [s for s in subs if not getattr(s, "paused", False)]
    return active[0].channel if active else None


def _line(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": escape(text)}]}


async def panel(ctx: Context, heading: str, texts: tuple[str, ...], missing: str) -> list[dict]:
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": heading, "emoji": True}}
    ]
    text = _command_for(ctx, texts)
    if text is None or ctx.services.store is None:
        blocks.append(_line(missing))
        return blocks
    if heading == PROMPT:
        # The home tab has no channel of its own: show the prompt of the workspace's first
        # channel with an active daily subscription.
        channel = await prompt_channel(ctx)
        if channel is None:
            command = ctx.settings.slack_command
            blocks.append(
                _line(
                    f"No channel here has a daily study prompt yet. Admins: {command} daily subscribe."
                )
            )
            return blocks
        ctx = replace(ctx, channel=channel)
    reply = await execute(ctx, text)
    if reply.kind == "error":
        blocks.append(_line(reply.text or missing))
        return blocks
    # The panel heading replaces the reply's own title.
    blocks.extend(render_blocks(reply.with_(title=None), max_blocks=PANEL_BLOCKS))
    return blocks


async def build_view(ctx: Context) -> dict[str, Any]:
    """The ``home`` view for ``views.publish``."""
    command = ctx.settings.slack_command
    blocks: list[dict[str, Any]] = [
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": escape(
                    f"Study for Machine Learning Engineer roles. Type {command} help in any "
                    f"channel, e.g. {command} salary germany or {command} interview topic:statistics."
                ),
            },
        }
    ]
    for heading, texts, missing in PANELS:
        blocks.append({"type": "divider"})
        try:
            blocks.extend(await panel(ctx, heading, texts, missing))
        except Exception:  # one broken panel must not blank the whole tab
            log.exception("home panel %s failed", heading)
            blocks.append(_line("This part is unavailable right now."))
    return {"type": "home", "blocks": blocks[:MAX_HOME_BLOCKS]}
