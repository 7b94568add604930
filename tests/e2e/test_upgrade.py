"""A database of the release before text ids (schema 14, Telegram ids stored as integers)
upgrades in place when today's bot starts on it: every id is kept (as text), the conversation a
resident left half-way goes on, the menu an officer left open in a group still answers, and the
message that was waiting in the outbox reaches its group. The file was made by the code of that
release (tests/fixtures/make_release_db.py)."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from tests.e2e.harness import ChatUser, RunningBot, fixed_clock, group_chat
from tests.e2e.test_reports import rows, settle
from tests.fakebotapi import Call, FakeBotAPI
from tests.fixtures.make_release_db import LINKED, OPEN_MENU, START, SUPERGROUP_ID

RELEASE_DB = Path(__file__).parent.parent / "fixtures" / "release_0014.sqlite3"


def _release_copy(tmp_path: Path) -> tuple[Path, dict[str, object]]:
    """A copy of the release's file, and what it holds before the upgrade."""
    database = tmp_path / "bot.sqlite3"
    shutil.copyfile(RELEASE_DB, database)
    conn = sqlite3.connect(database)
    try:
        before = {
            "version": conn.execute("PRAGMA user_version").fetchone()[0],
            "members": conn.execute("SELECT id, user_id FROM members ORDER BY id").fetchall(),
            "chats": conn.execute("SELECT id, chat_id, kind FROM chats ORDER BY id").fetchall(),
            "offset": int(
                conn.execute("SELECT value FROM kv WHERE key = 'telegram.offset'").fetchone()[0]
            ),
            "menu": conn.execute(
                "SELECT id FROM menus WHERE chat_id = ?", (OPEN_MENU["id"],)
            ).fetchone()[0],
            "counts": {
                table: conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                for table in ("roles", "menus", "conversations", "outbox", "audit_log")
            },
        }
    finally:
        conn.close()
    return database, before


@pytest.mark.sqlite_only(reason="upgrades a released SQLite file in place")
async def test_release_database_upgrades_in_place_and_still_answers(
    api: FakeBotAPI, tmp_path: Path
) -> None:
    database, before = _release_copy(tmp_path)
    assert before["version"] == 14
    assert all(isinstance(user_id, int) for _, user_id in before["members"])  # type: ignore[attr-defined]
    api.continue_updates_from(before["offset"])  # type: ignore[arg-type]
    bot = RunningBot(api, database, admins="42", clock=fixed_clock(START + timedelta(hours=1)))
    await bot.start()
    try:
        # The message the release left waiting in the outbox reaches the linked group.
        waiting = await api.wait_for(
            lambda c: c.chat_id == LINKED["id"] and "Tin nhắn còn chờ gửi" in c.text
        )
        assert waiting.method == "sendMessage"

        # Every id is kept, now as text; the tables lost no row.
        members = await rows(bot, "SELECT id, user_id, typeof(user_id) AS t FROM members")
        assert sorted((m["id"], m["user_id"]) for m in members) == [
            (member_id, str(user_id))
            for member_id, user_id in before["members"]  # type: ignore[attr-defined]
        ]
        assert {m["t"] for m in members} == {"text"}
        found = await rows(bot, "SELECT id, chat_id, kind FROM chats ORDER BY id")
        assert [(c["id"], c["chat_id"], c["kind"]) for c in found] == [
            (row_id, str(chat_id), kind)
            for row_id, chat_id, kind in before["chats"]  # type: ignore[attr-defined]
        ]
        assert str(SUPERGROUP_ID) in {c["chat_id"] for c in found}
        for table, count in before["counts"].items():  # type: ignore[attr-defined]
            now = (await rows(bot, f"SELECT COUNT(*) AS n FROM {table}"))[0]["n"]
            assert now >= count, table

        # The resident's report goes on from where the release left it (the description).
        an = ChatUser(api, 2001, "Nguyễn Văn An")
        lan = ChatUser(api, 2002, "Trần Thị Lan")
        asked = await settle(api, an.send("Có người đổ rác ra đường làng"))
        assert any("Tiếp tục" in label for label in asked.labels)
        await settle(api, an.press("Tiếp tục"))
        await settle(api, an.press("Thôn Đông"))
        await settle(api, an.send("Đầu ngõ 5"))
        await settle(api, an.press("Không"))
        sent = len(api.calls)
        done = await settle(api, an.press("Gửi kèm tên"))
        assert "cảm ơn" in done.text
        # The leader the officer made before the upgrade gets it in her private chat.
        notice = await api.wait_for(
            lambda c: c.chat_id == lan.id and "Tin báo mới" in c.text, after=sent
        )
        assert "Có người đổ rác ra đường làng" in notice.text
        report = (await rows(bot, "SELECT reporter_member_id, category FROM reports"))[0]
        assert report == {"reporter_member_id": 4, "category": "littering"}

        # The /linkgroup menu the officer left open in a group before the upgrade answers.
        hung = ChatUser(api, 2003, "Lê Văn Hùng")
        menu = before["menu"]
        shown = Call(
            "sendMessage",
            {
                "chat_id": OPEN_MENU["id"],
                "message_id": 900,
                "text": "Chọn thôn, tổ dân phố của nhóm này",
                "reply_markup": {
                    "inline_keyboard": [
                        [{"text": "Thôn Đông", "callback_data": f"{menu}:0"}],
                        [{"text": "Thôn Tây", "callback_data": f"{menu}:1"}],
                    ]
                },
            },
        )
        linked = await hung.press("Thôn Tây", OPEN_MENU, in_call=shown)
        assert linked.chat_id == OPEN_MENU["id"] and "Thôn Tây" in linked.text
        group = await rows(
            bot,
            "SELECT a.code FROM chats c JOIN areas a ON a.id = c.area_id WHERE c.chat_id = ?",
            (str(OPEN_MENU["id"]),),
        )
        assert group == [{"code": "TAY"}]

        # Roles still belong to the same people: the officer's help lists officer commands,
        # and the admin named by XOMANTOAN_ADMINS (a Telegram user id) may still grant roles.
        officer_help = await hung.send("/help")
        assert "/capquyen" in officer_help.text
        admin = ChatUser(api, 42, "Quản trị")
        grant = await admin.send("/grant")
        assert "Cán bộ Công an xã, phường" in grant.labels

        # A group that became a supergroup before the upgrade is answered at its new id.
        answer = await hung.send("/help", group_chat(SUPERGROUP_ID, "Nhóm Liên gia", "supergroup"))
        assert answer.chat_id == SUPERGROUP_ID
    finally:
        await bot.stop()
