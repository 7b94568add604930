"""Erasing a person's traces outside the features' records: their private chat's messages (a
delivered broadcast stays counted without recipient or text), and their name as a whole word in
messages to others, menus' messages and open conversations."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from bot.i18n import escape
from bot.storage import conversations, menus, outbox, personal
from bot.storage.conversations import Conversation
from bot.storage.db import Database

NOW = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)


async def test_name_is_scrubbed_as_a_whole_word_everywhere(db: Database) -> None:
    async with db.unit() as conn:
        to_leader = await outbox.enqueue(
            conn,
            "telegram",
            "10",
            "Tin báo của *Lê Thị Thôn* (Thôn Đông), *Lê\\_Văn* gửi.",
            [],
            NOW,
        )
        other = await outbox.enqueue(conn, "telegram", "10", "Lê Thị Thônh ký cam kết.", [], NOW)
        menu = await menus.create(
            conn,
            "telegram",
            "10",
            "10",
            ["x:1"],
            "t",
            NOW,
            NOW + timedelta(1),
            step_token="t",
            shown=("Người báo: Lê Thị Thôn", [[{"label": "OK", "action": "x:1"}]]),
        )
        await conversations.save(
            conn,
            "telegram",
            "10",
            "10",
            Conversation("f", "s", "t", {"name": "Lê Thị Thôn"}),
            NOW,
            NOW,
        )
        assert await personal.scrub_words(conn, ["Lê Thị Thôn"], escape=escape) == 3
        assert await personal.scrub_words(conn, ["Lê_Văn"], escape=escape) == 1
        assert (await outbox.get(conn, to_leader)).text == "Tin báo của *…* (Thôn Đông), *…* gửi."  # type: ignore[union-attr]
        assert (await outbox.get(conn, other)).text == "Lê Thị Thônh ký cam kết."  # type: ignore[union-attr]
        async with conn.execute("SELECT shown FROM menus WHERE id = ?", (menu,)) as cur:
            shown = json.loads((await cur.fetchone())[0])  # type: ignore[index]
        assert shown["text"] == "Người báo: …"
        async with conn.execute("SELECT data FROM conversations") as cur:
            assert json.loads((await cur.fetchone())[0]) == {"name": "…"}  # type: ignore[index]


async def test_private_chat_traces_go_and_broadcast_counts_stay(db: Database) -> None:
    async with db.unit() as conn:
        await conn.execute(
            "INSERT INTO chats (platform, chat_id, kind, created_at, updated_at)"
            " VALUES ('telegram', '7', 'private', '', '')"
        )
        reply = await outbox.enqueue(conn, "telegram", "7", "Dạ, cảm ơn anh/chị.", [], NOW)
        delivered = await outbox.enqueue(conn, "telegram", "7", "Phòng cháy", [], NOW, batch_id=3)
        waiting = await outbox.enqueue(conn, "telegram", "7", "Đuối nước", [], NOW, batch_id=4)
        await outbox.mark_sent(conn, delivered, NOW)
        await personal.erase_chat_traces(conn, "telegram", "7")
        assert await outbox.get(conn, reply) is None and await outbox.get(conn, waiting) is None
        kept = await outbox.get(conn, delivered)
        assert kept is not None and (kept.chat_id, kept.text) == ("", "")
        assert await outbox.counts(conn, 3) == {"sent": 1}
        found = await personal.footprint(conn, "telegram", "7", 1)
        assert not found.private_chat and found.outbox == 0


async def test_buttons_that_open_the_forgotten_person_are_removed(db: Database) -> None:
    async with db.unit() as conn:
        shows_them = await outbox.enqueue(
            conn, "telegram", "10", "Tin báo #1", [[{"label": "💬", "url": "tg://user?id=7"}]], NOW
        )
        shows_another = await outbox.enqueue(
            conn, "telegram", "10", "Tin báo #2", [[{"label": "💬", "url": "tg://user?id=70"}]], NOW
        )
        await personal.erase_chat_traces(conn, "telegram", "7", "tg://user?id=7")
        assert (await outbox.get(conn, shows_them)).buttons == []  # type: ignore[union-attr]
        kept = await outbox.get(conn, shows_another)
        assert kept is not None and kept.buttons[0][0]["url"] == "tg://user?id=70"
