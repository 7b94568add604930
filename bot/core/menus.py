"""Turn options into buttons: actions are stored in SQLite, the button holds ``<menu>:<index>``."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.core.events import Button, Option
from bot.storage import menus
from bot.storage.db import Connection


def callback_data(menu_id: str, index: int) -> str:
    return f"{menu_id}:{index}"


def parse_callback_data(data: str) -> tuple[str, int] | None:
    menu_id, sep, index = data.rpartition(":")
    if not sep or not menu_id or not index.isdigit():
        return None
    return menu_id, int(index)


async def resolve_buttons(
    conn: Connection,
    platform: str,
    chat_id: str,
    user_id: str | None,
    options: list[list[Option]],
    *,
    token: str | None,
    now: datetime,
    ttl: timedelta,
    step_token: str | None = None,
    text: str | None = None,
) -> list[list[Button]]:
    """Buttons for ``options``; their actions are stored as one menu. ``step_token`` is the
    conversation step the menu is shown in; with ``text`` (the message) the menu also keeps
    the message and labels, so the step can be shown again (see the dispatcher), and so can a
    message with an option that ``redraws`` it (a picker's next page), in a step or not."""
    actions = [o.action for row in options for o in row if o.action is not None]
    shown = None
    redraws = any(o.redraws for row in options for o in row)
    if text is not None and (step_token is not None or redraws):
        shown = (text, [[_shown_option(o) for o in row] for row in options])
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
            shown=shown,
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


def _shown_option(option: Option) -> dict[str, str]:
    if option.action is not None:
        kept = {"label": option.label, "action": option.action}
        return {**kept, "redraws": "1"} if option.redraws else kept
    return {"label": option.label, "url": option.url or ""}


def shown_options(rows: list[list[dict[str, str]]]) -> list[list[Option]]:
    """Options back from what a menu kept (see :func:`resolve_buttons`)."""
    return [
        [
            Option(o["label"], action=o["action"], redraws=bool(o.get("redraws")))
            if "action" in o
            else Option(o["label"], url=o.get("url"))
            for o in row
        ]
        for row in rows
    ]
