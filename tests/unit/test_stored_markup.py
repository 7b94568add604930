"""Messages kept from before the neutral markup read as before after the upgrade (0022)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from importlib import resources

import pytest

from bot.core.richtext import plain
from bot.storage import outbox
from bot.storage.db import Database
from bot.transports.telegram_text import telegram_html

pytestmark = pytest.mark.sqlite_only(reason="SQLite's data migration 0022 on an older SQLite file")

OLD_HTML = (
    "<b>Tý</b> &amp; <i>Tèo</i>: 5*3_x [a] \\ `c` &lt;3 <code>ACDE-3479</code>"
    ' <a href="https://maps.google.com/?q=21.0,105.8">vị trí (đã chia sẻ)</a>'
)
NOW = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)


async def test_pending_and_shown_html_become_markup_that_renders_the_same(db: Database) -> None:
    async with db.unit() as conn:
        pending = await outbox.enqueue(conn, "telegram", "5", OLD_HTML, [], NOW)
        sent = await outbox.enqueue(conn, "telegram", "5", OLD_HTML, [], NOW)
        await outbox.mark_sent(conn, sent, NOW)
        await conn.execute(
            "INSERT INTO menus (id, platform, chat_id, user_id, options, created_at, expires_at,"
            " shown) VALUES ('m1', 'telegram', '5', '5', '[]', ?, ?, ?)",
            (NOW.isoformat(), NOW.isoformat(), json.dumps({"text": OLD_HTML, "rows": []})),
        )
    script = (resources.files("bot.storage") / "migrations" / "0022_stored_markup.sql").read_text()
    await db.conn.executescript(script)  # what the upgrade of a database from before runs
    async with db.read() as conn:
        rows = {
            r["id"]: r["text"] for r in await conn.execute_fetchall("SELECT id, text FROM outbox")
        }
        shown = json.loads((await conn.execute_fetchall("SELECT shown FROM menus"))[0]["shown"])

    # Telegram shows it exactly as before; the console shows the text without tags or entities.
    assert telegram_html(rows[pending]) == OLD_HTML
    assert plain(rows[pending]).startswith(
        "Tý & Tèo: 5*3_x [a] \\ `c` <3 ACDE-3479 vị trí (đã chia sẻ)"
    )
    assert telegram_html(shown["text"]) == OLD_HTML
    assert rows[sent] == OLD_HTML  # what was sent is history: left as it was
