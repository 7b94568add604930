"""What every part of the transport shares, set by ``TelegramTransport.__init__``."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.core.dispatcher import Dispatcher
from bot.core.registry import Registry
from bot.storage.db import Database
from bot.transports.chat_lanes import ChatLanes
from bot.transports.pacing import Pacer
from bot.transports.telegram.edits import MessageMap, Resent


class TransportState:
    """The transport's state, declared once for the parts (mixins) that use it."""

    app: Application[Any, Any, Any, Any, Any, Any]
    bot: Any
    dispatcher: Dispatcher
    registry: Registry
    db: Database
    moved: dict[str, str]
    _moves_known: bool
    pacer: Pacer | None
    groups: set[str]
    _lanes: ChatLanes[tuple[int | None, Update]]
    _inboxed: set[int]
    holder: str | None
    lease: timedelta
    _held: set[str]
    _claims: ChatLanes[str]
    _claim_wake: asyncio.Event
    _handling: asyncio.Semaphore
    menus_task: asyncio.Task[None] | None
    _parts_sent: dict[int, int]
    resent: Resent
    prompts: MessageMap
