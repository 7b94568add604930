"""Officers download the figures under a /stats answer: the XLSX workbook, the CSVs in a ZIP
and the draft summary report, each opened back by its library; leaders get no downloads and a
crafted download button is refused."""

from __future__ import annotations

import asyncio
import csv
import io
import threading
import zipfile
from typing import Any

import docx
import openpyxl
import pytest

from bot.storage import areas as areas_repo
from bot.storage.db import Database
from tests.e2e.harness import ChatUser, RunningBot
from tests.e2e.test_figures import craft_button, person, seeded  # noqa: F401  (fixture)
from tests.fakebotapi import Call, FakeBotAPI


async def _document(api: FakeBotAPI, chat_id: int, before: int) -> Call:
    return await api.wait_for(
        lambda c: c.method == "sendDocument" and c.chat_id == chat_id, after=before
    )


async def test_officer_downloads_workbook_csvs_and_summary(
    api: FakeBotAPI,
    seeded: RunningBot,  # noqa: F811
) -> None:
    officer = await person(api, seeded, 7101, "officer")
    await officer.send("/thongke")
    await officer.press("Thôn Đông")
    answer = await officer.press("Năm nay")
    assert {"📊 Bảng tính Excel", "📄 Tệp CSV", "📝 Dự thảo báo cáo"} <= set(answer.labels)

    before = len(api.calls)
    await officer.press("Bảng tính Excel")
    sent = await _document(api, officer.id, before)
    upload = sent.params["document"]
    assert upload["filename"] == "xomantoan-figures-DONG-2026-01-01_2026-12-31.xlsx"
    assert "bảng tính Excel" in sent.text
    book = openpyxl.load_workbook(io.BytesIO(upload["data"]))
    assert len(book.sheetnames) == 7  # the summary, then one sheet per kind
    reports = book.worksheets[2]
    assert reports.max_row == 1 + 6  # the header and DONG's six reports of 2026

    before = len(api.calls)
    await officer.press("Tệp CSV")
    upload = (await _document(api, officer.id, before)).params["document"]
    assert upload["filename"].endswith(".zip")
    with zipfile.ZipFile(io.BytesIO(upload["data"])) as archive:
        names = archive.namelist()
        assert len(names) == 7  # one per kind, and reports handled on time
        assert any("timeliness" in n for n in names)
        patrols_name = next(n for n in names if "patrols" in n)
        rows = list(csv.reader(io.StringIO(archive.read(patrols_name).decode("utf-8-sig"))))
    assert len(rows) == 1 + 24  # DONG's patrols

    before = len(api.calls)
    await officer.press("Dự thảo báo cáo")
    sent = await _document(api, officer.id, before)
    upload = sent.params["document"]
    assert upload["filename"] == "bao-cao-DONG-2026-01-01_2026-12-31.docx"
    assert "dòng chấm" in sent.text
    document = docx.Document(io.BytesIO(upload["data"]))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "BÁO CÁO" in text
    assert "Thôn Đông" in text
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert "120" in cells


async def test_downloads_are_for_officers_only(
    api: FakeBotAPI,
    seeded: RunningBot,  # noqa: F811
) -> None:
    leader = await person(api, seeded, 7102, "leader")
    await leader.send("/thongke")
    answer = await leader.press("Năm nay")
    assert not any("Excel" in label for label in answer.labels)

    db = await Database.open(seeded.database)
    try:
        async with db.read() as conn:
            dong = await areas_repo.by_code(conn, "DONG")
    finally:
        await db.close()
    assert dong is not None
    refused = await craft_button(seeded, api, leader, f"stf:xlsx:{dong.id}:2026-01-01:2026-12-31")
    assert "cán bộ Công an xã" in refused.params["text"]
    await api.wait_idle(quiet=0.2)
    assert not api.sent(leader.id, "sendDocument")


async def test_a_broken_download_button_gets_a_clear_answer(
    api: FakeBotAPI,
    seeded: RunningBot,  # noqa: F811
) -> None:
    officer = await person(api, seeded, 7103, "officer")
    answer = await craft_button(seeded, api, officer, "stf:xlsx:1:2026-13-01:2026-12-31")
    assert "/thongke" in answer.params["text"]
    answer = await craft_button(seeded, api, officer, "stf:docx:999:2026-01-01:2026-12-31")
    assert "không còn" in answer.params["text"]
    await api.wait_idle(quiet=0.2)
    assert not api.sent(officer.id, "sendDocument")


async def test_only_officers_see_how_many_reports_were_anonymous(
    api: FakeBotAPI,
    seeded: RunningBot,  # noqa: F811
) -> None:
    from tests.e2e.test_figures import grant

    officer = await person(api, seeded, 7104, "officer")
    await officer.send("/thongke")
    await officer.press("Thôn Tây")
    assert "1 tin báo ẩn danh" in (await officer.press("Năm nay")).text

    leader = await person(api, seeded, 7105, None)
    await grant(seeded, leader.id, "leader", "TAY")
    await leader.send("/thongke")
    answer = await leader.press("Năm nay")
    assert "Thôn Tây" in answer.text
    assert "lừa đảo" in answer.text
    assert "ẩn danh" not in answer.text


async def test_another_chat_is_answered_while_a_workbook_is_being_built(
    api: FakeBotAPI,
    seeded: RunningBot,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The workbook is written in a worker thread after the officer's event, reading its rows
    through a connection of its own; the writing is held here (blocking that thread) until a
    resident in another chat has had an answer."""
    from bot.features.figures import documents

    building, go_on = threading.Event(), threading.Event()
    write = documents.write_workbook

    async def held_write(*args: Any, **kwargs: Any) -> None:
        building.set()
        go_on.wait(timeout=30)
        await write(*args, **kwargs)

    monkeypatch.setattr(documents, "write_workbook", held_write)
    officer = await person(api, seeded, 7103, "officer")
    await officer.send("/thongke")
    await officer.press("Thôn Đông")
    await officer.press("Năm nay")
    before = len(api.calls)
    await officer.press("Bảng tính Excel")
    await asyncio.to_thread(building.wait, 10)
    try:
        answer = await ChatUser(api, 7199, "Cư").send("/help")
        assert not go_on.is_set() and answer.status == 200
    finally:
        go_on.set()
    assert (
        (await _document(api, officer.id, before)).params["document"]["filename"].endswith(".xlsx")
    )
