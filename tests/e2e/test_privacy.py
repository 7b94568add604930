"""/mydata shows everything stored about a person and /forgetme removes all of it: the public
pledge board in the group is edited so the name is gone, the export no longer has the name or
address, no row of any table keeps the person's id, name or address (on either engine), and the
SQLite file holds no trace of the name."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from bot.storage import pledges as repo
from bot.storage.db import Database
from tests.e2e.harness import ChatUser, RunningBot, add_bot_to_group, group_chat
from tests.e2e.test_onboarding import register
from tests.e2e.test_pledges import grant, open_campaign, sign
from tests.fakebotapi import FakeBotAPI
from tests.postgresql import database_setting

GROUP = group_chat(-100700, "Thôn Đông - bà con")
NAME = "Lê Thị Thôn"
ADDRESS = "Số 19, ngõ Chùa Keo"


def traces(database: Path, needles: list[str]) -> list[str]:
    """The needles found in the database file and its write-ahead log, byte for byte."""
    found = []
    for path in (database, database.with_name(database.name + "-wal")):
        if not path.exists():
            continue
        data = path.read_bytes()
        for needle in needles:
            for form in ("NFC", "NFD"):
                if unicodedata.normalize(form, needle).encode() in data:
                    found.append(f"{needle!r} in {path.name}")
    return found


async def rows_naming(database: Path, user_id: int, needles: list[str]) -> list[str]:
    """Every row of every table (on either engine) holding the person's platform id (as a
    value, or as a whole number inside a text such as JSON) or one of the needles (in NFC or
    NFD)."""
    forms = {unicodedata.normalize(f, n) for n in needles for f in ("NFC", "NFD")}
    number = re.compile(rf"(?<![0-9]){user_id}(?![0-9])")
    found = []
    db = await Database.open(database)
    try:
        async with db.read() as conn:
            tables_sql = (
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                if conn.dialect.name == "sqlite"
                else "SELECT table_name FROM information_schema.tables"
                " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
            )
            for (table,) in await conn.execute_fetchall(tables_sql):
                for row in await conn.execute_fetchall(f"SELECT * FROM {table}"):
                    for value in row:
                        text = value.decode(errors="replace") if isinstance(value, bytes) else value
                        hit = value == user_id or (
                            isinstance(text, str)
                            and (bool(number.search(text)) or any(f in text for f in forms))
                        )
                        if hit:
                            found.append(f"{table}: {[str(v)[:60] for v in row]}")
                            break
    finally:
        await db.close()
    return found


async def test_forgetme_removes_the_name_everywhere(api: FakeBotAPI, bot: RunningBot) -> None:
    await open_campaign(bot)
    officer = ChatUser(api, 42, "Công An Xã")
    await register(api, officer)
    leader = ChatUser(api, 3010, "Trưởng Thôn")
    await register(api, leader)
    await grant(bot, leader.id, "leader", "DONG")
    thon = ChatUser(api, 3011, NAME)
    await register(api, thon)

    # The leader reminds her privately (an outbox row to her chat), then she signs, publicly.
    status = await leader.send("/pledgestatus")
    await leader.press("Nhắc riêng", in_call=status)
    await leader.press("Gửi lời nhắc")
    await api.wait_for(lambda c: c.chat_id == thon.id and "tổ trưởng nhắc" in c.text)
    await sign(thon, NAME, ADDRESS, public=True)
    await thon.send("/subscribe")

    # The board in the area's group lists her.
    await add_bot_to_group(api, officer, GROUP)
    await api.wait_for(lambda c: c.chat_id == GROUP["id"])
    await officer.send("/linkgroup", GROUP)
    await officer.press("Thôn Đông", GROUP)
    board = await leader.send("/pledgeboard", GROUP)
    assert NAME in board.text
    board_id = board.params["message_id"]

    # /mydata shows all of it, including the messages kept for her and the private chat.
    data = await thon.send("/mydata")
    assert NAME in data.text and ADDRESS in data.text
    assert "hộp thư đi" in data.text  # the reminder in the outbox
    assert "trò chuyện riêng" in data.text  # the private chat record

    # The search finds her where she is kept, before she asks to be forgotten.
    kept = await rows_naming(bot.database, thon.id, [NAME, ADDRESS])
    assert {r.split(":")[0] for r in kept} >= {"members", "chats", "pledges", "outbox"}

    await thon.send("/forgetme")
    done = await thon.press("🗑")
    assert "xóa" in done.text

    # The board message in the group is edited: the name is gone, the count stays.
    edited = await api.wait_for(
        lambda c: (
            c.method == "editMessageText"
            and c.chat_id == GROUP["id"]
            and c.params.get("message_id") == board_id
        )
    )
    assert NAME not in edited.text and "1/120" in edited.text

    # The officer's pledge export keeps the household's row, without her name and address.
    await officer.send("/pledgeexport")
    document = await officer.press("Thôn Đông")
    exported = document.params["document"]["data"].decode("utf-8-sig")
    assert "DONG-" in exported and "tên đã được xóa" in exported
    assert NAME not in exported and ADDRESS not in exported
    await api.wait_idle()

    # The household's pledge stays for the area's figures, without her name and address.
    db = await Database.open(bot.database)
    async with db.read() as conn:
        pledges = await repo.in_campaign(conn, 1, standing_only=False)
    await db.close()
    assert len(pledges) == 1
    assert NAME not in pledges[0].head_name and ADDRESS not in pledges[0].address
    assert not pledges[0].public

    # No row of any table keeps her id, her name or her address (on either engine)...
    assert await rows_naming(bot.database, thon.id, [NAME, ADDRESS, "le thi thon"]) == []
    # ... and on SQLite the file's pages that held them were overwritten (secure_delete). On
    # PostgreSQL the server's own storage keeps a deleted row's old version until its vacuum.
    if not str(database_setting(bot.database)).startswith("postgresql://"):
        assert traces(bot.database, [NAME, ADDRESS, "le thi thon"]) == []
    assert "không lưu" in (await thon.send("/mydata")).text


async def test_a_withdrawn_pledge_leaves_the_posted_board(api: FakeBotAPI, bot: RunningBot) -> None:
    await open_campaign(bot)
    officer = ChatUser(api, 42, "Công An Xã")
    await register(api, officer)
    dung = ChatUser(api, 3021, "Phạm Dũng")
    await register(api, dung)
    await sign(dung, "Phạm Văn Dũng", "Số 5", public=True)
    await add_bot_to_group(api, officer, GROUP)
    await api.wait_for(lambda c: c.chat_id == GROUP["id"])
    await officer.send("/linkgroup", GROUP)
    await officer.press("Thôn Đông", GROUP)
    board = await officer.send("/pledgeboard", GROUP)
    assert "Phạm Văn Dũng" in board.text and "1/120" in board.text

    await dung.send("/pledge")
    await dung.press("Rút cam kết")
    await dung.press("Có, rút cam kết")
    edited = await api.wait_for(
        lambda c: (
            c.method == "editMessageText"
            and c.params.get("message_id") == board.params["message_id"]
        )
    )
    assert "Phạm Văn Dũng" not in edited.text and "0/120" in edited.text


async def test_staff_read_their_data_as_staff(api: FakeBotAPI, bot: RunningBot) -> None:
    """/mydata and /forgetme follow the reader: an officer and a team leader read "đồng chí",
    a resident "anh/chị"."""
    officer = ChatUser(api, 3031, "Công An Xã")
    leader = ChatUser(api, 3032, "Trưởng Thôn")
    resident = ChatUser(api, 3033, "Lê Thị Dân")
    for person in (officer, leader, resident):
        await register(api, person)
    await grant(bot, officer.id, "officer")
    await grant(bot, leader.id, "leader", "DONG")
    for staff in (officer, leader):
        data = await staff.send("/mydata")
        assert "đồng chí" in data.text.lower() and "anh/chị" not in data.text.lower()
        ask = await staff.send("/forgetme")
        assert "đồng chí" in ask.text.lower() and "anh/chị" not in ask.text.lower()
        kept = await staff.press("Giữ lại")
        assert "anh/chị" not in kept.text.lower()
    data = await resident.send("/mydata")
    assert "anh/chị" in data.text.lower() and "đồng chí" not in data.text.lower()
