"""Admin-configured pings: parsed per platform, stored tagged, never produced by free text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.commands.daily import stored_role
from bot.core.mentions import decode, encode, parse_role
from bot.core.reply import RoleMention
from bot.core.safety import neutralize

ROLE = "123456789012345678"


def test_discord_takes_a_role_mention_or_id():
    assert parse_role("discord", f"<@&{ROLE}>") == RoleMention("role", ROLE, f"role {ROLE}")
    assert parse_role("discord", f" {ROLE} ") == RoleMention("role", ROLE, f"role {ROLE}")
    for text in ("@everyone", "@here", f"<@{ROLE}>", f"<#{ROLE}>", "Data scientists", "<@&12>"):
        assert parse_role("discord", text) is None, text


def test_slack_takes_a_user_group_or_an_explicit_broadcast():
    assert parse_role("slack", "<!subteam^S0123ABCD|@ml-crew>") == RoleMention(
        "group", "S0123ABCD", "@ml-crew"
    )
    assert parse_role("slack", "S0123ABCDE").kind == "group"
    assert parse_role("slack", "@here") == RoleMention("here", "", "@here")
    assert parse_role("slack", "<!channel>") == RoleMention("channel", "", "@channel")
    for text in ("here", "channel", "everyone", "@everyone", "<@U0001>", "Study crew", "S1"):
        assert parse_role("slack", text) is None, text


def test_the_console_never_pings():
    for text in (f"<@&{ROLE}>", "@here", "S0123ABCDE"):
        assert parse_role("console", text) is None


def test_encode_decode_round_trip_and_malformed_values():
    for m in (
        RoleMention("role", ROLE, "role"),
        RoleMention("group", "S0123ABCD", "@crew"),
        RoleMention("here", "", "@here"),
    ):
        assert decode(encode(m)) == m and len(encode(m)) <= 100
    assert decode("\x1fmention:role:abc:x") is None
    assert decode("\x1fmention:group:U0001:x") is None
    assert decode("\x1fmention:here:X:x") is None
    assert decode("mention:role:123:x") is None and decode(None) is None


@given(st.text(max_size=120))
def test_free_text_never_becomes_a_mention(text):
    # What members type (and any role text stored as plain text) can never decode into a ping.
    assert decode(neutralize(text, 100)) is None
    for platform in ("discord", "slack", "console"):
        stored = stored_role(platform, text)
        if decode(stored) is not None:
            # Only an admin's explicit mention syntax is stored as a mention.
            assert parse_role(platform, text) is not None
