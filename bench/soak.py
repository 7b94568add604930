"""Soak: a long mixed stream of updates through the real bot while the Bot API misbehaves.

The real bot (``run_telegram``) runs in its own process against the fake Bot API
(``tests/fakebotapi.py``) over HTTP on 127.0.0.1, on a freshly seeded database. Many residents
at once register with buttons and a typed name, ask /help and /mydata, write text, start a tip
(/baocao) and a pledge (/camket) and cancel them, change language, and use /help in their
groups. The same stream runs twice: once without faults (the baseline) and once with faults
injected all along: 429s with ``retry_after`` on some chats, runs of 5xx answers, requests the
server does but answers only after the bot gave up waiting (hung), and broken getUpdates
answers (an HTML page, JSON without ``result``, a 502).

At the end it checks and prints:
- every answer the baseline delivered in a chat is delivered exactly once in the faulty run
  (per chat, by the text sent, numbers masked): missing and duplicated answers are listed;
- the bot process's RSS at the start, the middle and the end (flat: the end within a small
  margin of the middle, after warm-up);
- the log lines at ERROR or above, split into injected faults and the others;
- throughput and wall time of both runs.

Run: ``.venv/bin/python -m bench.soak [--updates 20000]`` (``--short`` for 500 updates).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import difflib
import json
import logging
import os
import random
import re
import secrets
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.core.sealing import KEY_BYTES, encode_key
from bot.storage import areas, outbox
from bot.storage.db import Database
from tests.fakebotapi import BOT_USER, Call, FakeBotAPI

TOKEN = "123456789:SOAK-token_abcdefghijklmnopqrstuvwxyz"
SENDS = frozenset({"sendMessage", "editMessageText", "sendPhoto", "sendDocument"})
ROOT = str(Path(__file__).resolve().parent.parent)  # where ``python -m bench.soak`` runs
GROUPS = 10  # residents share these group chats
NOTICE_EVERY = 10  # every this many residents get a long notice through the outbox
CONCURRENT_CHATS = 150  # residents typing at the same time
READ_TIMEOUT = 2.0  # the bot's wait for an answer; a hung request is held longer
HANG_HOLD = 5.0  # seconds a hung request is held before the server answers it
KEYBOARD_WAIT = 30.0  # how long a resident waits for the buttons they are to press
SETTLE = 0.5  # a chat this long without a message has got every answer (without faults)
RSS_MARGIN = 0.10  # "flat": the end within 10 % of the middle
TOO_MANY = "Too Many Requests: retry after 1"
# Words found in the log lines the injected faults cause (their descriptions as the server
# gives them, and how the bot words a request that got no answer).
INJECTED_MARKERS = (
    "Too Many Requests",
    "Flood control",
    "Bad Gateway",
    "Internal Server Error",
    "Service Unavailable",
    "Timed out",
    "not JSON",
    "no 'result'",
    "polling failed",
)


# The stream -----------------------------------------------------------------------------------
Step = tuple[str, Any]  # ("say", text) | ("press", button index) | ("group", text)


def resident_script() -> list[Step]:
    """What one resident does, in order (a press takes the latest buttons the bot sent)."""
    return [
        ("say", "/start"),
        ("press", 0),
        ("say", "Nguyễn Văn Dân"),
        ("press", 0),
        ("say", "/trogiup"),
        ("say", "/mydata"),
        ("say", "xin chào"),
        ("say", "/baocao"),
        ("press", 0),
        ("say", "Có người lạ đi xe máy dò hỏi nhà vắng chủ trong xóm"),
        ("say", "/huy"),
        ("group", "/trogiup"),
        ("say", "/camket"),
        ("say", "/huy"),
        ("say", "/language"),
        ("press", 0),
    ]


def plan(updates: int) -> list[list[Step]]:
    """Scripts for as many residents as it takes to make ``updates`` updates."""
    script = resident_script()
    scripts: list[list[Step]] = []
    left = updates
    while left > 0:
        scripts.append(script[: min(left, len(script))])
        left -= len(script)
    return scripts


def resident_id(index: int) -> int:
    return 20_000_000 + index


def group_id(index: int) -> int:
    return -1_000_000_000_000 - (index % GROUPS)


def user_of(index: int) -> dict[str, Any]:
    return {
        "id": resident_id(index),
        "is_bot": False,
        "first_name": f"Dân {index}",
        "language_code": "vi",
    }


# The fake Bot API, indexed per chat, with hangs released every few seconds -------------------
class _Calls(list[Call]):
    def __init__(self, on_append: Callable[[Call], None]) -> None:
        super().__init__()
        self._on_append = on_append

    def append(self, call: Call) -> None:
        super().append(call)
        self._on_append(call)


class SoakAPI(FakeBotAPI):
    """The fake Bot API with what a long run needs: calls indexed per chat (a resident waits for
    its buttons without scanning every call), confirmed updates dropped, and hung requests
    answered after :data:`HANG_HOLD` seconds instead of at one final release."""

    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.per_chat: dict[int, list[Call]] = {}
        self.arrived: dict[int, asyncio.Event] = {}
        self.chat_last: dict[int, float] = {}
        self.last_call = time.monotonic()
        self.calls = _Calls(self._index)
        self.hung = 0
        self.held_past_timeout = 0  # hung requests the bot surely gave up waiting for
        self._held_since: list[float] = []

    def _index(self, call: Call) -> None:
        self.last_call = time.monotonic()
        chat = call.chat_id
        if chat is None or call.method not in SENDS:
            return
        self.per_chat.setdefault(chat, []).append(call)
        self.chat_last[chat] = self.last_call
        event = self.arrived.get(chat)
        if event is not None:
            event.set()

    def _hang_for(self, method: str, params: dict[str, Any]) -> bool:
        hung = super()._hang_for(method, params)
        if hung:
            self.hung += 1
            self._held_since.append(time.monotonic())
        return hung

    async def rotate_releases(self) -> None:
        """Answer the requests hung so far every :data:`HANG_HOLD` seconds."""
        while True:
            await asyncio.sleep(HANG_HOLD)
            held, self.released = self.released, asyncio.Event()
            now = time.monotonic()
            self.held_past_timeout += sum(now - t > READ_TIMEOUT for t in self._held_since)
            self._held_since.clear()
            held.set()

    async def _m_getUpdates(self, params: dict[str, Any]) -> Any:
        offset = int(params.get("offset") or 0)
        if offset > self.confirmed:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        return await super()._m_getUpdates(params)

    async def settled(self, chat: int, mark: int, timeout: float, found: Any) -> Any:
        """Wait until ``found(calls from mark on)`` gives something and the chat has had no
        message for :data:`SETTLE` seconds (every answer to a step is sent in one go)."""
        deadline = time.monotonic() + timeout
        while True:
            now = time.monotonic()
            result = found(self.per_chat.get(chat, [])[mark:])
            if result and now - self.chat_last.get(chat, 0.0) >= SETTLE:
                return result
            remaining = deadline - now
            if remaining <= 0:
                return None
            event = self.arrived.setdefault(chat, asyncio.Event())
            event.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), min(remaining, SETTLE))

    async def answered_after(self, chat: int, mark: int, timeout: float) -> bool:
        """Whether the chat got an answer from its index ``mark`` on (then settled)."""
        done = await self.settled(
            chat, mark, timeout, lambda calls: any(c.status == 200 for c in calls)
        )
        return bool(done)

    async def buttons_after(
        self, chat: int, mark: int, timeout: float, *, text: str | None = None
    ) -> Call | None:
        """The message with callback buttons a press is for, among the answers to the step
        before it (from the chat's index ``mark`` on; each step waits for the answers to the
        one before it). Without ``text`` (the baseline): the last one. With ``text``: the first
        one whose masked text is ``text`` (the faulty run presses what the baseline did)."""

        def keyboards(calls: list[Call]) -> list[Call]:
            return [
                c
                for c in calls
                if c.status == 200
                and any("callback_data" in b for b in c.buttons)
                and (text is None or shown(c) == text)
            ]

        found = await self.settled(chat, mark, timeout, keyboards)
        if not found:
            return None
        return found[-1] if text is None else found[0]


# Faults ---------------------------------------------------------------------------------------
@dataclass
class Faults:
    """Faults injected as the stream goes (counted per kind)."""

    every_429: int = 25  # one chat gets 429s (retry_after 1) every this many updates
    every_5xx: int = 150  # a run of 5xx answers to sendMessage/editMessageText
    every_hang: int = 60  # one chat's next sendMessage is done but answered late
    every_poll: int = 500  # a broken getUpdates answer
    injected: Counter[str] = field(default_factory=Counter)

    def refuse_second_part(self, api: SoakAPI, chat: int, index: int) -> None:
        if index % 2:
            api.fail(
                "sendMessage", 429, TOO_MANY, chat_id=chat, parameters={"retry_after": 1}, after=1
            )
        else:
            api.fail("sendMessage", 503, "Service Unavailable", chat_id=chat, after=1)
        self.injected["long outbox notice, second part refused once"] += 1

    def inject(self, api: SoakAPI, pushed: int, chats: list[int], rng: random.Random) -> None:
        if not chats:
            return
        if pushed % self.every_429 == 0:
            chat = rng.choice(chats)
            method = "editMessageText" if pushed % (4 * self.every_429) == 0 else "sendMessage"
            api.fail(method, 429, TOO_MANY, chat_id=chat, parameters={"retry_after": 1}, times=2)
            self.injected[f"429 x2 on one chat's {method}"] += 1
        if pushed % (7 * self.every_429) == 0:
            group = group_id(rng.randrange(GROUPS))
            api.fail("sendMessage", 429, TOO_MANY, chat_id=group, parameters={"retry_after": 2})
            self.injected["429 on a group"] += 1
        if pushed % self.every_5xx == 0:
            code, text = rng.choice(
                [(502, "Bad Gateway"), (500, "Internal Server Error"), (503, "Service Unavailable")]
            )
            api.fail("sendMessage", code, text, times=4)
            api.fail("editMessageText", code, text, times=1)
            api.fail("answerCallbackQuery", code, text, times=1)
            self.injected["5xx run (4 sends, 1 edit, 1 button answer)"] += 1
        if pushed % self.every_hang == 0:
            method = rng.choice(["sendMessage", "sendMessage", "editMessageText"])
            api.hang(method, chat_id=rng.choice(chats), times=1)
            self.injected[f"hung {method}"] += 1
        if pushed % (3 * self.every_hang) == 0:
            api.hang("answerCallbackQuery", times=1)
            self.injected["hung answerCallbackQuery"] += 1
        if pushed % self.every_poll == 0:
            kind = rng.randrange(4)
            if kind == 0:
                api.fail_raw("getUpdates", 200, "<html><body>Captive portal</body></html>")
            elif kind == 1:
                api.fail_raw("getUpdates", 200, '{"ok": true}', content_type="application/json")
            elif kind == 2:
                api.fail("getUpdates", 502, "Bad Gateway")
            else:
                api.fail("getUpdates", 429, TOO_MANY, parameters={"retry_after": 1})
            self.injected["broken getUpdates answer"] += 1


# The bot in its own process -------------------------------------------------------------------
class JsonLines(logging.Handler):
    """Every log record as one JSON line on stderr (the parent counts them by level)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            exc = record.exc_text or ""
            if record.exc_info:
                exc = logging.Formatter().formatException(record.exc_info)
            line = {
                "level": record.levelname,
                "levelno": record.levelno,
                "name": record.name,
                "message": record.getMessage(),
                "exc": exc,
            }
            sys.stderr.write(json.dumps(line, ensure_ascii=False) + "\n")
            sys.stderr.flush()
        except Exception:  # pragma: no cover - logging must not fail the bot
            self.handleError(record)


