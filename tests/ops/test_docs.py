"""The docs state what the code does: authored counts (counted here, not by hand), the Discord
permissions integer, the Slack scopes, the contributor guide."""

from __future__ import annotations

import re

import discord
import yaml

from tests.ops.helpers import ROOT

README = (ROOT / "README.md").read_text()


def counts() -> dict[str, dict[str, int]]:
    """Per content file: how many items are ``authored`` and how many come from a guide."""
    result = {}
    for path in sorted((ROOT / "content").glob("*.yaml")):
        items = yaml.safe_load(path.read_text()) or []
        authored = sum(1 for item in items if item.get("source") == "authored")
        result[path.stem] = {"authored": authored, "guides": len(items) - authored}
    return result


def test_authored_counts_in_the_readme():
    c = counts()
    interview_authored = c["interview_authored"]["authored"] + c["interview_guides"]["authored"]
    interview_guides = c["interview_authored"]["guides"] + c["interview_guides"]["guides"]
    resources = c["resources"]["authored"] + c["resources_authored"]["authored"]
    sentence = (
        f"({interview_authored} interview questions with answer outlines, "
        f"{c['quiz']['authored']} quiz questions, a {c['curriculum']['authored']}-lesson "
        f"curriculum, {resources} recommended resources) is marked `authored` — the other "
        f"{interview_guides} interview questions and {c['quiz']['guides']} quiz questions come "
        "from the guides"
    )
    assert " ".join(sentence.split()) in " ".join(README.split())


def test_discord_invite_permissions_are_what_the_bot_uses():
    needed = discord.Permissions(
        view_channel=True,
        send_messages=True,
        embed_links=True,
        attach_files=True,
        create_public_threads=True,  # /daily subscribe thread:on
    )
    assert needed.value == 34359790592
    for doc in (README, (ROOT / "docs" / "discord.md").read_text()):
        assert set(re.findall(r"permissions=(\d+)", doc)) == {str(needed.value)}


def test_slack_scopes_documented_match_the_manifest():
    manifest = yaml.safe_load((ROOT / "slack-manifest.yaml").read_text())
    scopes = manifest["oauth_config"]["scopes"]["bot"]
    assert "im:write" not in scopes and "im:write" not in README.split("## Set-up on Slack")[1]
    assert all(f"`{s}`" in README for s in scopes)


def test_contributing_replaces_the_team_note():
    assert not (ROOT / "docs" / "TEAM.md").exists()
    text = (ROOT / "CONTRIBUTING.md").read_text()
    for heading in ("## Set-up", "## Layout", "## Adding a command", "## Adding a content item"):
        assert heading in text
    assert "make lint" in text and "make test" in text
    assert "/work/" not in text  # no machine-specific paths
    assert "make lint" in (ROOT / ".ci" / "run").read_text()
