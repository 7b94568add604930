from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.core.context import CoreConfig
from bot.core.dispatcher import Dispatcher
from bot.features import build_registry
from bot.storage.db import Database
from bot.transports.platforms import telegram_admins
from tests.e2e.harness import TOKEN, RunningBot
from tests.fakebotapi import FakeBotAPI

pytest_plugins = ["tests.postgresql"]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never read a developer's .env or XOMANTOAN_* variables, and reach their fake
    servers on this machine directly, whatever proxy the machine names."""
    import os

    for key in list(os.environ):
        if key.startswith("XOMANTOAN_") or key.lower().endswith("_proxy"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(autouse=True)
def _own_logging() -> Iterator[None]:
    """A test that runs ``xomantoan ...`` in-process gets the command's logging (a handler on
    the stream pytest captured for that test); the next tests get the logging they had."""
    import logging

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "test.sqlite3")
    yield database
    await database.close()


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def dispatcher(db: Database, clock: Clock) -> Dispatcher:
    return Dispatcher(db, build_registry(), CoreConfig(admins=telegram_admins([42])), clock)


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    server = FakeBotAPI(TOKEN)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def bot(api: FakeBotAPI, tmp_path: Path) -> AsyncIterator[RunningBot]:
    """The real bot on a fresh database with two areas, running against the fake server."""
    database = tmp_path / "bot.sqlite3"
    await seed_areas(database)
    running = RunningBot(api, database, admins="42")
    await running.start()
    yield running
    await running.stop()


async def seed_areas(database: Path) -> None:
    from bot.storage import areas

    db = await Database.open(database)
    async with db.unit() as conn:
        now = datetime(2026, 1, 1, tzinfo=UTC)
        await areas.add(conn, "DONG", "Thôn Đông", 120, now)
        await areas.add(conn, "TAY", "Thôn Tây", 95, now)
    await db.close()