def child(api_url: str, database: str) -> None:
    """The bot process: ``run_telegram`` against the fake API; SIGTERM stops it. ``database``:
    the SQLite file, or a PostgreSQL connection string."""
    from bot.app import run_telegram
    from bot.config import load_settings
    from bot.logging_setup import setup_logging
    from bot.transports.pacing import Limits

    # The bot's own logging (levels, token redaction), each record written as a JSON line.
    setup_logging("INFO", [TOKEN])
    root = logging.getLogger()
    handler = JsonLines()
    for redact in root.handlers[0].filters:
        handler.addFilter(redact)
    root.handlers[:] = [handler]
    settings = load_settings(
        telegram_token=TOKEN,
        telegram_api_url=api_url,
        database=database,
        poll_timeout_seconds=1,
    )
    # Pacing as in the e2e tests: the soak is about faults, not Telegram's real limits.
    limits = Limits(per_second=1000, private_interval=0.001, group_interval=0.001)

    async def bot() -> None:
        # Stops when the soak closes stdin (or dies): no bot is left behind.
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        watcher = threading.Thread(
            target=lambda: (sys.stdin.read(), loop.call_soon_threadsafe(stop.set)), daemon=True
        )
        watcher.start()
        await run_telegram(settings, stop=stop, limits=limits, read_timeout=READ_TIMEOUT)

    asyncio.run(bot())


