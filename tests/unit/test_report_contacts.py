"""The sealed contact of an anonymous reporter is wiped by the hourly timer once the report
has been closed for longer than the reopening window; a report merged into another keeps it
while the original is open."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest

from bot.core.context import CoreConfig
from bot.features.reports import outcome, thread
from bot.features.reports.sealed import wipe_ended
from bot.storage import report_threads
from bot.storage import reports as repo
from bot.storage.db import Database
from bot.storage.reports import NewReport, Status, Target

NOW = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


async def anonymous(db: Database, config: CoreConfig, text: str) -> int:
    async with db.unit() as conn:
        report = await repo.create(
            conn,
            NewReport("theft", None, text, Target.OFFICERS, True, None),
            f"CODE-{text[:4].upper()}",
            NOW,
            NOW,
        )
        await report_threads.keep_contact(
            conn, report.id, "telegram", config.sealer.seal("7654321"), "vi"
        )
    return report.id


async def test_contacts_go_after_the_window_and_followers_wait_for_the_original(
    db: Database,
) -> None:
    config = CoreConfig(reopen_days=7)
    closed = await anonymous(db, config, "aaaa")
    original = await anonymous(db, config, "bbbb")
    merged = await anonymous(db, config, "cccc")
    async with db.unit() as conn:
        report = await repo.get(conn, closed)
        assert report is not None
        await repo.set_status(conn, report, Status.RESOLVED, None, NOW)
        report = await repo.get(conn, merged)
        assert report is not None
        await repo.set_status(conn, report, Status.DUPLICATE, None, NOW, duplicate_of=original)

    async def kept() -> set[int]:
        async with db.read() as conn:
            rows = await conn.execute_fetchall("SELECT report_id FROM report_contacts")
        return {int(r[0]) for r in rows}

    await wipe_ended(db, config, NOW + timedelta(days=6))
    assert await kept() == {closed, original, merged}
    await wipe_ended(db, config, NOW + timedelta(days=8))
    assert await kept() == {original, merged}  # the original is still open


async def test_contacts_sealed_with_a_lost_key_are_said_once_an_hour_and_not_reachable(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    before = CoreConfig(reopen_days=7)
    report_id = await anonymous(db, before, "dddd")
    after = CoreConfig(reopen_days=7)  # another key: the one the contact was sealed with is lost
    async with db.read() as conn:
        report = await repo.get(conn, report_id)
        assert report is not None
        assert await thread.reachable(conn, before, report)
        assert not await thread.reachable(conn, after, report)
    with caplog.at_level(logging.WARNING):
        await wipe_ended(db, after, NOW)
    assert "1 anonymous reporters cannot be reached" in caplog.text
    assert "7654321" not in caplog.text


async def test_writing_in_the_thread_after_closing_does_not_stretch_the_reopening_window(
    db: Database,
) -> None:
    config = CoreConfig(reopen_days=7)
    report_id = await anonymous(db, config, "eeee")
    async with db.unit() as conn:
        report = await repo.get(conn, report_id)
        assert report is not None
        await repo.set_status(conn, report, Status.NOT_OURS, None, NOW)
        # The reporter writes six days later (the report's updated_at moves with it).
        await report_threads.add_message(
            conn, report_id, NOW + timedelta(days=6), report_threads.REPORTER, None, "Còn đó", []
        )
    async with db.unit() as conn:
        report = await repo.get(conn, report_id)
        assert report is not None
        result, _ = await outcome.reopen_by_reporter(
            conn, config, report, None, NOW + timedelta(days=8)
        )
    assert result == outcome.Reopen.LATE
