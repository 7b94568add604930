"""The sealed thread when the anonymous reporter is on Zalo and the officer on Telegram: the
reporter answers by typing (numbered options, no buttons), the officer's photo arrives on Zalo
as a photo, a voice message is not lost silently, and no row ties the reporter's Zalo chat to
the report."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bot.storage.db import Database
from tests.conftest import seed_areas
from tests.e2e.harness import ChatUser
from tests.e2e.test_onboarding import register as register_telegram
from tests.e2e.test_reports import grant as grant_telegram
from tests.e2e.test_reports import settle as tg_settle
from tests.e2e.test_reports_outcome import resolve
from tests.e2e.test_reports_thread import rows_naming
from tests.e2e.test_zalo_flows import register, settle
from tests.e2e.zalo_harness import ZALO_TOKEN, RunningZaloBot
from tests.fakebotapi import FakeBotAPI
from tests.fakezaloapi import FakeZaloAPI, ZaloUser

PHOTO = b"\xff\xd8\xff\xe0 the officer's photo"
REPORTER_ID = "5ec2e7cd5189df1c3a77"


@pytest.fixture
async def zalo() -> AsyncIterator[FakeZaloAPI]:
    server = FakeZaloAPI(ZALO_TOKEN)
    await server.start()
    yield server
    await server.stop()


def menu_ids(text: str) -> set[str]:
    """The menu ids in buttons' data ("<menu id>:<index>") held in a row."""
    return set(re.findall(r'"data": "([A-Za-z0-9_-]+):\d+"', text))


async def rows_of(database: Path, table: str) -> list[str]:
    """The rows of ``table`` as text (on either engine)."""
    db = await Database.open(database)
    try:
        async with db.read() as conn:
            found = await conn.execute_fetchall(f"SELECT * FROM {table}")
    finally:
        await db.close()
    return [" ".join(str(v) for v in row) for row in found]