def notice(index: int) -> str:
    """A notice long enough to go out in two parts."""
    lines = [
        f"Dòng {n}: bà con nhớ khóa cửa, tắt bếp trước khi ra khỏi nhà (thông báo {index})."
        for n in range(110)
    ]
    return "\n".join(lines)


async def seed(database: Path) -> None:
    db = await Database.open(database)
    async with db.unit() as conn:
        await areas.add(conn, "DONG", "Thôn Đông", 500, datetime.now(UTC))
        await areas.add(conn, "TAY", "Thôn Tây", 400, datetime.now(UTC))
    await db.close()


def rss_kb(pid: int) -> int:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


# One run --------------------------------------------------------------------------------------
@dataclass
class RunResult:
    name: str
    updates: int
    seconds: float  # from the first update pushed to the last answer
    wall: float
    delivered: dict[int, Counter[str]]
    rss: list[tuple[float, int, int]]  # (seconds, updates confirmed, RSS kB)
    logs: list[dict[str, Any]]
    faults: Counter[str]
    answered_errors: Counter[int]
    hung: int
    held_past_timeout: int
    presses_without_buttons: int
    steps_unanswered: int
    stalls: list[tuple[int, int, str]]
    presses: dict[tuple[int, int], str]
    finished: bool
    folder: Path  # where the run's database was (removed at the end of the run)

    @property
    def rate(self) -> float:
        return self.updates / self.seconds if self.seconds else 0.0

    def rss_at(self, fraction: float) -> int:
        target = self.updates * fraction
        for _, confirmed, kb in self.rss:
            if confirmed >= target:
                return kb
        return self.rss[-1][2] if self.rss else 0

    @property
    def severe(self) -> list[dict[str, Any]]:
        return [r for r in self.logs if r.get("levelno", 0) >= logging.ERROR]


