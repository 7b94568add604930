"""The outcome of a report reaches its reporter (an anonymous one through the sealed relay)
who rates it or reopens it, once; the figures count the ratings and the reopenings."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from bot.cli import main
from tests.e2e.harness import ChatUser, RunningBot
from tests.e2e.test_onboarding import register
from tests.e2e.test_reports import file_report, grant, rows, settle
from tests.fakebotapi import Call, FakeBotAPI


async def resolve(api: FakeBotAPI, officer: ChatUser, code: str, outcome: str) -> None:
    """The officer closes a report with its outcome: one tap, the outcome typed, confirm."""
    listing = await settle(api, officer.send("/dsbaocao"))
    card = await settle(api, officer.press(code, in_call=listing))
    await settle(api, officer.press("Đã giải quyết", in_call=card))
    confirm = await settle(api, officer.send(outcome))
    await settle(api, officer.press("Xác nhận", in_call=confirm))


async def told(api: FakeBotAPI, user: ChatUser, text: str, before: int) -> Call:
    return await api.wait_for(lambda c: c.chat_id == user.id and text in c.text, after=before)


async def test_outcome_rating_and_one_reopening_counted_in_the_figures(
    api: FakeBotAPI, bot: RunningBot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    an = ChatUser(api, 2101, "Nguyễn Văn An")
    binh = ChatUser(api, 2102, "Phạm Thị Bình")
    hung = ChatUser(api, 2103, "Lê Văn Hùng")
    for person in (an, binh, hung):
        await register(api, person)
    await grant(bot, hung, "officer")
    await file_report(api, an, "Trộm cắp", "Mất xe máy trước cổng chợ", anonymous=True)
    await file_report(api, binh, "Trộm cắp", "Mất gà trong chuồng", anonymous=False)
    first, second = [
        str(r["code"]) for r in await rows(bot, "SELECT code FROM reports ORDER BY id")
    ]

    # The anonymous reporter gets the outcome in plain words, and reopens it.
    before = len(api.calls)
    await resolve(api, hung, first, "Đã tìm lại xe, mời anh/chị lên Công an xã nhận")
    outcome = await told(api, an, "Đã tìm lại xe", before)
    assert first in outcome.text and "hài lòng" in outcome.text
    assert {"😊 Hài lòng", "😞 Chưa hài lòng", "🔄 Chưa xong: mở lại"} <= set(outcome.labels)
    before = len(api.calls)
    reopened = await settle(api, an.press("mở lại", in_call=outcome))
    assert "đã được mở lại" in reopened.text and "một lần" in reopened.text
    await told(api, hung, "Mở lại", before)
    status = await rows(bot, "SELECT status FROM reports WHERE code = ?", (first,))
    assert status[0]["status"] == "reopened"

    # Closed again: a second reopening is refused, from the new message or the old one.
    before = len(api.calls)
    await resolve(api, hung, first, "Đã trả xe cho chủ xe tại trụ sở")
    again = await told(api, an, "Đã trả xe cho chủ xe", before)
    refused = await settle(api, an.press("mở lại", in_call=again))
    assert "đã được mở lại một lần" in refused.text
    refused = await settle(api, an.press("mở lại", in_call=outcome))
    assert "đã được mở lại một lần" in refused.text
    status = await rows(bot, "SELECT status FROM reports WHERE code = ?", (first,))
    assert status[0]["status"] == "resolved"

    # Not satisfied, with a reason picked.
    why = await settle(api, an.press("Chưa hài lòng", in_call=again))
    assert "chưa ổn" in why.text
    thanks = await settle(api, an.press("Xử lý quá chậm", in_call=why))
    assert "cảm ơn" in thanks.text.lower()

    # The named reporter is satisfied.
    before = len(api.calls)
    await resolve(api, hung, second, "Đã bắt được kẻ trộm gà")
    named = await told(api, binh, "Đã bắt được kẻ trộm gà", before)
    done = await settle(api, binh.press("Hài lòng", in_call=named))
    assert "cảm ơn" in done.text.lower()

    ratings = await rows(bot, "SELECT satisfied, reason FROM report_ratings ORDER BY report_id")
    assert [(r["satisfied"], r["reason"]) for r in ratings] == [(0, "slow"), (1, None)]

    # The figures: /thongke and stats --json.
    ask = await settle(api, hung.send("/thongke"))
    await settle(api, hung.press("Toàn xã", in_call=ask))
    text = await settle(api, hung.press("Tháng này"))
    assert "1/2 hài lòng (50" in text.text
    assert "1 tin báo được người báo tin mở lại" in text.text

    await bot.stop()
    monkeypatch.setenv("XOMANTOAN_DATABASE", str(bot.database))
    printed: list[str] = []
    monkeypatch.setattr("builtins.print", lambda *a, **k: printed.append(" ".join(map(str, a))))
    assert await asyncio.to_thread(main, ["stats", "--json"]) == 0
    data = json.loads("\n".join(printed))
    assert data["reports"]["feedback"] == {
        "rated": 2,
        "satisfied": 1,
        "satisfied_percent": 50.0,
        "reopened": 1,
    }
    # The exports: the workbook's summary and the draft summary report.
    import docx
    import openpyxl

    book = tmp_path / "figures.xlsx"
    assert await asyncio.to_thread(main, ["export", "--xlsx", str(book), "--lang", "en"]) == 0
    summary = {
        row[0].value: row[1].value for row in openpyxl.load_workbook(book).worksheets[0].iter_rows()
    }
    assert summary["Outcomes rated by the reporter"] == 2
    assert summary["Share satisfied of rated"] == 0.5
    assert summary["Reopened by the reporter"] == 1
    draft = tmp_path / "bao-cao.docx"
    assert await asyncio.to_thread(main, ["summary", str(draft), "--period", "month"]) == 0
    text = "\n".join(p.text for p in docx.Document(str(draft)).paragraphs)
    assert "2 lượt đánh giá, 1 hài lòng" in text and "người báo tin mở lại: 1" in text
