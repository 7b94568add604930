"""Updates per second and handling latency of the full bot against a bare python-telegram-bot,
on the same realistic stream, through the real poll loop, with real SQLite writes.

Each bot runs in its own process (``run_telegram``: poll loop, outbox sender, timers) against a
fake Bot API server in this process, on a copy of a seeded commune (10,000 or 100,000 members in
20 areas, 300 team leaders, pledges for 60% of the members, an open pledge campaign, one group
per area). People then use it as they do: residents register with buttons and a typed name,
sign their household's pledge or look at it, file a private report, team leaders run a live
patrol with observations, others ask /help, write text, use a group command, change language.
The bot's replies go through its shared Pacer, which in production holds them to Telegram's real
limits (30 messages a second overall, 1 a second per chat); the bare bot has no pacing, so the
bench raises those limits a hundredfold (``Limits().scaled(100)``) and measures the bot's own cost.

Each person waits for the bot's answer before the next step (the buttons they press are those
of the bot's latest message), so the stream is what a chat produces. Printed per bot and size:
updates per second over several passes (median and worst; in a pass everyone begins at once),
p50/p99 handling latency at a steady 100 updates a second (people come and go, so every kind of
step is spread over the run, see ``run_people``), start-up time (process start to the first
getUpdates) with the number of command menus sent, idle and peak RSS, and timer overruns
logged by the scheduler.

Run: ``make bench`` or ``.venv/bin/python -m bench.updates [--sizes 10000,100000] [--passes 3]``.
Seeded databases are built once and cached in ``bench/out/``.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import itertools
import os
import random
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp import web

from tests.fakebotapi import BOT_USER, FakeBotAPI

TOKEN = "123456789:BENCH-token_abcdefghijklmnopqrstuvwxyz"
OUT = Path(__file__).parent / "out"
# 2: no ANALYZE (the bot never runs it, so real databases have no statistics); 3: seeded
# through the neutral connection (either engine)
SEED_VERSION = 3
AREAS = 20
LEADERS = 300
OFFICERS = 5
FIRST_ACTOR = 1000  # members below this are leaders and officers
USER_BASE = 10_000_000
NEW_USER_BASE = 90_000_000
GROUP_BASE = -(10**12)
DEBUG = bool(os.environ.get("BENCH_DEBUG"))
DEBUG_CHATS = set(os.environ.get("BENCH_DEBUG", "").split(","))  # chat ids, comma-separated
QUIET = 0.05  # seconds without an answer in a chat before its person acts again
AT_ONCE = 30  # people in the middle of a flow at a time in the paced run (see run_people)
LOOK = 5.0  # seconds a person looks for a button to press before pressing anyway (a miss)
MIX = {"register": 40, "sign": 60, "view": 60, "report": 40, "patrol": AREAS, "misc": 80}


def area_name(area: int) -> str:
    return f"Thôn A{area:02d}"


# Seeded commune ----------------------------------------------------------------------------
def seed_path(members: int) -> Path:
    return OUT / f"commune-{members}-v{SEED_VERSION}.sqlite3"


async def seed(setting: str | Path, members: int) -> None:
    """A commune with ``members`` registered people in the (new) database ``setting``, either
    engine, through the neutral connection."""
    from bench.province import identities_after_load
    from bot.storage import pledge_campaigns
    from bot.storage.db import Database
    from bot.storage.timefmt import to_db

    db = await Database.open(setting)
    now = datetime.now(UTC)
    stamp = to_db(now)
    try:
        async with db.unit() as conn:
            campaign = await pledge_campaigns.add_campaign(
                conn,
                f"Cam kết năm {now.year}",
                date.today() - timedelta(days=30),
                date.today() + timedelta(days=330),
                None,
                now,
            )
            await conn.executemany(
                "INSERT INTO areas (id, code, name, households, created_at) VALUES (?, ?, ?, ?, ?)",
                [
                    (a, f"A{a:02d}", area_name(a), members // AREAS, stamp)
                    for a in range(1, AREAS + 1)
                ],
            )
            await conn.executemany(
                "INSERT INTO members (id, platform, user_id, display_name, language, area_id,"
                " consent_at, consent_version, created_at, updated_at)"
                " VALUES (?, 'telegram', ?, ?, 'vi', ?, ?, 1, ?, ?)",
                [
                    (i + 1, str(USER_BASE + i), f"Người {i}", i % AREAS + 1, stamp, stamp, stamp)
                    for i in range(members)
                ],
            )
            await conn.executemany(
                "INSERT INTO chats (platform, chat_id, kind, created_at, updated_at)"
                " VALUES ('telegram', ?, 'private', ?, ?)",
                [(str(USER_BASE + i), stamp, stamp) for i in range(members)],
            )
            await conn.executemany(
                "INSERT INTO chats (platform, chat_id, kind, title, area_id, created_at,"
                " updated_at) VALUES ('telegram', ?, 'group', ?, ?, ?, ?)",
                [
                    (str(GROUP_BASE - a), f"Nhóm {area_name(a)}", a, stamp, stamp)
                    for a in range(1, AREAS + 1)
                ],
            )
            await conn.executemany(
                "INSERT INTO roles (member_id, role, area_id, granted_at)"
                " VALUES (?, 'leader', ?, ?)",
                [(i + 1, i % AREAS + 1, stamp) for i in range(LEADERS)],
            )
            await conn.executemany(
                "INSERT INTO roles (member_id, role, area_id, granted_at)"
                " VALUES (?, 'officer', NULL, ?)",
                [(LEADERS + i + 1, stamp) for i in range(OFFICERS)],
            )
            # 60% of the members signed for their household; a further 10% are linked to a
            # pledge of their household signed by someone else.
            await conn.executemany(
                "INSERT INTO pledges (id, campaign_id, area_id, audience, head_name, address,"
                " household_key, member_id, public, reference, signed_at)"
                " VALUES (?, ?, ?, 'household', ?, ?, ?, ?, 1, ?, ?)",
                [
                    (
                        i + 1,
                        campaign.id,
                        i % AREAS + 1,
                        f"Người {i}",
                        f"Số {i}",
                        f"seed-{i}",
                        i + 1,
                        f"S-{i}",
                        stamp,
                    )
                    for i in range(members)
                    if i % 10 < 6
                ],
            )
            await conn.execute(
                "INSERT INTO pledge_lines (pledge_id, item_id, position, text)"
                " SELECT p.id, i.id, i.position, i.text_vi FROM pledges p"
                " JOIN pledge_items i ON i.audience = 'household'"
            )
            await conn.executemany(
                "INSERT INTO pledge_household_members (pledge_id, member_id, linked_at)"
                " VALUES (?, ?, ?)",
                [(i - 6 + 1, i + 1, stamp) for i in range(members) if i % 10 == 6],
            )
            await identities_after_load(conn, ("areas", "members", "pledges"))
    finally:
        await db.close()


async def build_seed(members: int) -> Path:
    """A commune with ``members`` registered people on SQLite, built once and kept in
    bench/out/."""
    path = seed_path(members)
    if path.exists():
        return path
    OUT.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    started = time.perf_counter()
    await seed(partial, members)
    partial.rename(path)
    print(f"  (seeded {members:,} members in {time.perf_counter() - started:.1f} s: {path})")
    return path


# People and what they do -------------------------------------------------------------------
@dataclass
class Person:
    user_id: int
    name: str
    area: int
    # ("say", text) / ("group", text) / ("press", label) / ("maybe", label): press it if the
    # bot's latest messages show it (a question the bot asks only sometimes), else go on.
    steps: list[tuple[str, str]]
    flow: str = ""


def actors(
    members: int, round_no: int, mix: dict[str, int], first: int | None = None
) -> list[Person]:
    """Who acts in one round: different people every round (``first``: the first block of
    members to draw from, by default after those of the rounds before)."""
    people: list[Person] = []
    per_round = sum(mix.values())
    start = round_no * per_round if first is None else first

    def member(kind_offset: int, index: int, remainder: tuple[int, ...]) -> int:
        # Members >= FIRST_ACTOR with i % 10 in ``remainder``, distinct per round and kind.
        span = (members - FIRST_ACTOR) // 10
        block = (start + kind_offset + index) % max(span, 1)
        return FIRST_ACTOR + block * 10 + remainder[index % len(remainder)]

    def existing(i: int, steps: list[tuple[str, str]], flow: str) -> Person:
        return Person(USER_BASE + i, f"Người {i}", i % AREAS + 1, steps, flow)

    for n in range(mix["register"]):
        uid = NEW_USER_BASE + round_no * 10_000 + n
        area = n % AREAS + 1
        name = f"Dân Mới {round_no}-{n}"
        people.append(
            Person(
                uid,
                name,
                area,
                [
                    ("say", "/start"),
                    ("press", "Tôi đồng ý"),
                    ("press", name),
                    ("press", area_name(area)),
                ],
                "register",
            )
        )
    for n in range(mix["sign"]):
        i = member(0, n, (7, 8, 9))
        people.append(
            existing(
                i,
                [
                    ("say", "/camket"),
                    ("press", "Hộ gia đình"),
                    ("press", "Tiếp tục"),
                    ("say", f"Người {i}"),
                    ("say", f"Số {i}, ngõ {i % 50}"),
                    # A household with a similar head may be proposed: this one is new.
                    ("maybe", "hộ mới"),
                    ("press", "Đồng ý"),
                    ("press", "Ký cam kết"),
                ],
                "sign",
            )
        )
    for n in range(mix["view"]):
        i = member(1000, n, (0, 1, 2, 3, 4, 5, 6))
        people.append(existing(i, [("say", "/camket"), ("say", "/mydata")], "view"))
    for n in range(mix["report"]):
        i = member(2000, n, (1, 3, 5, 7, 9))
        people.append(
            existing(
                i,
                [
                    ("say", "/baocao"),
                    ("press", "Trộm cắp"),
                    ("say", "Mất xe đạp trước cửa nhà"),
                    ("press", "Tiếp tục"),
                    ("press", area_name(i % AREAS + 1)),
                    ("say", "Ngõ 3 sau chợ"),
                    ("press", "Không"),
                    ("press", "Gửi ẩn danh"),
                ],
                "report",
            )
        )
    for n in range(mix["patrol"]):
        leader = (round_no * AREAS + n) % LEADERS
        people.append(
            existing(
                leader,
                [
                    ("say", "/tuantra"),
                    ("press", "Bắt đầu tuần tra"),
                    ("press", "("),
                    ("press", "Quá giờ"),
                    ("say", "3"),
                    ("press", "Quay lại"),
                    ("press", "Xả rác"),
                    ("press", "Không nhắc nhở"),
                    ("press", "Kết thúc"),
                ],
                "patrol",
            )
        )
    for n in range(mix["misc"]):
        i = member(3000, n, (0, 2, 4, 6, 8))
        people.append(
            existing(
                i,
                [
                    ("say", "/trogiup"),
                    ("say", "xin chào"),
                    ("group", "/trogiup"),
                    ("say", "/ngonngu"),
                    ("press", "Tiếng Việt"),
                ],
                "misc",
            )
        )
    return people


# The fake Bot API, driving people ---------------------------------------------------------
@dataclass
class Pending:
    update_id: int
    build: Callable[[], dict[str, Any]]
    data: dict[str, Any] | None = None


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    # (when it was pushed, latency, which step of which flow) of each update
    steps: list[tuple[float, float, str, int]] = field(default_factory=list)
    misses: int = 0
    timeouts: int = 0


class BenchAPI(FakeBotAPI):
    """A lean fake Bot API: updates are built when the bot fetches them (so a pressed button
    is one of the bot's latest message), and the first answer in a chat wakes its person."""

    def __init__(self) -> None:
        super().__init__(TOKEN)
        self.queue: deque[Pending] = deque()
        self.arrived = asyncio.Event()
        self.ids = itertools.count(1)
        self.keyboards: dict[int, deque[tuple[int, list[dict[str, Any]]]]] = {}
        self.waiters: dict[int, deque[asyncio.Future[float]]] = {}
        self.query_chat: dict[str, int] = {}
        self.last_answer: dict[int, float] = {}
        self.methods: Counter[str] = Counter()
        # With --calls: the Bot API calls by flow step and method (the step a chat is at)
        self.step_of: dict[int, str] = {}
        self.step_calls: Counter[tuple[str, str]] = Counter()
        self.step_counts: Counter[str] = Counter()
        self.first_poll: float | None = None
        self.stats = Stats()
        # The full bot answers with buttons: its people look for the one to press until it is
        # shown (an answer in several messages may take longer than QUIET between two of them
        # when the machine is busy). The bare bot shows none: its people press at once.
        self.expects_buttons = False
        self.keyboard_shown: dict[int, asyncio.Event] = {}

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        if method == "getUpdates":
            if self.first_poll is None:
                self.first_poll = time.monotonic()
            return self._ok(await self._updates(params))
        self.methods[method] += 1
        self._count_step(method, params)
        if method in ("sendMessage", "editMessageText", "sendPhoto", "sendDocument"):
            return self._ok(self._answer(method, params))
        if method == "answerCallbackQuery" and params.get("text"):
            chat = self.query_chat.pop(str(params.get("callback_query_id")), None)
            if chat is not None:
                self._wake(chat)
        if method == "getMe":
            return self._ok(BOT_USER)
        return self._ok(True)

    def _count_step(self, method: str, params: dict[str, Any]) -> None:
        chat: int | None = None
        if params.get("chat_id") not in (None, ""):
            chat = int(params["chat_id"])
        elif params.get("callback_query_id"):
            chat = self.query_chat.get(str(params["callback_query_id"]))
        step = self.step_of.get(chat, "other") if chat is not None else "other"
        self.step_calls[step, method] += 1

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        chat = int(params["chat_id"])
        message = self._message(params, text=params.get("text", ""))
        if method == "editMessageText":
            message["message_id"] = int(params["message_id"])
        markup = params.get("reply_markup")
        if DEBUG and str(chat) in DEBUG_CHATS:
            print("answer", chat, str(params.get("text"))[:300], str(markup)[:300])
        if isinstance(markup, dict) and markup.get("inline_keyboard"):
            buttons = [b for row in markup["inline_keyboard"] for b in row]
            recent = self.keyboards.setdefault(chat, deque(maxlen=6))
            recent.append((message["message_id"], buttons))
            shown = self.keyboard_shown.get(chat)
            if shown is not None:
                shown.set()
        self._wake(chat)
        return message

    def _wake(self, chat: int) -> None:
        self.last_answer[chat] = time.monotonic()
        waiting = self.waiters.get(chat)
        while waiting:
            waiter = waiting.popleft()
            if not waiter.done():
                waiter.set_result(time.monotonic())
                return

    async def _updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        while self.queue and self.queue[0].update_id < offset:
            self.queue.popleft()
        if not self.queue:
            self.arrived.clear()
            timeout = min(float(params.get("timeout") or 0), 2.0)
            try:
                await asyncio.wait_for(self.arrived.wait(), timeout)
            except TimeoutError:
                return []
        batch = []
        for pending in itertools.islice(self.queue, 100):
            if pending.data is None:
                pending.data = {"update_id": pending.update_id, **pending.build()}
            batch.append(pending.data)
        return batch

    # People -----------------------------------------------------------------------------
    def shows(self, chat: int, label: str) -> bool:
        """Whether one of the bot's latest messages in ``chat`` has a button with ``label``."""
        recent = self.keyboards.get(chat, ())
        return any(label in b.get("text", "") for _, buttons in recent for b in buttons)

    async def look_for(self, chat: int, label: str) -> None:
        """Wait until one of the bot's latest messages in ``chat`` shows a button with
        ``label`` (for up to LOOK seconds)."""
        deadline = time.monotonic() + LOOK
        while self.expects_buttons and not self.shows(chat, label):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            shown = self.keyboard_shown.setdefault(chat, asyncio.Event())
            shown.clear()
            try:
                await asyncio.wait_for(shown.wait(), remaining)
            except TimeoutError:
                return

    def _button(self, chat: int, label: str) -> tuple[int, str]:
        for message_id, buttons in reversed(self.keyboards.get(chat, ())):
            for button in buttons:
                if label in button.get("text", "") and "callback_data" in button:
                    return message_id, str(button["callback_data"])
        self.stats.misses += 1
        if DEBUG and (str(chat) in DEBUG_CHATS or "misses" in DEBUG_CHATS):
            shown = [b.get("text") for _, buttons in self.keyboards.get(chat, ()) for b in buttons]
            print("miss", chat, label, shown[-8:])
        return 1, "x:0"

    def _update(self, person: Person, kind: str, text: str) -> Callable[[], dict[str, Any]]:
        user = {"id": person.user_id, "is_bot": False, "first_name": person.name}
        user["language_code"] = "vi"
        chat: dict[str, Any] = {"id": person.user_id, "type": "private"}
        if kind == "group":
            chat = {"id": GROUP_BASE - person.area, "type": "group", "title": "Nhóm"}
        if kind == "press":
            query_id = f"q{next(self.ids)}"
            self.query_chat[query_id] = person.user_id

            def pressed() -> dict[str, Any]:
                message_id, data = self._button(person.user_id, text)
                message = {"message_id": message_id, "date": 0, "chat": chat, "from": BOT_USER}
                return {
                    "callback_query": {
                        "id": query_id,
                        "from": user,
                        "chat_instance": "ci",
                        "data": data,
                        "message": {**message, "text": "…"},
                    }
                }

            return pressed
        message: dict[str, Any] = {
            "message_id": next(self.ids),
            "date": int(time.time()),
            "chat": chat,
            "from": user,
            "text": text,
        }
        if text.startswith("/"):
            entity = {"type": "bot_command", "offset": 0, "length": len(text.split()[0])}
            message["entities"] = [entity]
        return lambda: {"message": message}

    async def step(self, person: Person, kind: str, text: str) -> float:
        """Push one update; wait for the bot's first answer in that chat; return the latency."""
        chat = GROUP_BASE - person.area if kind == "group" else person.user_id
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[float] = loop.create_future()
        self.waiters.setdefault(chat, deque()).append(waiter)
        pushed = time.monotonic()
        self.queue.append(Pending(next(self._update_ids), self._update(person, kind, text)))
        self.arrived.set()
        try:
            answered = await asyncio.wait_for(waiter, 30)
        except TimeoutError:
            self.stats.timeouts += 1
            if DEBUG:
                print("unanswered", person.user_id, kind, text)
            return 30.0
        # The next step waits until the bot has said everything it had to say in this chat.
        while True:
            await asyncio.sleep(QUIET)
            if time.monotonic() - self.last_answer.get(chat, 0.0) >= QUIET:
                break
        return answered - pushed


async def run_people(
    api: BenchAPI, people: list[Person], pace: float | None, at_once: int | None = None
) -> tuple[int, float]:
    """Everyone goes through their steps; with ``pace`` (updates a second) the updates are
    released at that steady rate. With ``at_once``, people come in a shuffled order and at
    most that many are in the middle of their flow at a time (one begins when another is
    done), as in a commune where people come and go: every kind of step, light and heavy, is
    then spread over the whole run. Without it, everyone begins at once and goes through
    their flow in step with the others. Returns (updates, seconds)."""
    tokens: asyncio.Queue[None] | None = asyncio.Queue() if pace else None
    total = sum(len(p.steps) for p in people)

    async def release() -> None:
        assert tokens is not None and pace
        start = time.monotonic()
        for n in range(total):
            delay = start + n / pace - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            tokens.put_nowait(None)

    done = 0

    async def act(person: Person) -> None:
        nonlocal done
        for number, (kind, text) in enumerate(person.steps, 1):
            if kind == "maybe":
                if not api.shows(person.user_id, text):
                    continue
                kind = "press"
            if kind == "press":
                await api.look_for(person.user_id, text)
            if tokens is not None:
                await tokens.get()
            label = re.sub(r"\d+", "N", f"{person.flow} {number}: {kind} {text}")
            chat = GROUP_BASE - person.area if kind == "group" else person.user_id
            api.step_of[chat] = label
            api.step_counts[label] += 1
            pushed = time.monotonic()
            latency = await api.step(person, kind, text)
            api.stats.latencies.append(latency)
            api.stats.steps.append((pushed, latency, label, chat))
            done += 1

    start = time.monotonic()
    pacer = asyncio.create_task(release()) if pace else None
    if at_once is None:
        await asyncio.gather(*(act(p) for p in people))
    else:
        coming = deque(random.Random(len(people)).sample(people, len(people)))

        async def one_after_another() -> None:
            while coming:
                await act(coming.popleft())

        await asyncio.gather(*(one_after_another() for _ in range(at_once)))
    if pacer is not None:
        pacer.cancel()
    return done, time.monotonic() - start


# The bots under test, each in its own process ---------------------------------------------
def child_command(kind: str, database: str | Path, url: str) -> list[str]:
    profile = os.environ.get("BENCH_PROFILE")  # a file to write the bot's cProfile stats to
    wrap = ["-m", "cProfile", "-o", profile] if profile and kind == "bot" else []
    return [sys.executable, *wrap, "-m", "bench.updates", "--child", kind, str(database), url]


async def child_bot(database: str, url: str) -> None:
    from bot.app import run_telegram
    from bot.config import load_settings
    from bot.transports.pacing import Limits

    if os.environ.get("BENCH_LOOPTRACE"):
        from bench import looptrace

        looptrace.install(os.environ["BENCH_LOOPTRACE"])
    if os.environ.get("BENCH_UNITS"):
        from bench import units

        units.install(os.environ["BENCH_UNITS"])
    if os.environ.get("BENCH_SQLCOUNT"):
        count_statements(Path(os.environ["BENCH_SQLCOUNT"]))
    settings = load_settings(
        telegram_token=TOKEN,
        telegram_api_url=url,
        database=database,  # a SQLite file or a postgresql:// URL
        poll_timeout_seconds=10,
        log_level="WARNING",
    )
    # The Pacer holds replies to Telegram's real limits (30 messages/s overall, 1/s per chat), and
    # the bare bot has no pacing: raise them a hundredfold so the bench measures the bot's own cost.
    await run_telegram(settings, limits=Limits().scaled(100))


def count_statements(into: Path) -> None:
    """Count the SQL statements the bot runs (every connection it opens); on SIGUSR1 the
    count so far is written to ``into``."""
    count = [0]
    real = sqlite3.connect
    kinds: Counter[str] = Counter()
    by_kind = os.environ.get("BENCH_SQLKINDS")  # a file for the passes' statements by kind

    def counted(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn = real(*args, **kwargs)

        def one(sql: str) -> None:
            count[0] += 1
            if by_kind:
                kinds[re.sub(r"'[^']*'|\b\d+\b", "?", sql)[:150]] += 1

        conn.set_trace_callback(one)
        return conn

    sqlite3.connect = counted  # type: ignore[assignment]

    def write(*_: Any) -> None:
        if by_kind:
            lines = [f"{n:7d} {sql}" for sql, n in kinds.most_common()]
            Path(by_kind).write_text("\n".join(lines))
            kinds.clear()
        into.write_text(str(count[0]))

    signal.signal(signal.SIGUSR1, write)


async def statements(process: subprocess.Popen[bytes], into: Path) -> int:
    """How many SQL statements the bot process has run so far (see count_statements)."""
    _written(into, remove=True)
    process.send_signal(signal.SIGUSR1)
    for _ in range(200):
        await asyncio.sleep(0.01)
        if written := _written(into):
            return int(written)
    return 0


def _written(path: Path, *, remove: bool = False) -> str:
    if remove:
        path.unlink(missing_ok=True)
    return path.read_text() if path.exists() else ""


def child_bare(url: str) -> None:
    from telegram import Update
    from telegram.ext import ApplicationBuilder, CallbackQueryHandler, MessageHandler
    from telegram.ext import filters as ptb_filters

    app = ApplicationBuilder().token(TOKEN).base_url(f"{url}/bot").build()

    async def echo(update: Update, _: Any) -> None:
        if update.effective_message and update.effective_message.text:
            await update.effective_message.reply_text(update.effective_message.text)

    async def pressed(update: Update, _: Any) -> None:
        query = update.callback_query
        if query is not None:
            await query.answer()
            await query.edit_message_text(f"pressed {query.data}")

    app.add_handler(MessageHandler(ptb_filters.ALL, echo))
    app.add_handler(CallbackQueryHandler(pressed))
    app.run_polling(poll_interval=0, timeout=10, allowed_updates=Update.ALL_TYPES)


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time used so far by a process."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int, field_name: str = "VmRSS") -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


@dataclass
class Result:
    name: str
    rates: list[float]
    cpu_ms: float
    calls: float
    sql: float
    p50: float
    p99: float
    startup: float
    menus: int
    all_menus: int
    menus_done: float
    idle_rss: float
    peak_rss: float
    overruns: int
    misses: int
    timeouts: int
    check: str
    detail: list[str] = field(default_factory=list)


async def menus_sent(api: BenchAPI, quiet: float = 0.5) -> float:
    """When the bot's last command menu of start-up was sent: none for ``quiet`` seconds."""
    count, last = api.methods["setMyCommands"], time.monotonic()
    while time.monotonic() - last < quiet:
        await asyncio.sleep(0.05)
        if api.methods["setMyCommands"] != count:
            count, last = api.methods["setMyCommands"], time.monotonic()
    return last


def calls_by_step(api: BenchAPI) -> list[str]:
    """The Bot API calls of the passes by flow step and method (per update of that step),
    those with the most calls beyond one per update first."""
    lines = ["Bot API calls per update, by flow step (--calls):"]
    methods: dict[str, Counter[str]] = {}
    for (step, method), count in api.step_calls.items():
        methods.setdefault(step, Counter())[method] += count
    extra = {step: sum(m.values()) - api.step_counts.get(step, 0) for step, m in methods.items()}
    for step in sorted(methods, key=lambda s: -extra[s]):
        updates = api.step_counts.get(step, 0)
        per = ", ".join(
            f"{method} {count / max(updates, 1):.2f}"
            for method, count in methods[step].most_common()
        )
        lines.append(f"  {sum(methods[step].values()):5d} calls / {updates:4d}  {step}: {per}")
    api.step_calls.clear()
    api.step_counts.clear()
    return lines


def slowest(steps: list[tuple[float, float, str, int]], share: float = 0.01) -> list[str]:
    """Which steps make the slowest ``share`` of the updates, most frequent first."""
    ranked = sorted(steps, key=lambda s: -s[1])[: max(1, round(len(steps) * share))]
    if not ranked:
        return []
    counts = Counter(label for _, _, label, _ in ranked)
    worst: dict[str, float] = {}
    for _, latency, label, _ in ranked:
        worst[label] = max(worst.get(label, 0.0), latency)
    lines = [f"slowest {share:.0%} ({len(ranked)} updates, from {ranked[-1][1] * 1000:.1f} ms):"]
    for label, count in counts.most_common(8):
        lines.append(f"  {count:3d}x  worst {worst[label] * 1000:7.1f} ms  {label}")
    pushed = sorted(s[0] for s in steps)
    ahead = [
        bisect.bisect_right(pushed, s[0]) - bisect.bisect_left(pushed, s[0] - 0.1) - 1
        for s in ranked
    ]
    most = max(bisect.bisect_right(pushed, t + 0.1) - bisect.bisect_left(pushed, t) for t in pushed)
    lines.append(
        f"  pushed with {statistics.median(ahead):.0f} others (median; most {max(ahead)}) in the"
        f" 100 ms before them; any 100 ms of the run held at most {most} updates"
    )
    return lines


async def measure(
    kind: str,
    members: int,
    passes: int,
    seconds: float,
    loop_trace: bool = False,
    show_calls: bool = False,
    *,
    database: str | None = None,
    mix: dict[str, int] = MIX,
) -> Result:
    """One bot on a seeded commune: ``database`` (a setting, seeded by :func:`seed`; by
    default a copy of the SQLite seed file), people acting in the proportions of ``mix``."""
    api = BenchAPI()
    api.expects_buttons = kind == "bot"
    url = await api.start()
    folder = Path(tempfile.mkdtemp(prefix="xomantoan-bench-"))
    if database is None:
        database = str(folder / "bot.sqlite3")
        shutil.copy(seed_path(members), database)
    log = (folder / "stderr.log").open("wb")
    env = {k: v for k, v in os.environ.items() if k != "XOMANTOAN_TELEGRAM_TOKEN"}
    trace = folder / "looptrace.json"
    if loop_trace and kind == "bot":
        env["BENCH_LOOPTRACE"] = str(trace)
    sql_count = folder / "statements"
    timed_units = folder / "units.json"
    if kind == "bot":
        env["BENCH_SQLCOUNT"] = str(sql_count)
        env["BENCH_UNITS"] = str(timed_units)
    started = time.monotonic()
    process = subprocess.Popen(  # noqa: ASYNC220 (a long-lived child, not awaited)
        child_command(kind, database, url), stdout=subprocess.DEVNULL, stderr=log, env=env
    )
    try:
        while api.first_poll is None:
            if process.poll() is not None:
                raise RuntimeError(f"the {kind} bot stopped: see {folder / 'stderr.log'}")
            await asyncio.sleep(0.01)
        startup = api.first_poll - started
        menus = api.methods["setMyCommands"]
        # Start-up goes on in the background: each leader's and officer's command menu, spread
        # out (bot/transports/telegram/menus.py). Those calls are start-up's, not the updates':
        # the passes begin once they are all sent.
        menus_done = await menus_sent(api)
        all_menus = api.methods["setMyCommands"]
        await asyncio.sleep(1.0)
        idle = rss_mb(process.pid)
        rates, cpu_before, total = [], cpu_seconds(process.pid), 0
        calls_before = sum(api.methods.values())
        sql_before = await statements(process, sql_count) if kind == "bot" else 0
        api.step_calls.clear()
        for round_no in range(passes):
            count, took = await run_people(api, actors(members, round_no, mix), None)
            rates.append(count / took)
            total += count
        cpu_ms = (cpu_seconds(process.pid) - cpu_before) * 1000 / total
        calls = (sum(api.methods.values()) - calls_before) / total
        sql = (await statements(process, sql_count) - sql_before) / total if kind == "bot" else 0.0
        by_step = calls_by_step(api) if show_calls else []
        api.stats.latencies.clear()
        per_pass = sum(mix.values()) * 1620 / sum(MIX.values())  # updates, about
        steady_mix = {k: max(1, round(v * seconds * 100 / per_pass)) for k, v in mix.items()}
        steady_mix["patrol"] = mix["patrol"]
        # The steady people's blocks follow the last pass's signers (who must not sign twice).
        first = (passes - 1) * sum(mix.values()) + max(mix.values())
        api.stats.steps.clear()
        steady_from = time.monotonic()
        await run_people(api, actors(members, passes, steady_mix, first), 100.0, AT_ONCE)
        steady = (steady_from, time.monotonic())
        lat = sorted(api.stats.latencies)
        peak = rss_mb(process.pid, "VmHWM")
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        await api.stop()
    errors = (folder / "stderr.log").read_text(errors="replace")
    overruns = errors.count("maximum number of running instances") + errors.count("was missed by")
    check = ""
    if kind == "bot":
        from bot.storage.db import Database

        db = await Database.open(database, migrate=False)
        counts = []
        async with db.read() as conn:
            for query in (
                f"SELECT COUNT(*) FROM members WHERE CAST(user_id AS BIGINT) >= {NEW_USER_BASE}"
                " AND consent_at IS NOT NULL",
                "SELECT COUNT(*) FROM pledges WHERE reference NOT LIKE 'S-%'",
                "SELECT COUNT(*) FROM reports",
                "SELECT COUNT(*) FROM patrols WHERE status != 'open'",
            ):
                row = await (await conn.execute(query)).fetchone()
                counts.append(row[0] if row else 0)
        await db.close()
        check = "registered {}, pledges signed {}, reports {}, patrols ended {}".format(*counts)
    detail = slowest(api.stats.steps) + by_step
    if timed_units.exists() and not database.startswith("postgresql"):
        from bench import units

        detail += units.summary(str(timed_units), steady)
    if trace.exists():
        from bench import looptrace

        detail += looptrace.summary(str(trace), steady)
        detail += looptrace.lane_costs(str(trace), api.stats.steps)
    shutil.rmtree(folder, ignore_errors=True)
    return Result(
        f"{'Xóm An Toàn' if kind == 'bot' else 'bare PTB'} ({members:,} members)",
        rates,
        cpu_ms,
        calls,
        sql,
        lat[len(lat) // 2] * 1000 if lat else float("nan"),
        lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000 if lat else float("nan"),
        startup,
        menus,
        all_menus,
        menus_done - started,
        idle,
        peak,
        overruns,
        api.stats.misses,
        api.stats.timeouts,
        check,
        detail,
    )


def show(result: Result, baseline: Result | None) -> None:
    median, worst = statistics.median(result.rates), min(result.rates)
    ratio = f"  {median / statistics.median(baseline.rates):.2f}x baseline" if baseline else ""
    cpu = f"  {baseline.cpu_ms / result.cpu_ms:.2f}x" if baseline else ""
    print(
        f"{result.name:<34} {median:7.0f} updates/s (worst {worst:.0f}){ratio}\n"
        f"{'':<34} CPU {result.cpu_ms:.2f} ms per update{cpu}, "
        f"{result.calls:.2f} Bot API calls per update"
        + (f", {result.sql:.1f} SQL statements per update" if result.sql else "")
        + "\n"
        f"{'':<34} at 100 updates/s: p50 {result.p50:.1f} ms, p99 {result.p99:.1f} ms\n"
        f"{'':<34} start-up {result.startup:.2f} s ({result.menus} command menus; "
        f"all {result.all_menus} after {result.menus_done:.2f} s), "
        f"RSS idle {result.idle_rss:.0f} MB, peak {result.peak_rss:.0f} MB, "
        f"timer overruns {result.overruns}"
    )
    if baseline is not None:
        print(
            f"{'':<34} check: {result.check}; buttons not found {result.misses}, "
            f"unanswered {result.timeouts}"
        )
    for line in result.detail:
        print(f"{'':<34} {line}")


async def main(args: argparse.Namespace) -> None:
    sizes = [int(s) for s in args.sizes.split(",")]
    per_pass = sum(k != "maybe" for p in actors(max(sizes), 0, MIX) for k, _ in p.steps)
    print(
        f"{args.passes} passes of {per_pass} updates (registrations, pledges signed and viewed, "
        "reports, live patrols with observations, /help, text, group commands, /language), "
        f"then {args.seconds:g} s at 100 updates/s (people come and go, at most {AT_ONCE} in"
        " the middle of a flow at a time); each bot polls a fake Bot API."
    )
    for members in sizes:
        await build_seed(members)
    baseline = await measure("bare", min(sizes), args.passes, args.seconds, False, args.calls)
    show(baseline, None)
    for members in sizes:
        show(
            await measure("bot", members, args.passes, args.seconds, args.loop, args.calls),
            baseline,
        )


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="10000,100000", help="members in the seeded commune")
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=10.0, help="length of the paced run")
    parser.add_argument(
        "--loop",
        action="store_true",
        help="time every callback of the bot's event loop and print where it was held longest"
        " during the paced run (bench/looptrace.py; it slows the bot a little)",
    )
    parser.add_argument(
        "--calls",
        action="store_true",
        help="print the Bot API calls of the passes by flow step and method",
    )
    return parser.parse_args(argv)


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "--child":
        if sys.argv[2] == "bot":
            asyncio.run(child_bot(sys.argv[3], sys.argv[4]))
        else:
            child_bare(sys.argv[4])
    else:
        asyncio.run(main(parse(sys.argv[1:])))
