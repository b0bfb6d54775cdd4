"""The Block Kit renderer keeps every Slack limit for ANY Reply, and escapes what Slack parses."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.adapters.slack.blocks import clip, escape, render, render_blocks
from bot.core.reply import Button, Entry, Field, Reply
from tests.slack.harness import check_blocks, check_message

# Text that stresses escaping and limits: Slack's specials, entities, long runs, emoji.
nasty = st.one_of(
    st.text(max_size=60),
    st.text(alphabet="&<>*_~`!@#|: \n", max_size=300),
    st.sampled_from(["<!everyone>", "<@U123>", "<#C1|x>", "<https://x.y|z>", "&amp;", "&", "🙂"]),
    st.integers(300, 1200).map(lambda n: "a <&> b\n" * n),  # 2700–10800 chars
)
ids = st.text(alphabet="abcdefgh.|0123", min_size=0, max_size=120).map(lambda s: "mle|" + s)

fields = st.builds(Field, name=nasty, value=nasty, inline=st.booleans())
entries = st.builds(Entry, title=nasty, text=nasty, source=st.none() | nasty)
buttons = st.builds(
    Button,
    label=nasty,
    action=ids,
    style=st.sampled_from(["primary", "secondary", "success", "danger"]),
)
replies = st.builds(
    Reply,
    title=st.none() | nasty,
    text=st.none() | nasty,
    fields=st.lists(fields, max_size=30).map(tuple),
    items=st.lists(entries, max_size=70).map(tuple),
    buttons=st.lists(buttons, max_size=30).map(tuple),
    footer=st.none() | nasty,
    page=st.integers(1, 9),
    pages=st.integers(1, 9),
    ephemeral=st.booleans(),
    image=st.none()
    | st.sampled_from(
        ["https://example.com/a.png", "http://insecure/x.png", "https://" + "a" * 4000]
    ),
    kind=st.sampled_from(["info", "success", "error"]),
    replace=st.booleans(),
)


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(replies)
def test_any_reply_fits_slack_limits(reply):
    check_message(render(reply))


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(replies)
def test_home_panels_fit_their_budget(reply):
    check_blocks(render_blocks(reply, max_blocks=28), max_blocks=28)


@given(st.text(max_size=200))
def test_escape_leaves_no_specials(text):
    out = escape(text)
    assert "<" not in out and ">" not in out
    assert out.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&") == text


@given(st.text(alphabet="a&<>", max_size=500), st.integers(2, 400))
def test_clip_never_splits_an_entity(text, limit):
    out = clip(escape(text), limit)
    assert len(out) <= limit
    body = out.removesuffix("…")
    # Every & that remains starts a whole entity.
    import re

    assert re.sub(r"&(amp|lt|gt);", "", body).count("&") == 0


def test_small_reply_layout():
    reply = Reply(
        title="Title",
        text="Hello <@U1> & co",
        fields=(Field("A", "1"), Field("B", "2"), Field("Long", "wide", inline=False)),
        items=(Entry("Item", "text", "src.txt"),),
        buttons=(Button("Go", "mle|go|1", "primary"), Button("Go", "mle|go|1")),
        footer="Source: src.txt",
        page=2,
        pages=3,
    )
    blocks = render(reply)["blocks"]
    assert [b["type"] for b in blocks] == [
        "header",
        "section",
        "section",
        "section",
        "section",
        "context",
        "context",
        "actions",
    ]
    assert blocks[1]["text"]["text"] == "Hello &lt;@U1&gt; &amp; co"
    assert blocks[3]["fields"][0]["text"] == "*A*\n1"
    assert blocks[6]["elements"][0]["text"] == "Page 2 of 3 · Source: src.txt"
    first, second = blocks[7]["elements"]
    # Same id twice: action_ids differ (Slack requires it), values keep the real id.
    assert first["action_id"] != second["action_id"]
    assert first["value"] == second["value"] == "mle|go|1"
    assert first["style"] == "primary" and "style" not in second


def test_long_lists_pack_into_fewer_blocks():
    items = tuple(Entry(f"Item {i}", "x" * 50, f"src{i}.txt") for i in range(60))
    blocks = render(Reply(title="Many", items=items))["blocks"]
    check_blocks(blocks)
    text = "".join(b["text"]["text"] for b in blocks if b["type"] == "section")
    assert all(f"Item {i}*" in text and f"src{i}.txt" in text for i in range(60))


def test_error_reply_is_marked():
    blocks = render(Reply(text="Nope", kind="error", ephemeral=True))["blocks"]
    assert blocks[0]["text"]["text"] == ":warning: Nope"
