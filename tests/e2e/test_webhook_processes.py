"""Several bot processes (the real command line, each its own process) behind one webhook
address, on one PostgreSQL database: Telegram (the fake Bot API) posts updates to them in
turn, as a reverse proxy spreads them. Every update is answered once, each chat's answers
come in order, and the chats of a process killed with SIGKILL are taken over by the other
once their lease has passed."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.storage import inbox
from bot.storage.db import Database
from tests.e2e.harness import WEBHOOK_URL, ChatUser, free_port
from tests.e2e.test_faults import run_process
from tests.fakebotapi import Call, FakeBotAPI

pytestmark = [
    pytest.mark.postgresql_only(reason="several bot processes on one database"),
    pytest.mark.timeout(300),  # real processes starting on a loaded machine
]

SECRET = "several-processes_0123456789"
LEASE = 8  # seconds: how long a killed process's chats wait before another takes them
HELP, PRIVACY = "What I can do", "Your data"


class Processes:
    def __init__(self, api: FakeBotAPI, database: Path) -> None:
        self.api = api
        self.database = database
        self.running: list[asyncio.subprocess.Process] = []

    async def start(self, count: int) -> None:
        ports = [free_port() for _ in range(count)]
        self.api.webhook_targets = [f"http://127.0.0.1:{port}" for port in ports]
        for port in ports:
            self.running.append(
                await run_process(
                    self.api,
                    self.database,
                    XOMANTOAN_TELEGRAM_WEBHOOK_URL=WEBHOOK_URL,
                    XOMANTOAN_TELEGRAM_WEBHOOK_SECRET=SECRET,
                    XOMANTOAN_HTTP_PORT=str(port),
                    XOMANTOAN_PROCESS_LEASE_SECONDS=str(LEASE),
                    XOMANTOAN_DEFAULT_LANGUAGE="en",
                )
            )
        await self.api.wait_until(
            lambda: (
                sum(c.method == "setMyCommands" for c in self.api.calls) >= count
                and any(c.method == "setWebhook" for c in self.api.calls)
            ),
            timeout=90,
        )

    async def stop(self) -> str:
        """Stop the live ones; what they logged."""
        logs = []
        for process in self.running:
            if process.returncode is None:
                process.terminate()
            with contextlib.suppress(Exception):
                _, err = await asyncio.wait_for(process.communicate(), 60)
                logs.append(err.decode())
        return "\n".join(logs)


@pytest.fixture
async def processes(api: FakeBotAPI, tmp_path: Path) -> AsyncIterator[Processes]:
    running = Processes(api, tmp_path / "province.sqlite3")  # one PostgreSQL database
    yield running
    await running.stop()


def answers(api: FakeBotAPI, chat_id: int) -> list[str]:
    """The chat's answers in the order they were sent: which command each answers."""
    found = []
    for call in api.sent(chat_id, "sendMessage"):
        found.append("help" if HELP in call.text else "privacy" if PRIVACY in call.text else "?")
    return found


async def test_two_processes_answer_every_update_once_and_each_chat_in_order(
    api: FakeBotAPI, processes: Processes
) -> None:
    await processes.start(2)
    people = [ChatUser(api, 710 + n, f"Dân {n}", language_code="en") for n in range(4)]
    sent: dict[int, list[str]] = {p.id: [] for p in people}
    for turn in range(6):  # each chat's updates go to both processes, alternately
        command = "help" if turn % 2 == 0 else "privacy"
        for person in people:
            await person.send_only(f"/{command}")
            sent[person.id].append(command)
    await api.wait_until(lambda: all(len(answers(api, p.id)) >= 6 for p in people), timeout=90)
    await api.wait_idle(quiet=1.0, timeout=30)
    for person in people:
        assert answers(api, person.id) == sent[person.id]  # each once, in order
    posted_to = {target for _, target, status in api.posted if status == 200}
    assert posted_to == set(api.webhook_targets)  # both processes received updates
    assert [c.method for c in api.calls if c.method == "setWebhook"] == ["setWebhook"]
    db = await Database.open(processes.database)
    try:
        async with db.read() as conn:
            assert await inbox.waiting(conn, "telegram") == []
    finally:
        await db.close()
    log = await processes.stop()
    assert SECRET not in log


async def waiting_updates(database: Path) -> list[int]:
    db = await Database.open(database)
    try:
        async with db.read() as conn:
            return [u for u, _ in await inbox.waiting(conn, "telegram")]
    finally:
        await db.close()


async def holder_of(database: Path, chat_id: int) -> str | None:
    db = await Database.open(database)
    try:
        async with (
            db.read() as conn,
            conn.execute(
                "SELECT holder FROM inbox_claims WHERE platform = 'telegram' AND chat_key = ?",
                (str(chat_id),),
            ) as cur,
        ):
            row = await cur.fetchone()
        return str(row[0]) if row and row[0] else None
    finally:
        await db.close()


async def test_a_killed_processs_chat_is_taken_over_after_the_lease(
    api: FakeBotAPI, processes: Processes
) -> None:
    await processes.start(2)
    x, y = ChatUser(api, 720, "An", language_code="en"), ChatUser(api, 721, "Bình", "en")
    api.hang("sendMessage", chat_id=x.id)  # the process handling X is busy with it...
    await x.send_only("/help")
    await api.wait_for(lambda c: c.chat_id == x.id and c.method == "sendMessage", timeout=60)
    holder = await holder_of(processes.database, x.id)
    assert holder is not None
    victim = next(p for p in processes.running if str(p.pid) == holder.split(":")[1])
    later = [await x.send_only("/privacy"), await x.send_only("/help")]
    # ... while X's next updates arrive (at either process) and wait for it.
    await api.wait_until(
        lambda: {u for u, _, status in api.posted if status == 200} >= set(later), timeout=30
    )
    assert answers(api, x.id) == ["help"]
    assert await waiting_updates(processes.database) == later  # held by the busy process
    assert await holder_of(processes.database, x.id) == holder
    killed_at = len(api.calls)
    os.kill(victim.pid, signal.SIGKILL)  # killed holding X
    await victim.wait()
    # Y is answered by the survivor at once; X after X's lease has passed.
    answer_y: Call = await y.send("/privacy")
    assert PRIVACY in answer_y.text
    await api.wait_until(lambda: len(answers(api, x.id)) >= 3, timeout=60)
    await api.wait_idle(quiet=1.0, timeout=30)
    assert answers(api, x.id) == ["help", "privacy", "help"]  # the rest once, in order
    assert [c.chat_id for c in api.calls[killed_at:] if c.method == "sendMessage"].count(x.id) == 2
    survivor = next(p for p in processes.running if p is not victim)
    assert survivor.returncode is None
    assert await holder_of(processes.database, x.id) is None  # let go: nothing waits
