"""The polling offset is kept once per batch of updates: after a restart nothing already
answered is answered again, and a batch of several updates is answered in full."""

from __future__ import annotations

from bot.storage import kv
from bot.storage.db import Database
from tests.e2e.harness import ChatUser, RunningBot
from tests.fakebotapi import FakeBotAPI


async def test_a_batch_is_answered_once_and_not_again_after_a_restart(
    api: FakeBotAPI, bot: RunningBot
) -> None:
    an = ChatUser(api, 4001, "Nguyễn Văn An")
    await bot.stop()
    # Three updates waiting together: the bot fetches them in one getUpdates.
    last = 0
    for text in ("/trogiup", "xin chào", "/help"):
        last = await an.send_only(text)
    await bot.start()
    await api.wait_for(lambda c: len(api.sent(an.id)) >= 3)
    await api.wait_idle(quiet=0.3)
    answered = len(api.sent(an.id))
    assert answered == 3

    await bot.stop()
    db = await Database.open(bot.database)
    async with db.read() as conn:
        assert await kv.get(conn, "telegram.offset") == str(last + 1)
    await db.close()
    await bot.start()
    await api.wait_idle(quiet=0.3)
    assert len(api.sent(an.id)) == answered
