"""Command menus, localized, per scope and per member with a role."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeDefault,
)
from telegram.error import BadRequest, Forbidden

from bot.core.permissions import EVERYONE, LEADERS, OFFICERS, Role
from bot.i18n import LANGUAGES, Translator
from bot.storage import roles as roles_repo
from bot.transports.telegram.ids import PLATFORM, tg_id
from bot.transports.telegram.retries import with_retries
from bot.transports.telegram.state import TransportState

log = logging.getLogger(__name__)
MENU_SPACING = 0.05  # seconds between two members' command menus published at start-up


class CommandMenus(TransportState):
    # Command menus ------------------------------------------------------------------------
    async def publish_commands(self) -> None:
        """Localized menus per scope: residents in private chats, everyone in groups (a few
        calls, before polling starts); then, in the background and spread out, the full list
        for each leader, officer and admin in their own private chat (one call each: 300
        leaders in a row would hold the start for many seconds)."""
        for language in LANGUAGES:
            t = Translator(language)
            code = None if language == "vi" else language
            private = self._menu(t, {Role.RESIDENT}, private=True)
            groups = self._menu(t, EVERYONE, private=False)
            await with_retries(
                lambda p=private, c=code: self.bot.set_my_commands(  # type: ignore[misc]
                    p, scope=BotCommandScopeAllPrivateChats(), language_code=c
                )
            )
            await with_retries(
                lambda g=groups, c=code: self.bot.set_my_commands(  # type: ignore[misc]
                    g, scope=BotCommandScopeAllGroupChats(), language_code=c
                )
            )
            await with_retries(
                lambda p=private, c=code: self.bot.set_my_commands(  # type: ignore[misc]
                    p, scope=BotCommandScopeDefault(), language_code=c
                )
            )
        async with self.db.read() as conn:
            elevated = await roles_repo.elevated_on(conn, PLATFORM)
        self.menus_task = asyncio.create_task(
            self._publish_member_menus(elevated), name="command-menus"
        )

    async def _publish_member_menus(self, elevated: list[roles_repo.Elevated]) -> None:
        for index, member in enumerate(elevated):
            if index:
                await asyncio.sleep(MENU_SPACING)
            try:
                held = {Role(r) for r in member.roles}
                await self.publish_member_commands(member.user_id, member.language, held)
            except Exception:  # a menu that cannot be set must not stop the others
                log.warning("could not set a member's command menu", exc_info=True)

    async def close(self) -> None:
        """Stop the background work of this transport (menus still being published)."""
        if self.menus_task is not None:
            self.menus_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.menus_task

    async def publish_member_commands(
        self, user_id: str, language: str | None, held: set[Role]
    ) -> None:
        t = Translator(language or "vi")
        roles = {Role.RESIDENT, *held}
        if Role.ADMIN in held:
            roles |= set(OFFICERS)
        if roles & set(OFFICERS):
            roles |= set(LEADERS)
        try:
            await with_retries(
                lambda: self.bot.set_my_commands(
                    self._menu(t, roles, private=True), scope=BotCommandScopeChat(tg_id(user_id))
                )
            )
        except (Forbidden, BadRequest) as exc:
            log.info("could not set the command menu for a member: %s", exc)

    def _menu(self, t: Translator, roles: Any, *, private: bool) -> list[BotCommand]:
        commands = self.registry.for_menu(roles, private=private)
        # Vietnamese menus show the Vietnamese aliases people type; English menus the names.
        return [
            BotCommand(c.alias if t.language == "vi" else c.name, t._(c.description)[:256])
            for c in commands
        ]
