"""The chat-neutral core without Telegram: routing, permissions, menus, conversations."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.core.dispatcher import Dispatcher
from bot.core.events import ChatInfo, Event, EventKind, Outcome, Person, parse_command
from bot.core.menus import parse_callback_data
from bot.core.permissions import EVERYONE, OFFICERS, Role, RoleSet
from bot.core.registry import Command, Feature, Registry, Where
from bot.storage import areas
from bot.storage.db import Database
from tests.conftest import Clock

AN = Person("7", "An", None, "vi")
PRIVATE = ChatInfo("7", "private")


def command(text: str, user: Person = AN, chat: ChatInfo = PRIVATE) -> Event:
    parsed = parse_command(text, "xomantoan_bot")
    assert parsed is not None
    return Event(
        "telegram", EventKind.COMMAND, chat, user, 1, text=text, command=parsed[0], args=parsed[1]
    )


def press(outcome: Outcome, index: int, user: Person = AN) -> Event:
    data = outcome.messages[-1].buttons
    flat = [b for row in data for b in row]
    parsed = parse_callback_data(flat[index].data or "")
    assert parsed is not None
    return Event(
        "telegram",
        EventKind.BUTTON,
        PRIVATE,
        user,
        2,
        menu_id=parsed[0],
        option_index=parsed[1],
        callback_id="c",
    )


def test_parse_command() -> None:
    assert parse_command("/baocao@xomantoan_bot now", "xomantoan_bot") == ("baocao", "now")
    assert parse_command("/help@other_bot", "xomantoan_bot") is None
    assert parse_command("hello", "xomantoan_bot") is None


def test_registry_refuses_a_name_declared_twice() -> None:
    async def noop(ctx: object) -> None: ...

    one = Command("help", "trogiup", noop, EVERYONE, Where.ANY, "x")  # type: ignore[arg-type]
    two = Command("trogiup", "other", noop, EVERYONE, Where.ANY, "y")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="declared twice"):
        Registry([Feature("a", [one]), Feature("b", [two])])


def test_role_checks() -> None:
    leader = RoleSet(frozenset({Role.RESIDENT, Role.LEADER}), frozenset({3}))
    assert leader.may(EVERYONE) and not leader.may(OFFICERS)
    assert leader.leads(3) and not leader.leads(4)
    officer = RoleSet(frozenset({Role.OFFICER}))
    assert officer.leads(4) and officer.is_officer
    assert RoleSet(frozenset()).may(EVERYONE)


async def test_onboarding_then_stale_menu(
    db: Database, dispatcher: Dispatcher, clock: Clock
) -> None:
    async with db.unit() as conn:
        await areas.add(conn, "DONG", "Thôn Đông", 10, clock())
    consent = await dispatcher.handle(command("/start"))
    asked = await dispatcher.handle(press(consent, 0))
    assert "tên" in asked.messages[0].text
    again = await dispatcher.handle(press(consent, 0))
    assert again.toast is not None and "không còn hiệu lực" in again.toast


async def test_menus_expire(db: Database, dispatcher: Dispatcher, clock: Clock) -> None:
    menu = await dispatcher.handle(command("/language"))
    clock.now += timedelta(hours=49)
    late = await dispatcher.handle(press(menu, 1))
    assert late.toast is not None and "không còn hiệu lực" in late.toast


async def test_someone_elses_menu(db: Database, dispatcher: Dispatcher) -> None:
    menu = await dispatcher.handle(command("/language"))
    other = await dispatcher.handle(press(menu, 1, user=Person("8", "Bình")))
    assert other.toast is not None and "người khác" in other.toast


async def test_handler_failure_is_rolled_back_and_apologised(db: Database, clock: Clock) -> None:
    from bot.core.context import Context, CoreConfig

    async def broken(ctx: Context) -> None:
        await areas.add(ctx.conn, "X", "Xóm", 1, ctx.now)
        raise RuntimeError("boom")

    registry = Registry(
        [
            Feature(
                "broken",
                [Command("boom", "no", broken, EVERYONE, Where.ANY, "x", needs_onboarding=False)],
            )
        ]
    )
    outcome = await Dispatcher(db, registry, CoreConfig(), clock).handle(command("/boom"))
    assert "xin lỗi" in outcome.messages[0].text.lower()
    async with db.read() as conn:
        assert await areas.list_areas(conn) == []


async def test_unregistered_person_sees_only_open_commands(dispatcher: Dispatcher) -> None:
    text = (await dispatcher.handle(command("/help"))).messages[0].text
    assert "/batdau" in text and "/capquyen" not in text


async def test_without_links_a_group_is_told_what_to_send_in_private(
    dispatcher: Dispatcher,
) -> None:
    """A transport that cannot link into the private chat (CoreConfig's default): the answer
    says what to type there instead of showing a button."""
    group = ChatInfo("-500", "group", "Nhóm Thôn Đông")
    outcome = await dispatcher.handle(command("/mydata", chat=group))
    answer = outcome.messages[-1]
    assert answer.chat_id == "-500"
    assert "gửi /batdau go-mydata" in answer.text
    assert answer.buttons == []
