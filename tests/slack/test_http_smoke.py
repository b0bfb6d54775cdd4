from tests.scenarios import SALARY_GUIDE
from tests.slack.harness import check_message, shown


async def test_salary_germany(slack, fake):
    msg = await slack.run("salary germany")
    check_message(msg)
    text = shown(msg)
    for needle in ("€75,000", "€50,000–€120,000", SALARY_GUIDE):
        assert needle in text
    assert msg["response_type"] == "in_channel"
    print(msg)