def mask(text: str) -> str:
    return re.sub(r"\d+", "#", text)


# Lines that differ between the runs because of the faults, as they should: a reply refused on
# every attempt is delivered through the outbox, and /mydata then counts a message there.
FAULT_DEPENDENT = (re.compile(r"\nTin nhắn gửi anh/chị trong hộp thư đi của em[^\n]*"),)


def shown(call: Call) -> str:
    """A message as compared between runs: its method and text, numbers masked, without the
    lines the faults change (:data:`FAULT_DEPENDENT`)."""
    text = call.text
    for line in FAULT_DEPENDENT:
        text = line.sub("", text)
    return f"{call.method}: {mask(text)}"


def delivered(api: SoakAPI) -> dict[int, Counter[str]]:
    """What each chat got: every send the server did (hung ones too), an edit once per message
    and text (the bot may repeat an edit it is unsure of: the chat shows the same)."""
    out: dict[int, Counter[str]] = {}
    for chat, calls in api.per_chat.items():
        seen_edits: set[tuple[Any, str]] = set()
        counter: Counter[str] = Counter()
        for call in calls:
            if call.status != 200:
                continue
            if call.method == "editMessageText":
                key = (call.params.get("message_id"), call.text)
                if key in seen_edits:
                    continue
                seen_edits.add(key)
            counter[shown(call)] += 1
        out[chat] = counter
    return out


