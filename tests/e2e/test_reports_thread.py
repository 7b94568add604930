"""The sealed two-way thread: an anonymous reporter and the officer handling the report write
to each other (text and a photo) through the bot, and nothing the bot sends to the officer,
keeps in the database about the report, or writes in its log names the reporter."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest

from bot.storage.db import Database
from tests.e2e.harness import ChatUser, RunningBot
from tests.e2e.test_onboarding import register
from tests.e2e.test_reports import file_report, grant, rows, settle
from tests.fakebotapi import Call, FakeBotAPI

SECRET_ID = 7654321
SECRET_NAME = "Đỗ Thị Kín"


async def rows_naming(database: Path, needles: list[str]) -> list[str]:
    """Every row, outside the member's own registration (members, chats), that holds a needle:
    the reports and their thread, contacts, ratings, the outbox, menus, conversations, the
    audit log, the inbox (every table, on either engine)."""
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
            tables = [str(r[0]) for r in await conn.execute_fetchall(tables_sql)]
            for table in tables:
                if table in ("members", "chats"):
                    continue
                for row in await conn.execute_fetchall(f"SELECT * FROM {table}"):
                    text = json.dumps([str(v) for v in row], ensure_ascii=False)
                    # Menus and conversations of the person's own chat that are not about a
                    # report (registration, /help) are theirs, not the report's; so is the
                    # button /track showed them, which names the report only sealed
                    # ("rrp:write:~s1.…").
                    about_report = any(mark in text for mark in ("rth:", "rt:", "report")) or bool(
                        re.search(r"rrp:\w+:(?!~s1\.)", text)
                    )
                    if table in ("menus", "conversations") and not about_report:
                        continue
                    for needle in needles:
                        if needle in text:
                            found.append(f"{table}: {text[:160]}")
    finally:
        await db.close()
    return found


async def people(api: FakeBotAPI, bot: RunningBot) -> tuple[ChatUser, ChatUser]:
    reporter = ChatUser(api, SECRET_ID, SECRET_NAME)
    officer = ChatUser(api, 2003, "Lê Văn Hùng")
    for person in (reporter, officer):
        await register(api, person)
    await grant(bot, officer, "officer")
    return reporter, officer


async def to_chat(api: FakeBotAPI, chat_id: int, text: str, before: int) -> Call:
    return await api.wait_for(lambda c: c.chat_id == chat_id and text in c.text, after=before)


async def test_anonymous_reporter_and_officer_write_through_the_sealed_thread(
    api: FakeBotAPI, bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="bot")
    reporter, officer = await people(api, bot)
    before = len(api.calls)
    done = await file_report(
        api, reporter, "Ma túy", "Có người bán ma túy ở quán nước", anonymous=True
    )
    assert "không ai biết" in done
    notice = await to_chat(api, officer.id, "Tin báo mới", before)
    code = str((await rows(bot, "SELECT code FROM reports"))[0]["code"])

    # 1. The officer writes from the card.
    asked = await settle(api, officer.press("Nhắn người báo tin", in_call=notice))
    assert "người báo tin" in asked.text
    before = len(api.calls)
    sent = await settle(api, officer.send("Anh/chị thấy người bán vào giờ nào?"))
    assert "Đã gửi tới người báo tin" in sent.text
    relayed = await to_chat(api, reporter.id, "Anh/chị thấy người bán vào giờ nào?", before)
    assert code in relayed.text and "Hùng" not in relayed.text

    # 2. The reporter answers from the relayed message.
    await settle(api, reporter.press("Trả lời", in_call=relayed))
    before = len(api.calls)
    thanks = await settle(api, reporter.send("Khoảng 9 giờ tối, gần cột điện"))
    assert "cảm ơn" in thanks.text
    answer = await to_chat(api, officer.id, "Khoảng 9 giờ tối, gần cột điện", before)
    assert "Người báo tin" in answer.text

    # 3. The officer asks again from that message; the reporter answers with a photo.
    await settle(api, officer.press("Nhắn người báo tin", in_call=answer))
    before = len(api.calls)
    await settle(api, officer.send("Anh/chị có ảnh không?"))
    again = await to_chat(api, reporter.id, "Anh/chị có ảnh không?", before)
    await settle(api, reporter.press("Trả lời", in_call=again))
    before = len(api.calls)
    photo = [{"file_id": "PHOTO-QUAN-NUOC", "file_unique_id": "q1", "width": 9, "height": 9}]
    await settle(api, reporter.send("", photo=photo, caption="Ảnh chụp quán"))
    relayed_photo = await api.wait_for(
        lambda c: c.method == "sendPhoto" and c.chat_id == officer.id, after=before
    )
    assert relayed_photo.params["photo"] == "PHOTO-QUAN-NUOC"
    assert "Ảnh chụp quán" in relayed_photo.text

    # A voice message passes through as a voice message.
    await settle(api, officer.press("Nhắn người báo tin", in_call=relayed_photo))
    before = len(api.calls)
    await settle(
        api,
        officer.send("", voice={"file_id": "VOICE-CAN-BO", "file_unique_id": "v9", "duration": 3}),
    )
    voice = await api.wait_for(
        lambda c: c.method == "sendVoice" and c.chat_id == reporter.id, after=before
    )
    assert voice.params["voice"] == "VOICE-CAN-BO" and code in voice.text

    # Every message is in the report's history, by role.
    card = await settle(api, officer.send("/dsbaocao"))
    opened = await settle(api, officer.press(code, in_call=card))
    history = await settle(api, officer.press("Lịch sử", in_call=opened))
    for text in (
        "Anh/chị thấy người bán vào giờ nào?",
        "Khoảng 9 giờ tối, gần cột điện",
        "Anh/chị có ảnh không?",
        "Ảnh chụp quán 📷",
        "🎤",
    ):
        assert text in history.text
    assert "người báo tin" in history.text
    # /track shows the thread to whoever holds the code.
    tracked = await settle(api, reporter.send(f"/theodoi {code}"))
    assert "Anh/chị có ảnh không?" in tracked.text

    # Nothing names the reporter: what the officer got, the rows, the log.
    await api.wait_idle()
    needles = [str(SECRET_ID), SECRET_NAME, "Kín"]
    to_officer = [c for c in api.calls if c.chat_id == officer.id]
    assert to_officer and not [
        c for c in to_officer if any(n in json.dumps(c.params, ensure_ascii=False) for n in needles)
    ]
    assert await rows_naming(bot.database, needles) == []
    assert (await rows(bot, "SELECT COUNT(*) AS n FROM report_messages"))[0]["n"] == 5
    contact = (await rows(bot, "SELECT * FROM report_contacts"))[0]
    assert str(contact["sealed"]).startswith("~s1.")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert not [n for n in needles if n in logged]


async def test_forgetme_cuts_the_sealed_link(api: FakeBotAPI, bot: RunningBot) -> None:
    reporter, officer = await people(api, bot)
    await file_report(api, reporter, "Ma túy", "Có người bán ma túy ở bến xe", anonymous=True)
    await file_report(api, reporter, "Ma túy", "Có người bán ma túy ở chợ", anonymous=True)
    assert len(await rows(bot, "SELECT * FROM report_contacts")) == 2
    card = await settle(api, officer.send("/dsbaocao"))
    code = str((await rows(bot, "SELECT code FROM reports WHERE id = 1"))[0]["code"])
    opened = await settle(api, officer.press(code, in_call=card))
    await settle(api, officer.press("Nhắn người báo tin", in_call=opened))
    await settle(api, officer.send("Anh/chị còn ở đó không?"))
    await api.wait_idle()

    await reporter.send("/xoadulieu")
    await reporter.press("🗑")
    assert await rows(bot, "SELECT * FROM report_contacts") == []
    assert await rows(bot, "SELECT * FROM outbox WHERE chat_id LIKE '~s1.%'") == []
    assert await rows(bot, "SELECT * FROM menus WHERE chat_id LIKE '~s1.%'") == []
    assert len(await rows(bot, "SELECT * FROM reports")) == 2  # the reports stay
    refused = await settle(api, officer.press("Nhắn người báo tin", in_call=opened))
    assert "Không còn liên lạc được" in refused.params["text"]
