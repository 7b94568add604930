"""The PostgreSQL server cuts the bot's connections (an operator, a failover) and restarts
while the bot answers people: no update is lost or answered twice, the outbox goes on
delivering, and the log says what happened in a line each time, without tracebacks."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.core import dispatcher
from bot.storage import outbox
from bot.storage.db import Database
from tests.e2e.harness import ChatUser, RunningBot
from tests.fakebotapi import FakeBotAPI
from tests.postgresql import Cluster, database_setting, restart, terminate_backends

pytestmark = pytest.mark.postgresql_only(reason="cuts a PostgreSQL server's connections")
NOW = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)
BROADCAST = 60


def answers(api: FakeBotAPI, person: ChatUser) -> list[str]:
    return [c.text for c in api.calls if c.chat_id == person.id and c.method == "sendMessage"]


async def queue_broadcast(database: Path, text: str) -> None:
    db = await Database.open(database)
    try:
        async with db.unit() as conn:
            for chat in range(5000, 5000 + BROADCAST):
                await outbox.enqueue(conn, "telegram", str(chat), text, [], NOW, priority=-1)
    finally:
        await db.close()


def delivered(api: FakeBotAPI, text: str) -> list[str]:
    return [str(c.chat_id) for c in api.calls if c.text == text and c.status == 200]


def cut_during_load_roles(monkeypatch: Any, how: str) -> list[int]:
    """The server cuts the connection of the next update's unit half-way through it: from
    outside (``outside``: an operator's pg_terminate_backend), or by the unit's own statement
    (``own``: running it again cuts the new connection too, so the unit cannot be resumed)."""
    real = dispatcher.load_roles
    cut: list[int] = []

    async def cutting(conn: Any, *args: Any, **kwargs: Any) -> Any:
        if not cut:
            cut.append(1)
            if how == "own":
                await conn.execute("SELECT pg_terminate_backend(pg_backend_pid())")
            else:
                pid = conn.raw.info.backend_pid
                await asyncio.to_thread(terminate_backends, conn.conninfo, pid)
        return await real(conn, *args, **kwargs)

    monkeypatch.setattr(dispatcher, "load_roles", cutting)
    return cut


@pytest.mark.parametrize("how", ["outside", "own"])
async def test_a_connection_cut_in_the_middle_of_an_update_loses_nothing(
    api: FakeBotAPI,
    bot: RunningBot,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: Any,
    how: str,
) -> None:
    caplog.set_level(logging.INFO)
    person = ChatUser(api, 901, "Dân Một")
    first = await person.send("/help")  # known from now on: the next unit makes no new row
    cut = cut_during_load_roles(monkeypatch, how)
    reply = await person.send("/help")
    await api.wait_idle()
    assert cut == [1]
    assert answers(api, person) == [first.text, reply.text]  # once, and not an apology
    assert "/" in reply.text and "went wrong" not in reply.text and "trục trặc" not in reply.text
    messages = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    if how == "outside":  # resumed on a new connection: the statements gave the same answers
        assert [m for m in messages if "resumed on a new connection" in m] != [], messages
        assert not any("handling it again" in m for m in messages)
    else:  # the unit cannot be resumed: the whole update is handled again
        assert len([m for m in messages if "handling it again" in m]) == 1
    assert [r for r in caplog.records if r.exc_info] == []


async def test_connections_cut_and_a_restart_lose_no_update_and_no_message(
    api: FakeBotAPI,
    bot: RunningBot,
    pg_cluster: Cluster,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    url = database_setting(bot.database)
    await queue_broadcast(bot.database, "Thông báo trước")
    await api.wait_for(lambda c: len(delivered(api, "Thông báo trước")) == BROADCAST)
    await api.wait_idle()
    residents = [ChatUser(api, 900 + n, f"Dân {n}") for n in range(6)]
    for round_ in range(3):
        await queue_broadcast(bot.database, f"Thông báo {round_}")  # delivered meanwhile
        for person in residents:
            await person.send_only("/help")
        if round_ == 1:
            await asyncio.to_thread(restart, pg_cluster)
        else:
            await asyncio.to_thread(terminate_backends, url)
        for person in residents:
            await api.wait_for(
                lambda c, p=person, r=round_: c.chat_id == p.id and len(answers(api, p)) > r,
                timeout=30,
            )
    await queue_broadcast(bot.database, "Thông báo sau")
    await api.wait_for(lambda c: len(delivered(api, "Thông báo sau")) >= BROADCAST, timeout=30)
    await api.wait_idle()

    for person in residents:  # every /help answered once, none with an apology
        texts = answers(api, person)
        assert len(texts) == 3, texts
        assert not any("went wrong" in t or "trục trặc" in t for t in texts)
    for round_ in range(3):
        await api.wait_for(
            lambda c, r=round_: len(delivered(api, f"Thông báo {r}")) >= BROADCAST, timeout=30
        )
    await api.wait_idle()
    texts = ["Thông báo trước", "Thông báo 0", "Thông báo 1", "Thông báo 2", "Thông báo sau"]
    for text in texts:  # every message sent, once
        assert sorted(delivered(api, text)) == [str(c) for c in range(5000, 5000 + BROADCAST)]
    assert [r.getMessage() for r in caplog.records if r.exc_info] == []