async def run(
    name: str,
    updates: int,
    *,
    faults: Faults | None,
    seed_value: int,
    limit: float,
    presses: dict[tuple[int, int], str] | None = None,
    database_setting: Callable[[Path], str] = str,
) -> RunResult:
    """One run of the stream. ``presses``: which message (masked text) each press is for, as
    the baseline found; without it the press takes the keyboard the chat settled on.
    ``database_setting``: what the bot process is told its database is, for the run's file (the
    file itself; the tests' PostgreSQL run gives the file's PostgreSQL database, the one the
    soak's own connection opens, so both sides work on one database)."""
    wall_start = time.monotonic()
    api = SoakAPI(TOKEN)
    await api.start()
    releases = asyncio.create_task(api.rotate_releases())
    folder = Path(tempfile.mkdtemp(prefix="xomantoan-soak-"))
    database = folder / "soak.sqlite3"
    await seed(database)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env = {k: v for k, v in env.items() if not k.startswith("XOMANTOAN_")}
    env["XOMANTOAN_SEAL_KEY"] = encode_key(secrets.token_bytes(KEY_BYTES))  # none on PostgreSQL
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.soak",
        "--child",
        api.url,
        database_setting(database),
        stdin=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.DEVNULL,
        env=env,
        cwd=ROOT,
    )
    logs: list[dict[str, Any]] = []

    async def read_logs() -> None:
        assert proc.stderr is not None
        while line := await proc.stderr.readline():
            try:
                logs.append(json.loads(line))
            except ValueError:
                text = line.decode(errors="replace").rstrip()
                if text:  # not a record: a crash's traceback or a warning
                    logs.append({"level": "RAW", "levelno": 0, "name": "", "message": text})

    reader = asyncio.create_task(read_logs())
    notices = await Database.open(database)  # the soak's own connection, for the outbox
    rss: list[tuple[float, int, int]] = []
    rng = random.Random(seed_value)
    scripts = plan(updates)
    total = sum(len(s) for s in scripts)
    pushed = 0
    active: list[int] = []
    no_buttons = unanswered = 0
    pressed: dict[tuple[int, int], str] = {}
    stalls: list[tuple[int, int, str]] = []  # (chat, step, what was not answered)
    finished = False
    first_push = 0.0

    async def sample() -> None:
        while True:
            rss.append((time.monotonic() - wall_start, max(0, api.confirmed - 1), rss_kb(proc.pid)))
            await asyncio.sleep(0.5)

    sampler: asyncio.Task[None] | None = None

    async def push(update: dict[str, Any]) -> None:
        nonlocal pushed
        pushed += 1
        if faults is not None:
            faults.inject(api, pushed, active, rng)
        await api.push(update)

    async def resident(index: int, script: list[Step], slots: asyncio.Semaphore) -> None:
        nonlocal no_buttons, unanswered
        async with slots:
            chat = resident_id(index)
            active.append(chat)
            user = user_of(index)
            private = {"id": chat, "type": "private", "first_name": user["first_name"]}
            mark = 0
            for number, (kind, arg) in enumerate(script):
                if kind == "press":
                    wanted = None if presses is None else presses.get((index, number))
                    call = await api.buttons_after(chat, mark, KEYBOARD_WAIT, text=wanted)
                    if call is None:
                        no_buttons += 1
                        stalls.append((chat, number, f"no buttons to press ({wanted or 'any'})"))
                        continue
                    pressed[(index, number)] = shown(call)
                    buttons = [b for b in call.buttons if "callback_data" in b]
                    button = buttons[min(arg, len(buttons) - 1)]
                    mark = len(api.per_chat.get(chat, []))
                    await push(
                        {
                            "callback_query": {
                                "id": f"{index}-{number}",
                                "from": user,
                                "chat_instance": f"ci{index}",
                                "data": button["callback_data"],
                                "message": {
                                    "message_id": call.params.get("message_id", 1),
                                    "date": int(time.time()),
                                    "chat": private,
                                    "from": BOT_USER,
                                    "text": call.text,
                                },
                            }
                        }
                    )
                    if not await api.answered_after(chat, mark, KEYBOARD_WAIT):
                        unanswered += 1
                        stalls.append((chat, number, "no answer to the press"))
                    continue
                in_group = kind == "group"
                where = (
                    {"id": group_id(index), "type": "supergroup", "title": "Tổ dân phố"}
                    if in_group
                    else private
                )
                if not in_group:
                    mark = len(api.per_chat.get(chat, []))
                text = str(arg)
                message: dict[str, Any] = {
                    "message_id": number + 1,
                    "date": int(time.time()),
                    "chat": where,
                    "from": user,
                    "text": text,
                }
                if text.startswith("/"):
                    length = len(text.split()[0])
                    message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
                await push({"message": message})
                if not in_group and not await api.answered_after(chat, mark, KEYBOARD_WAIT):
                    unanswered += 1
                    stalls.append((chat, number, f"no answer to {text!r}"))
            if index % NOTICE_EVERY == 0 and len(script) == len(resident_script()):
                # A long notice through the outbox (two parts); with faults, its second part
                # is refused once, as a 429 or a 5xx.
                mark = len(api.per_chat.get(chat, []))
                if faults is not None:
                    faults.refuse_second_part(api, chat, index)
                async with notices.unit() as conn:
                    await outbox.enqueue(
                        conn, "telegram", str(chat), notice(index), [], datetime.now(UTC)
                    )
                if not await api.settled(
                    chat,
                    mark,
                    KEYBOARD_WAIT,
                    lambda calls: sum(c.status == 200 for c in calls) >= 2,
                ):
                    unanswered += 1
                    stalls.append((chat, -1, "long notice not delivered whole"))
            active.remove(chat)

    try:
        await api.wait_for(lambda c: c.method == "setMyCommands", timeout=60)
        await asyncio.sleep(1.0)
        sampler = asyncio.create_task(sample())
        start_calls = len(api.calls)
        first_push = time.monotonic()
        slots = asyncio.Semaphore(CONCURRENT_CHATS)
        feeding = asyncio.gather(*(resident(i, s, slots) for i, s in enumerate(scripts)))
        try:
            await asyncio.wait_for(feeding, max(1.0, limit - (time.monotonic() - wall_start)))
            # Everything fetched and nothing happening for a while (a chat may be waiting
            # out a 429 or a back-off after a 5xx run).
            while time.monotonic() - wall_start < limit:
                await asyncio.sleep(0.5)
                quiet = time.monotonic() - api.last_call
                if api.confirmed > pushed and quiet > 8.0:  # a press with no buttons is skipped
                    finished = True
                    break
        except TimeoutError:
            feeding.cancel()
        last_answer = max((c.at for c in api.calls[start_calls:]), default=time.monotonic())
        seconds = last_answer - first_push
    finally:
        if proc.stdin is not None:
            proc.stdin.close()  # the bot stops (SIGTERM would too)
        try:
            await asyncio.wait_for(proc.wait(), 30)
        except TimeoutError:
            proc.kill()
            await proc.wait()
        await reader
        if sampler is not None:
            sampler.cancel()
        releases.cancel()
        await notices.close()
        await api.stop()
        shutil.rmtree(folder, ignore_errors=True)  # the run's database and its log
    answered_errors: Counter[int] = Counter(c.status for c in api.calls if c.status != 200)
    return RunResult(
        name=name,
        updates=total,
        seconds=seconds,
        wall=time.monotonic() - wall_start,
        delivered=delivered(api),
        rss=rss,
        logs=logs,
        faults=faults.injected if faults is not None else Counter(),
        answered_errors=answered_errors,
        hung=api.hung,
        held_past_timeout=api.held_past_timeout,
        presses_without_buttons=no_buttons,
        steps_unanswered=unanswered,
        stalls=stalls,
        presses=pressed,
        finished=finished,
        folder=folder,
    )


