"""Typing in the console chat: a number typed where the bot asks for a number is that answer, not
a press of an option of an earlier menu; after a restart, typing into a conversation whose
options are no longer on screen shows them again."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

from bot.app import build_core
from bot.config import load_settings
from bot.demo import GROUP, IDENTITIES, seed
from bot.storage.db import Database
from bot.transports.console import ConsoleLinks, ConsoleTransport

NOW = datetime(2026, 5, 4, 3, 0, tzinfo=UTC)


class Console:
    """One console session on a database; ``type`` returns what the bot printed for the line."""

    def __init__(self, db: Database, settings: object) -> None:
        core = build_core(db, settings, ConsoleLinks(), lambda: NOW)  # type: ignore[arg-type]
        self.screen = io.StringIO()
        self.transport = ConsoleTransport(core.dispatcher, IDENTITIES, GROUP, out=self.screen)

    async def type(self, line: str) -> str:
        start = len(self.screen.getvalue())
        await self.transport.handle_line(line)
        return self.screen.getvalue()[start:]


async def _demo(tmp_path: Path) -> tuple[Database, object]:
    settings = load_settings(database=tmp_path / "demo.sqlite3")
    db = await Database.open(settings.database)
    async with db.unit() as conn:
        await seed(conn, NOW, settings.tz)
    return db, settings


async def test_a_typed_number_answers_the_question_asked(tmp_path: Path) -> None:
    db, settings = await _demo(tmp_path)
    try:
        console = Console(db, settings)
        await console.type("/as leader")
        status = await console.type("/tiendocamket")
        assert "[3] 🔔" in status and "[4] 🏠" in status
        asked = await console.type("4")  # "Number of households"
        assert "bao nhiêu hộ" in asked
        answer = await console.type("3")  # the count, not option 3 ("remind them") of the menu
        assert "nhắc" not in answer.lower()
        assert "3" in answer and "hộ" in answer
    finally:
        await db.close()


async def test_after_a_restart_the_options_are_shown_again(tmp_path: Path) -> None:
    db, settings = await _demo(tmp_path)
    try:
        first = Console(db, settings)
        consent = await first.type("/start")
        assert "[1]" in consent
        # The console is started again: nothing of the earlier screen is known.
        second = Console(db, settings)
        again = await second.type("1")
        assert "[1]" in again and "bằng các nút" not in again
        assert again.strip().splitlines()[0] == consent.strip().splitlines()[0]
        name = await second.type("1")  # now it presses "I agree"
        assert "tên" in name
    finally:
        await db.close()


async def test_the_console_speaks_of_typing_numbers_not_of_pressing_buttons(
    tmp_path: Path,
) -> None:
    """The console has no buttons: what it says is Zalo's wording (type an option's number),
    never Telegram's "press"."""
    db, settings = await _demo(tmp_path)
    try:
        console = Console(db, settings)
        unregistered = await console.type("/baocao")
        assert "gõ /batdau" in unregistered and "Bấm" not in unregistered
        await console.type("/start")
        stray = await console.type("xin chào")  # text where an option is awaited
        assert "bằng các nút" not in stray and "nút" not in stray
        assert "số" in stray
    finally:
        await db.close()


async def test_the_console_does_not_say_telegram_where_it_asks_consent(tmp_path: Path) -> None:
    db, settings = await _demo(tmp_path)
    try:
        console = Console(db, settings)
        consent = await console.type("/start")
        assert "số tài khoản nhắn tin" in consent and "Telegram" not in consent
        privacy = await console.type("/baomat")
        assert "số tài khoản nhắn tin" in privacy and "Telegram" not in privacy
    finally:
        await db.close()
