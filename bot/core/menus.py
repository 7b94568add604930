"""Turn options into buttons: actions are stored in SQLite, the button holds ``<menu>:<index>``."""

from __future__ import annotations

from datetime import datetime, timedelta

import aiosqlite

from bot.core.events import Button, Option
from bot.storage import menus


def callback_data(menu_id: str, index: int) -> str:
    return f"{menu_id}:{index}"


def parse_callback_data(data: str) -> tuple[str, int] | None:
    menu_id, sep, index = data.rpartition(":")
    if not sep or not menu_id or not index.isdigit():
        return None
    return menu_id, int(index)


async def resolve_buttons(
    conn: aiosqlite.Connection,
    platform: str,
    chat_id: int,
    user_id: int | None,
    options: list[list[Option]],
    *,
    token: str | None,
    now: datetime,
    ttl: timedelta,
    step_token: str | None = None,
) -> list[list[Button]]:
    actions = [o.action for row in options for o in row if o.action is not None]
    menu_id = (
        await menus.create(
            conn,
            platform,
            chat_id,
            user_id,
            actions,
            token,
            now,
            now + ttl,
            step_token=step_token,
        )
        if actions
        else ""
    )
    rows: list[list[Button]] = []
    index = 0
    for row in options:
        buttons: list[Button] = []
        for option in row:
            if option.action is not None:
                buttons.append(Button(option.label, data=callback_data(menu_id, index)))
                index += 1
            else:
                buttons.append(Button(option.label, url=option.url))
        rows.append(buttons)
    return rows