# Comparison -----------------------------------------------------------------------------------
@dataclass
class Soak:
    baseline: RunResult
    faulty: RunResult
    missing: list[tuple[int, str, int]]  # (chat, answer, how many times it is missing)
    duplicates: list[tuple[int, str, int]]  # (chat, answer, how many times too many)
    unexpected_errors: list[dict[str, Any]]
    injected_errors: int
    # An edit refused on every attempt goes to the outbox, which sends it as a new message:
    # the chat got the answer once, as a message of its own (chat, answer).
    edits_sent_anew: list[tuple[int, str]] = field(default_factory=list)

    @property
    def due(self) -> int:
        return sum(sum(c.values()) for c in self.baseline.delivered.values())

    @property
    def rss_flat(self) -> bool:
        middle, end = self.faulty.rss_at(0.5), self.faulty.rss_at(1.0)
        return end <= middle * (1 + RSS_MARGIN)


def compare(baseline: RunResult, faulty: RunResult) -> Soak:
    missing: list[tuple[int, str, int]] = []
    duplicates: list[tuple[int, str, int]] = []
    edits_sent_anew: list[tuple[int, str]] = []
    for chat in sorted(set(baseline.delivered) | set(faulty.delivered)):
        due = baseline.delivered.get(chat, Counter())
        got = faulty.delivered.get(chat, Counter())
        lacking, extra = due - got, got - due
        for text in list(lacking):
            anew = "sendMessage:" + text.removeprefix("editMessageText:")
            while text.startswith("editMessageText:") and lacking[text] and extra[anew]:
                lacking[text] -= 1
                extra[anew] -= 1
                edits_sent_anew.append((chat, text))
        missing += [(chat, text, n) for text, n in (+lacking).items()]
        duplicates += [(chat, text, n) for text, n in (+extra).items()]
    unexpected, injected = [], 0
    for run_result in (baseline, faulty):
        for record in run_result.severe:
            words = f"{record.get('message', '')}\n{record.get('exc', '')}"
            if run_result is faulty and any(m in words for m in INJECTED_MARKERS):
                injected += 1
            else:
                unexpected.append(record)
        unexpected += [r for r in run_result.logs if r.get("level") == "RAW"]
    return Soak(baseline, faulty, missing, duplicates, unexpected, injected, edits_sent_anew)


