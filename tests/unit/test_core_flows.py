"""Typed conversation states and declared button actions (bot.core.flows): what the release
before them stored still answers, and a state that cannot be read is refused with the "start
again" answer instead of a crash."""

from __future__ import annotations

import ast
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.core.dispatcher import Dispatcher
from bot.core.events import ChatInfo, Event, EventKind, Person
from bot.features import build_registry
from bot.features.patrols.kinds import KINDS
from bot.storage import areas, conversations, members, menus, patrols, roles
from bot.storage.conversations import Conversation
from bot.storage.db import Database
from tests.conftest import Clock

AN = Person("7", "An", None, "vi")
PRIVATE = ChatInfo("7", "private")
START_AGAIN = "không còn hiệu lực"
ROOT = Path(__file__).resolve().parents[2]


async def _resident(db: Database, clock: Clock) -> int:
    """A registered resident of Thôn Đông; returns the area's id."""
    async with db.unit() as conn:
        area = await areas.add(conn, "DONG", "Thôn Đông", 10, clock())
        member = await members.ensure(conn, "telegram", AN.id, clock())
        await members.complete_onboarding(
            conn,
            member.id,
            display_name="An",
            area_id=area.id,
            language="vi",
            consent_version=1,
            now=clock(),
        )
    return area.id


async def _in_conversation(
    db: Database, clock: Clock, flow: str, step: str, data: dict[str, Any]
) -> None:
    """The resident's conversation, stored as given (as the release before typed states)."""
    async with db.unit() as conn:
        await conversations.save(
            conn,
            "telegram",
            PRIVATE.id,
            AN.id,
            Conversation(flow, step, "t0k3n", data),
            clock(),
            clock() + timedelta(hours=1),
        )


def _typed(text: str) -> Event:
    return Event("telegram", EventKind.TEXT, PRIVATE, AN, 3, text=text)


async def _stored(db: Database, clock: Clock) -> Conversation | None:
    async with db.unit() as conn:
        return await conversations.load(conn, "telegram", PRIVATE.id, AN.id, clock())


async def _press(db: Database, dispatcher: Dispatcher, clock: Clock, actions: list[str]) -> Any:
    """Press the first button of a menu with ``actions``, kept as the earlier release kept it."""
    async with db.unit() as conn:
        menu_id = await menus.create(
            conn,
            "telegram",
            PRIVATE.id,
            AN.id,
            actions,
            "t0k3n",
            clock(),
            clock() + timedelta(hours=1),
        )
    return await dispatcher.handle(
        Event(
            "telegram",
            EventKind.BUTTON,
            PRIVATE,
            AN,
            4,
            menu_id=menu_id,
            option_index=0,
            callback_id="c",
        )
    )


async def test_a_report_begun_before_the_upgrade_goes_on(
    db: Database, dispatcher: Dispatcher, clock: Clock
) -> None:
    area_id = await _resident(db, clock)
    media = [{"kind": "photo", "file_id": "AgADBAAD"}]
    await _in_conversation(
        db,
        clock,
        "report",
        "place",
        {"text": "Có người lạ bẻ khóa xe", "media": media, "category": "theft", "area_id": area_id},
    )
    outcome = await dispatcher.handle(_typed("Ngõ 3, sau chợ"))
    assert "đang xảy ra ngay lúc này" in outcome.messages[-1].text
    stored = await _stored(db, clock)
    assert stored is not None and stored.step == "now"
    assert stored.data["place"] == "Ngõ 3, sau chợ"
    assert stored.data["media"] == media and stored.data["area_id"] == area_id
    # A menu the earlier release showed at that step still answers: "No" (not happening now).
    await _in_conversation(db, clock, "report", "now", stored.data)
    pressed = await _press(db, dispatcher, clock, ["rep:now:no"])
    assert pressed.toast is None and "ẩn danh" in pressed.messages[-1].text
    after = await _stored(db, clock)
    assert after is not None and after.step == "anon" and after.data["now"] is False


async def test_a_garbled_state_is_refused_with_start_again(
    db: Database, dispatcher: Dispatcher, clock: Clock
) -> None:
    await _resident(db, clock)
    # A category that does not exist and photos that are not a list: nothing can be sent.
    await _in_conversation(
        db, clock, "report", "place", {"category": "ufo", "media": "AgADBAAD", "text": 3}
    )
    outcome = await dispatcher.handle(_typed("Ngõ 3"))
    assert len(outcome.messages) == 1 and START_AGAIN in outcome.messages[0].text
    assert await _stored(db, clock) is None  # ended: the next /report starts clean


async def test_a_step_this_release_does_not_have_is_refused(
    db: Database, dispatcher: Dispatcher, clock: Clock
) -> None:
    await _resident(db, clock)
    await _in_conversation(db, clock, "mediation", "witnesses", {"area_id": 1})
    outcome = await dispatcher.handle(_typed("Bà Tư"))
    assert len(outcome.messages) == 1 and START_AGAIN in outcome.messages[0].text
    assert await _stored(db, clock) is None


async def test_a_button_of_an_unknown_verb_leaves_the_conversation_open(
    db: Database, dispatcher: Dispatcher, clock: Clock
) -> None:
    await _resident(db, clock)
    await _in_conversation(db, clock, "report", "category", {"text": "", "media": []})
    pressed = await _press(db, dispatcher, clock, ["rep:teleport:now"])
    assert pressed.toast is not None and START_AGAIN in pressed.toast
    assert not pressed.messages
    still = await _stored(db, clock)
    assert still is not None and still.step == "category"
    # A button of another flow pressed meanwhile is refused with a toast, and ends nothing.
    pressed = await _press(db, dispatcher, clock, ["med:day:1"])
    assert pressed.toast is not None
    still = await _stored(db, clock)
    assert still is not None and still.flow == "report"


async def test_a_notebook_list_kept_before_the_upgrade_is_saved(
    db: Database, dispatcher: Dispatcher, clock: Clock
) -> None:
    """The patrols typed from a notebook wait in the conversation (times as "19:00" before);
    "Save" of the menu shown then saves them."""
    area_id = await _resident(db, clock)
    async with db.unit() as conn:
        member = await members.find(conn, "telegram", AN.id)
        assert member is not None
        await roles.grant(conn, member.id, "leader", area_id, None, clock())
    entry = {
        "day": "2026-11-12",
        "start": "19:00",
        "end": "21:30",
        "names": [],
        "headcount": 5,
        "observations": {KINDS[0].code: 2},
        "line": 1,
    }
    await _in_conversation(
        db, clock, "patrol_back", "lines", {"area_id": area_id, "entries": [entry]}
    )
    pressed = await _press(db, dispatcher, clock, ["ptb:save"])
    assert "Đã lưu 1 buổi tuần tra" in pressed.messages[-1].text
    async with db.unit() as conn:
        saved = await patrols.recent(conn, [area_id])
    assert len(saved) == 1 and saved[0].headcount == 5


def test_no_feature_writes_an_action_string_by_hand() -> None:
    """Every button's action is made from its feature's declaration in actions.py: a prefix
    written out elsewhere ("rep:cat:...") would not follow a change of the declaration."""
    prefixes = tuple(f"{p}:" for p in build_registry().actions)
    written = [
        f"{path.relative_to(ROOT)}: {text!r}"
        for path in sorted((ROOT / "bot" / "features").rglob("*.py"))
        if path.name != "actions.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and (text := node.value).startswith(prefixes)
    ]
    assert written == []
