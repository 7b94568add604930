"""The console demo runs the same timers as the bot on Telegram: a scheduled broadcast that is due
goes out to the group and the officer gets the "done" report, while someone types."""

from __future__ import annotations

import io
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.app import run_console
from bot.config import load_settings
from bot.demo import OFFICER, seed
from bot.features.broadcasts.rules import Rule
from bot.storage import broadcasts, members
from bot.storage.db import Database
from bot.transports.console import PLATFORM

NOW = datetime(2026, 5, 4, 3, 0, tzinfo=UTC)  # 10:00 in Vietnam: outside quiet hours


class Screen(io.StringIO):
    """What the console prints; tells a waiting reader when a line with ``wanted`` appeared."""

    def __init__(self, wanted: str) -> None:
        super().__init__()
        self.wanted = wanted
        self.seen = threading.Event()

    def write(self, text: str) -> int:
        written = super().write(text)
        if self.wanted in self.getvalue():
            self.seen.set()
        return written


async def test_console_runs_a_due_schedule_and_reports_to_the_officer(tmp_path: Path) -> None:
    database = tmp_path / "demo.sqlite3"
    settings = load_settings(database=database)
    db = await Database.open(database)
    async with db.unit() as conn:
        await seed(conn, NOW, settings.tz)
        officer = await members.find(conn, PLATFORM, OFFICER.person.id)
        assert officer is not None
        when = NOW - timedelta(minutes=1)
        await broadcasts.add_schedule(
            conn,
            topic="fire",
            message_ref="lib:fire",
            target="groups",
            area_ids=[],
            rule=Rule("once", hour=9, minute=59, on=when.date().isoformat()).to_json(),
            urgent=False,
            next_run_at=when,
            created_by=officer.id,
            now=NOW - timedelta(days=1),
        )
    await db.close()

    screen = Screen("Đã gửi xong")

    def read_line() -> str:
        screen.seen.wait(30)  # the person sits at the prompt while the timers work
        return "/quit"

    await run_console(database, settings, out=screen, read_line=read_line, clock=lambda: NOW)
    shown = screen.getvalue()
    assert "📨 To Nhóm Thôn Đông" in shown
    report = shown.split("📨 To officer")[-1]
    assert "Đã gửi xong" in report and "1 cuộc trò chuyện" in report
