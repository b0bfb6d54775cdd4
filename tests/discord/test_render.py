"""The renderer keeps any Reply within Discord's limits and never loses or mangles text."""

from __future__ import annotations

import re

from discord.utils import escape_markdown
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.adapters.discord.render import _esc, clip, components_of, render, split_text
from bot.core.reply import Button, Entry, Field, Reply
from tests.discord import rules

_ESC = re.compile(r"\\(.)", re.DOTALL)  # escape_markdown may escape a line break too

words = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=0, max_size=30
)
prose = st.lists(words, max_size=600).map(" ".join)
long_word = st.integers(1, 3000).map(lambda n: "x" * n)
texts = st.one_of(prose, long_word, st.just(""), st.text(max_size=50))

buttons = st.builds(
    Button,
    label=st.text(min_size=0, max_size=120),
    action=st.one_of(
        st.integers(0, 10**6).map(lambda i: f"mle|a|{i}"),
        st.text(max_size=130).map(lambda t: "mle|" + t),
        st.text(max_size=20),
    ),
    style=st.sampled_from(["primary", "secondary", "success", "danger"]),
)

replies = st.builds(
    Reply,
    title=st.one_of(st.none(), texts),
    text=st.one_of(st.none(), texts, st.lists(prose, max_size=4).map("\n\n".join)),
    fields=st.lists(
        st.builds(Field, name=texts, value=texts, inline=st.booleans()), max_size=30
    ).map(tuple),
    items=st.lists(
        st.builds(Entry, title=texts, text=texts, source=st.one_of(st.none(), words)), max_size=40
    ).map(tuple),
    buttons=st.lists(buttons, max_size=40).map(tuple),
    footer=st.one_of(st.none(), texts),
    page=st.integers(1, 5),
    pages=st.integers(1, 5),
    ephemeral=st.booleans(),
    image=st.one_of(st.none(), st.just("https://example.org/x.png")),
    kind=st.sampled_from(["info", "success", "error"]),
)


def _norm(text: str) -> str:
    """Rendered text as the member reads it (escapes undone), whitespace ignored."""
    return "".join(_ESC.sub(r"\1", text).split())


def _plain(text: str) -> str:
    return "".join(text.split())


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(replies)
def test_any_reply_renders_within_discord_limits(reply):
    messages = render(reply)
    assert messages
    for i, out in enumerate(messages):
        payload = {"embeds": out.embeds, "components": components_of(out.buttons)}
        assert rules.message_problems(payload) == [], payload
        if i < len(messages) - 1:
            assert not out.buttons  # buttons ride on the last message only
    # Nothing is lost: description and every item text survive the splitting, in order.
    embeds = [e for m in messages for e in m.embeds]
    description = "".join(_norm(e.get("description", "")) for e in embeds)
    assert _plain(reply.text or "") in description
    values = "".join(_norm(f["value"]) for e in embeds for f in e.get("fields", []))
    cursor = 0
    for entry in reply.items:
        needle = _plain(entry.text)
        at = values.find(needle, cursor)
        assert at >= 0, entry
        cursor = at + len(needle)


markdownish = st.text(
    alphabet=st.sampled_from(list("_\\~|*`>[]()#- \nabc:/<.httpsteam"))
    | st.characters(codec="utf-8", exclude_categories=("Cs",)),
    max_size=80,
)


@settings(max_examples=500)
@given(
    st.one_of(
        markdownish,
        st.text(max_size=80),
        st.sampled_from(
            [
                "https://example.org/a_b*c",
                "<https://x.org/_y_>",
                "# t",
                "> quote",
                "- item",
                "[a](b)",
                "a\\_b",
            ]
        ),
    )
)
def test_escaping_is_exactly_discords_escape_markdown(text):
    # The renderer's precompiled escape must behave like the library function it replaces.
    assert _esc(text) == escape_markdown(text)


@given(st.text(max_size=9000), st.integers(10, 4096))
def test_split_text_respects_limit_and_keeps_words(text, limit):
    chunks = split_text(text, limit)
    assert all(0 < len(c) <= limit for c in chunks)
    assert "".join("".join(chunks).split()) == "".join(text.split())


def test_split_prefers_word_boundaries():
    text = " ".join(["gradient"] * 400)
    chunks = split_text(text, 1024)
    assert all(c.endswith("gradient") and c.startswith("gradient") for c in chunks)


def test_clip_is_at_a_word_boundary():
    assert clip("stochastic gradient descent with momentum", 25) == "stochastic gradient…"


def test_a_long_page_flows_into_more_embeds_and_messages():
    items = tuple(Entry(f"Item {i}", "word " * 199, "guide.txt") for i in range(30))
    messages = render(Reply(title="Many", items=items, buttons=(Button("Next ▶", "mle|nav|2|x"),)))
    assert len(messages) > 1
    assert sum(len(e.get("fields", [])) for m in messages for e in m.embeds) == 30
    assert messages[-1].buttons and not messages[0].buttons


def test_buttons_beyond_discords_limits_are_dropped_not_rejected():
    many = tuple(Button(f"b{i}", f"mle|x|{i}") for i in range(40)) + (
        Button("dup", "mle|x|1"),
        Button("long", "mle|" + "y" * 120),
        Button("foreign", "other|1"),
    )
    [out] = render(Reply(text="hi", buttons=many))
    assert len(out.buttons) == 25 and len({b.action for b in out.buttons}) == 25
    assert rules.components_problems(components_of(out.buttons)) == []
