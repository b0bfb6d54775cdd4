from tests.discord.conftest import shown


async def test_salary_germany(fake, bot, guild):
    inter = fake.command(
        guild,
        "salary",
        [
            {
                "type": 1,
                "name": "show",
                "options": [{"type": 3, "name": "country", "value": "germany"}],
            }
        ],
    )
    cb = await fake.interact(inter)
    assert cb.type == 4
    msg = await fake.settle(inter["token"])
    text = shown(msg)
    assert "€75,000" in text and "€50,000" in text and "€120,000" in text
    assert "002_3ef0363f478912e4.txt" in text
    assert cb.data["allowed_mentions"] == {"parse": []}
    assert fake.sessions[0].query.get("compress") == "zlib-stream"