async def soak(
    updates: int,
    *,
    seed_value: int = 12,
    limit: float = 1800.0,
    database_setting: Callable[[Path], str] = str,
) -> Soak:
    baseline = await run(
        "baseline (no faults)",
        updates,
        faults=None,
        seed_value=seed_value,
        limit=limit,
        database_setting=database_setting,
    )
    faulty = await run(
        "with faults",
        updates,
        faults=Faults(),
        seed_value=seed_value,
        limit=limit,
        database_setting=database_setting,
    )
    return compare(baseline, faulty)


def report(result: Soak) -> None:
    for r in (result.baseline, result.faulty):
        print(
            f"{r.name:<22} {r.updates:>6} updates  {r.seconds:7.1f} s  {r.rate:7.1f} updates/s"
            f"  wall {r.wall:6.1f} s  finished: {'yes' if r.finished else 'NO'}"
        )
        print(
            f"{'':<22} RSS start {r.rss_at(0.0) / 1024:6.1f} MB, middle"
            f" {r.rss_at(0.5) / 1024:6.1f} MB, end {r.rss_at(1.0) / 1024:6.1f} MB, peak"
            f" {max((kb for *_, kb in r.rss), default=0) / 1024:6.1f} MB"
        )
        levels = Counter(str(x.get("level")) for x in r.logs)
        print(f"{'':<22} log lines by level: {dict(sorted(levels.items()))}")
    f = result.faulty
    warnings = Counter(
        mask(str(x.get("message")))[:90] for x in f.logs if x.get("level") == "WARNING"
    )
    print("WARNING lines with faults, most frequent first:")
    for text, n in warnings.most_common(8):
        print(f"  {n:>5}x {text}")
    print(
        f"faults injected: {dict(f.faults)}; hung requests: {f.hung}"
        f" ({f.held_past_timeout} held past the bot's read timeout)"
    )
    print(f"error answers the server gave: {dict(sorted(f.answered_errors.items()))}")
    if result.faulty.rate and result.baseline.rate:
        print(f"throughput with faults: {f.rate / result.baseline.rate:.2f}x the baseline")
    lost = sum(n for *_, n in result.missing)
    print(
        f"answers due: {result.due}; delivered: {result.due - lost}; missing: {lost};"
        f" duplicated: {sum(n for *_, n in result.duplicates)}"
    )
    if result.edits_sent_anew:
        print(
            f"  of the answers delivered, {len(result.edits_sent_anew)} were edits refused on every"
            " attempt and sent by the outbox as new messages"
        )
    for chat, text, n in result.missing[:20]:
        print(f"  missing   chat {chat}: {n}x {text[:100]!r}")
    for chat, text, n in result.duplicates[:20]:
        print(f"  duplicate chat {chat}: {n}x {text[:100]!r}")
    # A chat with an answer missing and another one too many: most likely one answer whose
    # text differs; its differing lines.
    extra = {chat: text for chat, text, _ in result.duplicates}
    for chat, text, _ in result.missing[:20]:
        if chat in extra:
            diff = difflib.ndiff(text.splitlines(), extra[chat].splitlines())
            changed = [line for line in diff if line[:1] in "-+"]
            print(f"  changed   chat {chat}: {changed[:6]!r}")
    print(
        f"RSS flat (end within {RSS_MARGIN:.0%} of the middle): "
        f"{'yes' if result.rss_flat else 'NO'}"
    )
    print(
        f"ERROR lines: {result.injected_errors} from injected faults,"
        f" {len(result.unexpected_errors)} others"
    )
    for record in result.unexpected_errors[:10]:
        print(f"  {record.get('level')} {record.get('name')}: {record.get('message')}")
        if record.get("exc"):
            print("    " + str(record["exc"]).strip().splitlines()[-1])
    print(
        f"presses that found no buttons: baseline {result.baseline.presses_without_buttons},"
        f" with faults {f.presses_without_buttons}; steps left without an answer: baseline"
        f" {result.baseline.steps_unanswered}, with faults {f.steps_unanswered}"
    )
    for r in (result.baseline, f):
        for chat, step, what in r.stalls[:10]:
            print(f"  {r.name}: chat {chat}, step {step}: {what[:90]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--updates", type=int, default=20_000)
    parser.add_argument("--short", action="store_true", help="500 updates (what the test runs)")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--limit", type=float, default=1800.0, help="seconds per run at most")
    parser.add_argument("--child", nargs=2, metavar=("API_URL", "DATABASE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1])
        return
    updates = 500 if args.short else args.updates
    print(
        f"Soak: {updates} updates from {len(plan(updates))} residents "
        f"({CONCURRENT_CHATS} at a time, {GROUPS} groups), baseline then faults."
    )
    result = asyncio.run(soak(updates, seed_value=args.seed, limit=args.limit))
    report(result)
    ok = (
        result.baseline.finished
        and result.faulty.finished
        and not result.missing
        and not result.duplicates
        and not result.unexpected_errors
        and result.rss_flat
    )
    print("soak passed" if ok else "soak FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
