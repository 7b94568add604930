"""Route one event to its handler inside one database transaction, and resolve the replies.

Everything an event changes (data, conversation state, menus, messages queued for others)
commits together or not at all. A failing handler is logged with the update id, rolled back,
and the person gets a short apology in their language; other people are not affected. A unit
cut off by a lost database connection (PostgreSQL restarting) is handled again, whole.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from bot.core.context import Context, CoreConfig
from bot.core.events import (
    Event,
    EventKind,
    ExpectedReply,
    InputRequest,
    Option,
    Outcome,
    Outgoing,
)
from bot.core.flows import STALE_MENU, StateRefused
from bot.core.menus import resolve_buttons, shown_options
from bot.core.permissions import LEADERS, RoleSet, load_roles, refusal
from bot.core.registry import Command, Registry
from bot.i18n import N_, pick_language
from bot.storage import chats, conversations, menus
from bot.storage import members as members_repo
from bot.storage.connection import ConnectionLost
from bot.storage.db import Connection, Database

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

SOMEONE_ELSES_MENU = N_("This menu belongs to someone else.")
# In a group, a step waiting for typed input asks for the answer as a reply (see _expected).
REPLY_PROMPT = N_("Reply to this message with your answer.")
REPLY_PLACEHOLDER = N_("Your answer")
UNIT_ATTEMPTS = 3  # a unit cut off by a lost connection (the server restarted) is run again
APOLOGY = N_(
    "Sorry, something went wrong on our side and your last action was not saved. "
    "Please try again in a moment."
)


def utc_now() -> datetime:
    return datetime.now(UTC)


class Dispatcher:
    def __init__(
        self, db: Database, registry: Registry, config: CoreConfig, clock: Clock = utc_now
    ) -> None:
        self.db = db
        self.registry = registry
        self.config = config
        self.clock = clock
        self.outbox_signal = asyncio.Event()

    async def handle(
        self,
        event: Event,
        *,
        within: Callable[[Connection], Awaitable[None]] | None = None,
        wake_outbox: bool = True,
    ) -> Outcome:
        """``within``: the transport's own bookkeeping of this event (taking it out of the
        inbox), done in the event's transaction instead of one of its own. ``wake_outbox``
        False: the transport wakes the outbox worker itself, after the replies (so the person
        sees the answer to what they did before the messages it queued, even to themselves)."""
        for attempt in range(UNIT_ATTEMPTS):
            try:
                async with self.db.unit() as conn:
                    outcome = await self._handle(conn, event)
                    if within is not None:
                        await within(conn)
                break
            except ConnectionLost as exc:
                log.warning("update %s: %s; handling it again", event.update_id, exc)
                if attempt + 1 == UNIT_ATTEMPTS:
                    return self._apology(event)
            except Exception:
                log.exception("handler failed on update %s (%s)", event.update_id, event.kind.value)
                return self._apology(event)
        outcome.committed = True
        if outcome.outbox_written and wake_outbox:
            self.outbox_signal.set()
        if outcome.checkpoint_after:
            try:
                await self.db.checkpoint()
            except Exception:
                log.exception("checkpoint after update %s failed", event.update_id)
        return outcome

    def _apology(self, event: Event) -> Outcome:
        language = pick_language(event.user.language_code if event.user else None)
        text = self.config.translator(language, event.platform)._(APOLOGY)
        if event.kind == EventKind.BUTTON:
            return Outcome(toast=text)
        if event.kind in (
            EventKind.COMMAND,
            EventKind.TEXT,
            EventKind.LOCATION,
            EventKind.PHOTO,
            EventKind.VOICE,
        ):
            return Outcome(messages=[Outgoing(event.chat.id, text)])
        return Outcome()

    async def _handle(self, conn: Connection, event: Event) -> Outcome:
        now = self.clock()
        platform, user = event.platform, event.user
        if event.kind == EventKind.CHAT_MIGRATED:
            chat = await chats.upsert(conn, platform, event.chat.id, "group", None, now)
        else:
            chat = await chats.upsert(
                conn,
                platform,
                event.chat.id,
                "private" if event.chat.is_private else "group",
                None if event.chat.is_private else event.chat.title,
                now,
                reactivate=event.kind != EventKind.BOT_REMOVED,
            )
        member = await members_repo.find(conn, platform, user.id) if user else None
        conversation = (
            await conversations.load(conn, platform, event.chat.id, user.id, now) if user else None
        )
        roles = (
            await load_roles(conn, member, platform, user.id, self.config.admins)
            if user
            else RoleSet(frozenset())
        )
        ctx = Context(
            event=event,
            conn=conn,
            config=self.config.on(event.platform),
            now=now,
            member=member,
            chat=chat,
            roles=roles,
            translator=self.config.translator(
                self._language(event, member, chat, conversation),
                event.platform,
                # In private the reader is the person: staff read "đồng chí" where a message
                # has staff words; a group reads the residents' words.
                staff=event.chat.is_private and roles.may(LEADERS),
            ),
            conversation=conversation,
            registry=self.registry,
        )
        step_before = conversation.token if conversation else None
        try:
            await self._route(ctx)
        except StateRefused as refused:
            self._refuse(ctx, refused)
        ctx.keep_state()
        if user is not None and ctx.conversation_changed:
            if ctx.conversation is None:
                await conversations.clear(conn, platform, event.chat.id, user.id)
            else:
                await conversations.save(
                    conn,
                    platform,
                    event.chat.id,
                    user.id,
                    ctx.conversation,
                    now,
                    now + self.config.conversation_ttl,
                )
        return await self._resolve(ctx, step_before)

    def _language(
        self,
        event: Event,
        member: members_repo.Member | None,
        chat: chats.Chat,
        conversation: conversations.Conversation | None,
    ) -> str:
        if not event.chat.is_private:
            return chat.language or self.config.default_language
        if member is not None and member.language:
            return member.language
        if conversation is not None and conversation.data.get("lang"):
            return str(conversation.data["lang"])
        return pick_language(event.user.language_code if event.user else None)

    def _refuse(self, ctx: Context, refused: StateRefused) -> None:
        """What was pressed or typed does not fit the conversation (see bot.core.flows): the
        person is told to start again instead of what the handler had begun to answer, and a
        conversation that cannot go on ends."""
        if refused.end:
            ctx.end()
        ctx.replies.clear()
        ctx.toast_text = None
        if ctx.event.kind == EventKind.BUTTON:
            ctx.toast(ctx._(refused.answer))
        else:
            ctx.reply(ctx._(refused.answer))

    # Routing ------------------------------------------------------------------------------
    async def _route(self, ctx: Context) -> None:
        event = ctx.event
        if event.kind == EventKind.BUTTON:
            await self._button(ctx)
        elif event.kind == EventKind.COMMAND:
            await self._command(ctx)
        elif event.kind in (
            EventKind.TEXT,
            EventKind.LOCATION,
            EventKind.PHOTO,
            EventKind.VOICE,
            EventKind.UNSUPPORTED,
        ):
            await self._input(ctx)
        else:
            for handler in self.registry.events.get(event.kind, []):
                await handler(ctx)

    async def _button(self, ctx: Context) -> None:
        event = ctx.event
        menu = await menus.get(ctx.conn, event.menu_id) if event.menu_id else None
        conversation = ctx.conversation
        stale = (
            menu is None
            or menu.expires_at <= ctx.now
            # a menu sent to a sealed address (an anonymous reporter's) names its chat sealed
            or not self.config.sealer.names(menu.chat_id, event.chat.id)
            or event.option_index is None
            or not 0 <= event.option_index < len(menu.actions)
            or (
                menu.token is not None
                and (conversation is None or conversation.token != menu.token)
            )
        )
        if stale or menu is None or event.option_index is None:
            ctx.toast(ctx._(STALE_MENU))
            return
        if menu.user_id is not None and event.user is not None and menu.user_id != event.user.id:
            ctx.toast(ctx._(SOMEONE_ELSES_MENU))
            return
        prefix, _, argument = menu.actions[event.option_index].partition(":")
        action = self.registry.actions.get(prefix)
        if action is None:
            ctx.toast(ctx._(STALE_MENU))
            return
        if action.needs_onboarding and not (ctx.member and ctx.member.onboarded):
            ctx.toast(ctx._(STALE_MENU))
            return
        if not ctx.roles.may(action.roles):
            ctx.toast(refusal(ctx._, action.roles))
            return
        await action.handler(ctx, argument)

    async def _command(self, ctx: Context) -> None:
        event = ctx.event
        command = self.registry.find(event.command or "")
        private = event.chat.is_private
        if command is None:
            if private:
                ctx.reply(
                    ctx._(
                        "Sorry, I do not know the command /{name}. See /help for what you can use.",
                        name=event.command or "",
                    )
                )
            return
        if not command.works_in(private):
            self._wrong_chat(ctx, command)
            return
        onboarded = ctx.member is not None and ctx.member.onboarded
        if command.needs_onboarding and not onboarded:
            if private:
                ctx.reply(ctx._("Please register first: it takes a minute. Press /start."))
            else:
                extra, options = ctx.private_chat(ctx._("Open private chat"), "start")
                ctx.reply(
                    ctx._("Please register with me in a private chat first.") + extra, options
                )
            return
        if not ctx.roles.may(command.roles):
            ctx.reply(refusal(ctx._, command.roles))
            return
        await command.handler(ctx)

    def _wrong_chat(self, ctx: Context, command: Command) -> None:
        if ctx.event.chat.is_private:
            ctx.reply(
                ctx._(
                    "/{name} is used in your area's group chat.",
                    name=command.typed_in(ctx.t.language),
                )
            )
            return
        # In a group: reveal nothing, only offer the private chat.
        extra, options = ctx.private_chat(ctx._("Open private chat"), f"go-{command.name}")
        ctx.reply(
            ctx._("This is done in a private chat with me, so nothing is shown in the group.")
            + extra,
            options,
        )

    async def _input(self, ctx: Context) -> None:
        event = ctx.event
        if event.kind == EventKind.TEXT and event.menu_id is not None:
            # A number typed where options are shown as numbered lines (the console).
            if await self._typed_choice(ctx):
                event.kind = EventKind.BUTTON
                await self._button(ctx)
                return
            event.menu_id, event.option_index = None, None
        shown = await self._step_not_on_screen(ctx)
        if shown is not None and _picks_an_option(event.text, shown[1]):
            ctx.reply(shown[0], shown[1], bind_to_conversation=True)  # show the step again
            return
        flow = self.registry.flows.get(ctx.flow or "")
        if flow is not None:
            declared = self.registry.flow_states.get(ctx.flow or "")
            if declared is not None:
                declared.check(ctx)
            await flow(ctx)
            ctx.keep_state()
            if (
                shown is not None
                and not ctx.conversation_changed
                and not any(r.options for r in ctx.replies)
            ):
                ctx.reply(shown[0], shown[1], bind_to_conversation=True)
            return
        if ctx.event.chat.is_private:
            if ctx.event.kind == EventKind.TEXT:
                ctx.reply(ctx._("I did not understand that. Please choose a command from /help."))
            else:
                ctx.reply(
                    ctx._(
                        "I was not expecting a file or location now. Please choose "
                        "a command from /help."
                    )
                )

    async def _typed_choice(self, ctx: Context) -> bool:
        """Is a typed number a choice of the menu it names? Only when that menu was shown in
        the person's current conversation step (or no conversation is open): a number typed
        where the current step asks for text or a number is that answer."""
        conversation = ctx.conversation
        if conversation is None:
            return True
        menu = await menus.get(ctx.conn, ctx.event.menu_id or "")
        return menu is not None and conversation.token in (menu.token, menu.step_token)

    async def _step_not_on_screen(self, ctx: Context) -> tuple[str, list[list[Option]]] | None:
        """The current step's message with its options, when the person's screen no longer
        shows them (a console started again) and typed text into that step."""
        event, conversation = ctx.event, ctx.conversation
        if event.kind != EventKind.TEXT or event.options_on_screen or conversation is None:
            return None
        if event.user is None:
            return None
        found = await menus.shown_for_step(
            ctx.conn, event.platform, event.chat.id, event.user.id, conversation.token, ctx.now
        )
        if found is None:
            return None
        text, rows = found
        return text, shown_options(rows)

    # Replies ------------------------------------------------------------------------------
    async def _resolve(self, ctx: Context, step_before: str | None = None) -> Outcome:
        event, messages = ctx.event, []
        token = ctx.conversation.token if ctx.conversation else None
        edited = event.answers_message_id or event.message_id  # what edit=True changes
        for reply in ctx.replies:
            bind = reply.bind_to_conversation
            if bind is None:
                bind = ctx.conversation_changed and ctx.conversation is not None
            buttons = await resolve_buttons(
                ctx.conn,
                event.platform,
                event.chat.id,
                event.user.id if event.user else None,
                reply.options,
                token=token if bind else None,
                now=ctx.now,
                ttl=self.config.menu_ttl,
                step_token=token,
                text=reply.text,
            )
            messages.append(
                Outgoing(
                    event.chat.id,
                    reply.text,
                    buttons,
                    edit_message_id=edited if reply.edit and edited else None,
                    attachment=reply.attachment,
                )
            )
        expected = self._expected(ctx, step_before)
        if expected is not None and messages:
            messages[-1].expects_reply = expected
        return Outcome(
            messages=messages,
            toast=ctx.toast_text,
            outbox_written=ctx.outbox_written,
            checkpoint_after=ctx.checkpoint_after,
        )

    def _expected(self, ctx: Context, step_before: str | None) -> ExpectedReply | None:
        """Whether the answer just made leaves the person's conversation in a group waiting for
        their typed input: then the last message asks for it (a platform where a group's
        ordinary messages do not reach the bot makes the answer come back as a reply). Asked
        when a step begins and after each input it took; not when a button only changed the
        step's message in place (the request made at its start still stands)."""
        event, conversation = ctx.event, ctx.conversation
        if event.chat.is_private or event.user is None or conversation is None:
            return None
        if conversation.flow not in self.registry.flows or not ctx.replies:
            return None
        new_step = conversation.token != step_before
        if event.kind == EventKind.BUTTON and not new_step and all(r.edit for r in ctx.replies):
            return None
        ask = next((r.ask for r in reversed(ctx.replies) if r.ask is not None), None)
        if ask is None:
            ask = InputRequest(ctx._(REPLY_PROMPT), ctx.t.plain(REPLY_PLACEHOLDER))
        return ExpectedReply(
            event.user.id,
            event.user.full_name or str(event.user.id),
            ask.prompt,
            ask.placeholder,
            # A pressed button's message is the bot's own: nothing of the person's to answer.
            event.message_id if event.kind != EventKind.BUTTON else None,
        )


def _picks_an_option(text: str, options: list[list[Option]]) -> bool:
    typed = text.strip()
    return typed.isdigit() and 1 <= int(typed) <= sum(len(row) for row in options)
