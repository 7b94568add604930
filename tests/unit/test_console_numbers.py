"""The console demo: a number typed where the bot asks for text is text."""

from __future__ import annotations

import io

from bot.core.context import CoreConfig
from bot.core.dispatcher import Dispatcher
from bot.demo import GROUP, IDENTITIES, seed
from bot.features import build_registry
from bot.storage.db import Database
from bot.transports.console import ConsoleTransport
from tests.conftest import Clock


async def test_a_number_typed_at_a_text_step_is_text(db: Database, clock: Clock) -> None:
    async with db.unit() as conn:
        await seed(conn, clock.now)
    dispatcher = Dispatcher(db, build_registry(), CoreConfig(admins=frozenset()), clock)
    out = io.StringIO()
    console = ConsoleTransport(dispatcher, IDENTITIES, GROUP, out=out)

    async def line(text: str) -> str:
        start = out.tell()
        await console.handle_line(text)
        return out.getvalue()[start:]

    await line("/as officer")
    assert "Vụ mới" in await line("/hoagiai")
    assert "Thôn Tây" in await line("1")  # ➕ New case → which area
    assert "Các bên tranh chấp" in await line("1")  # Thôn Đông → the parties, typed
    # "2" is what the officer typed as a party's name, not the older "Thôn Tây" option.
    typed = await line("2")
    assert "ⓘ" not in typed and "chữ" in typed  # asked for a name with letters, no stale press
    assert "hòa giải" in await line("Ông Ba, Bà Tư")
