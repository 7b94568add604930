"""A long outbox message goes out in parts; a part refused for a while does not send the parts
before it again (found by the soak's review of the outbox sender)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.storage import outbox
from bot.storage.db import Database
from tests.conftest import seed_areas
from tests.e2e.harness import RunningBot
from tests.fakebotapi import FakeBotAPI


@pytest.mark.parametrize(
    ("code", "description", "parameters"),
    [
        (429, "Too Many Requests: retry after 1", {"retry_after": 1}),
        (502, "Bad Gateway", None),
    ],
)
async def test_a_long_message_refused_halfway_sends_only_the_rest_again(
    api: FakeBotAPI,
    bot: RunningBot,
    code: int,
    description: str,
    parameters: dict[str, int] | None,
) -> None:
    chat = 3401
    lines = [f"Dòng {n}: bà con nhớ khóa cửa, tắt bếp trước khi ra khỏi nhà." for n in range(130)]
    text = "\n".join(lines)
    assert len(text) > 4096  # two parts
    # The first part goes through; the second is refused once (a 429, a 5xx: surely not sent).
    api.fail("sendMessage", code, description, chat_id=chat, parameters=parameters, after=1)
    db = await Database.open(bot.database)
    async with db.unit() as conn:
        queued = await outbox.enqueue(conn, "telegram", str(chat), text, [], datetime.now(UTC))
    await api.wait_until(
        lambda: any("Dòng 129" in c.text and c.status == 200 for c in api.sent(chat)),
        timeout=20,
    )
    await api.wait_idle(quiet=0.3)
    calls = api.sent(chat)
    assert [c.status for c in calls] == [200, code, 200]
    delivered = [c.text for c in calls if c.status == 200]
    assert "\n".join(delivered) == text  # every line once, in order
    async with db.read() as conn:
        assert await outbox.status_of(conn, queued) == "sent"
    await db.close()


async def test_a_part_that_got_no_answer_is_not_sent_again_and_the_rest_follow(
    api: FakeBotAPI, tmp_path: Path
) -> None:
    database = tmp_path / "bot.sqlite3"
    await seed_areas(database)
    bot = RunningBot(api, database, read_timeout=1.0)
    await bot.start()
    chat = 3402
    text = "\n".join(
        f"Dòng {n}: bà con nhớ khóa cửa trước khi ra khỏi nhà nhé." for n in range(130)
    )
    api.hang("sendMessage", chat_id=chat)  # the first part: done, but answered too late
    db = await Database.open(database)
    async with db.unit() as conn:
        queued = await outbox.enqueue(conn, "telegram", str(chat), text, [], datetime.now(UTC))
    try:
        await api.wait_until(lambda: any("Dòng 129" in c.text for c in api.sent(chat)), timeout=20)
        await api.wait_idle(quiet=0.3)
        delivered = [c.text for c in api.sent(chat)]
        assert "\n".join(delivered) == text  # the unsure part once, then the rest
        async with db.read() as conn:
            assert await outbox.status_of(conn, queued) == "sent"
    finally:
        api.release()
        await db.close()
        await bot.stop()