async def test_an_anonymous_zalo_reporter_and_a_telegram_officer_write_by_typing(
    zalo: FakeZaloAPI, api: FakeBotAPI, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot")
    database = tmp_path / "bot.sqlite3"
    await seed_areas(database)
    bot = RunningZaloBot(zalo, database, telegram=api)
    await bot.start()
    try:
        officer = ChatUser(api, 2003, "Lê Văn Hùng")
        await register_telegram(api, officer)
        await grant_telegram(bot, officer, "officer")  # type: ignore[arg-type]
        an = ZaloUser(zalo, REPORTER_ID, "Nguyễn Văn Kín")
        await register(zalo, an)

        await settle(zalo, an.send("Báo cáo"))
        await settle(zalo, an.press("Ma túy"))
        await settle(zalo, an.send("Có người bán ma túy ở quán nước"))
        await settle(zalo, an.press("Tiếp tục"))
        await settle(zalo, an.press("Thôn Đông"))
        await settle(zalo, an.send("Ngõ 3 sau chợ"))
        await settle(zalo, an.press("Không"))
        before_tg = len(api.calls)
        await settle(zalo, an.press("Gửi ẩn danh"))
        notice = await api.wait_for(
            lambda c: c.chat_id == officer.id and "Tin báo mới" in c.text, after=before_tg
        )

        # The officer writes with a photo: it reaches Zalo as a photo, then the text with a
        # numbered "Reply".
        await tg_settle(api, officer.press("Nhắn người báo tin", in_call=notice))
        api.files["PHOTO-CB"] = PHOTO
        before = len(zalo.calls)
        photo = [{"file_id": "PHOTO-CB", "file_unique_id": "cb", "width": 9, "height": 9}]
        await tg_settle(api, officer.send("", photo=photo, caption="Có phải quán này không?"))
        relayed = await zalo.wait_for(
            lambda c: c.chat_id == an.id and "Có phải quán này không?" in c.text, after=before
        )
        await zalo.wait_idle()
        pictures = [
            c for c in zalo.calls[before:] if c.chat_id == an.id and c.method == "sendPhoto"
        ]
        assert len(pictures) == 1
        async with httpx.AsyncClient() as http:
            fetched = await http.get(bot.local(str(pictures[0].params["photo"])))
        assert fetched.content == PHOTO
        assert "Hùng" not in relayed.text and "bấm" not in relayed.text

        # The reporter answers by typing the option's number, then the message.
        # Zalo's words: nothing to press, no voice messages to send.
        asked = await settle(zalo, an.press("Trả lời"))
        assert "nhắn" in asked.text.lower() and "thoại" not in asked.text
        before = len(zalo.calls)
        await zalo.push(an.update("", event="message.sticker.received"))
        refused = await zalo.wait_for(lambda c: c.chat_id == an.id, after=before)
        assert "Vui lòng gửi chữ hoặc ảnh" in refused.text, refused.text
        before_tg = len(api.calls)
        thanks = await settle(zalo, an.send("Đúng quán đó, khoảng 9 giờ tối"))
        assert "cảm ơn" in thanks.text.lower() and "bấm" not in thanks.text, thanks.text
        assert "gõ số của lựa chọn “Trả lời”" in thanks.text
        answer = await api.wait_for(
            lambda c: c.chat_id == officer.id and "khoảng 9 giờ tối" in c.text, after=before_tg
        )
        assert "Kín" not in answer.text and REPORTER_ID not in json.dumps(answer.params)

        # A voice message from the officer cannot be played on Zalo: the reporter is told so.
        await tg_settle(api, officer.press("Nhắn người báo tin", in_call=answer))
        before = len(zalo.calls)
        voice = {"file_id": "VOICE-CB", "file_unique_id": "v1", "duration": 3}
        await tg_settle(api, officer.send("", voice=voice))
        told = await zalo.wait_for(lambda c: c.chat_id == an.id, after=before)
        assert "tin nhắn thoại" in told.text, told.text

        # No row ties the reporter's Zalo chat to the report: the options kept for their chat
        # share no menu with a message about the report.
        await zalo.wait_idle()
        await bot.stop()
        theirs = [r for r in await rows_of(database, "kv") if REPORTER_ID in r]
        about_report = "\n".join(await rows_of(database, "outbox"))
        assert await rows_of(database, "menus")  # the menus are there to be pointed at
        shared = {m for r in theirs for m in menu_ids(r) if m in about_report}
        assert not shared, theirs
        # Nor does any other row about the report name the reporter.
        assert await rows_naming(database, [REPORTER_ID, an.name, "Kín"]) == []
        logged = "\n".join(r.getMessage() for r in caplog.records)
        assert REPORTER_ID not in logged and "Kín" not in logged

        # After a restart the reporter writes again through /theodoi and its code.
        await bot.start()
        code = re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}", relayed.text)
        assert code is not None
        tracked = await settle(zalo, an.send(f"/theodoi {code.group(0)}"))
        assert "Có phải quán này không?" in tracked.text
        await settle(zalo, an.press("Nhắn người xử lý"))
        before_tg = len(api.calls)
        await settle(zalo, an.send("Tối nay họ lại bán"))
        await api.wait_for(
            lambda c: c.chat_id == officer.id and "Tối nay họ lại bán" in c.text, after=before_tg
        )
        # A photo from Zalo reaches the officer as a photo.
        await settle(zalo, an.send(f"/theodoi {code.group(0)}"))
        await settle(zalo, an.press("Nhắn người xử lý"))
        before_tg = len(api.calls)
        shot = "https://photo.example/quan-nuoc.jpg"
        image = an.message(photo_url=shot, caption="Ảnh quán tối nay")
        await zalo.push({"event_name": "message.image.received", "message": image})
        relayed_photo = await api.wait_for(
            lambda c: c.chat_id == officer.id and c.method == "sendPhoto", after=before_tg
        )
        assert relayed_photo.params["photo"] == shot
        assert "Ảnh quán tối nay" in relayed_photo.text

        # The outcome reaches Zalo; after a restart (its numbered options were kept in memory
        # only) the reporter rates it through /theodoi.
        before = len(zalo.calls)
        await resolve(api, officer, code.group(0), "Đã xử lý quán nước")
        told = await zalo.wait_for(
            lambda c: c.chat_id == an.id and "Đã xử lý quán nước" in c.text, after=before
        )
        assert "Hài lòng" in told.text
        await zalo.wait_idle()
        await bot.stop()
        await bot.start()
        tracked = await settle(zalo, an.send(f"/theodoi {code.group(0)}"))
        assert "Hài lòng" in tracked.text
        thanked = await settle(zalo, an.press("Hài lòng"))
        assert "cảm ơn" in thanked.text.lower()
        rated = await rows_of(database, "report_ratings WHERE satisfied = 1")
        assert len(rated) == 1 and len(await rows_of(database, "report_ratings")) == 1
        # The menus and conversations of the reporter's own chat name the report only sealed.
        own_rows = [
            row
            for table in ("menus", "conversations")
            for row in await rows_of(database, table)
            if REPORTER_ID in row
        ]
        assert own_rows and not [
            r for r in own_rows if code.group(0) in r or re.search(r"rrp:\w+:(?!~s1\.)", r)
        ]
    finally:
        await bot.stop()
