"""What a handler gets: the event, the open transaction, who is asking (member, roles, language),
their conversation, and ways to answer (replies, a toast, messages to others via the outbox)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.core.events import Event, InputRequest, Links, NoLinks, Option, Reply
from bot.core.permissions import RoleSet
from bot.core.sealing import Sealer
from bot.storage.db import Connection

if TYPE_CHECKING:
    from bot.core.flows import State
    from bot.core.registry import Registry
from bot.i18n import Translator
from bot.storage import audit, outbox
from bot.storage.chats import Chat
from bot.storage.conversations import Conversation
from bot.storage.members import Member


@dataclass(frozen=True)
class CoreConfig:
    """The part of the settings the core needs (kept apart so tests can build it directly)."""

    admins: frozenset[tuple[str, str]] = frozenset()  # (platform, id) of each admin
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Ho_Chi_Minh"))
    default_language: str = "vi"
    menu_ttl: timedelta = timedelta(hours=48)
    conversation_ttl: timedelta = timedelta(hours=24)
    links: Links = field(default_factory=NoLinks)  # what the transport can link to
    commune_name: str | None = None
    # Where one process serves several platforms: each one's links (``links`` is the default,
    # for timers). Filled by the transports as they start.
    platform_links: dict[str, Links] = field(default_factory=dict, compare=False)
    # The words of each platform that has its own (``bot.i18n.TYPED`` where options are typed
    # as numbers and there are no buttons nor shared locations); filled by the transports.
    platform_wording: dict[str, str] = field(default_factory=dict, compare=False)
    # Seals anonymous reporters' addresses (bot.core.sealing); a key of this process only
    # unless the settings give the deployment's.
    sealer: Sealer = field(default_factory=Sealer.random, compare=False, repr=False)
    reopen_days: int = 7  # a resolved report may be reopened by its reporter this long, once

    def on(self, platform: str) -> CoreConfig:
        """The configuration for an event from ``platform`` (or a message to someone on it):
        with that platform's links."""
        links = self.platform_links.get(platform)
        return self if links is None or links is self.links else replace(self, links=links)

    def translator(self, language: str | None, platform: str, *, staff: bool = False) -> Translator:
        """Messages for a reader on ``platform``, in ``language`` (the default when None), in
        the words of that platform; ``staff``: a team leader's or officer's words."""
        return Translator(
            language or self.default_language,
            self.tz,
            wording=self.platform_wording.get(platform),
            staff=staff,
        )


def private_chat_offer(
    t: Translator, config: CoreConfig, label: str, payload: str
) -> tuple[str, list[list[Option]]]:
    """(text to add, options): a button into the private chat with the bot where the transport
    can make one, else a line saying what to send there."""
    link = config.links.private_chat_link(payload)
    if link is not None:
        return "", [[Option(label, url=link)]]
    return "\n\n" + t._("In a private chat with me, send /start {payload}.", payload=payload), []


@dataclass
class Notice:
    """A message for someone else, built in their own language when it is queued."""

    member: Member
    build: Callable[[Translator], Reply]


async def notify_member(
    conn: Connection,
    config: CoreConfig,
    member: Member,
    build: Callable[[Translator], Reply],
    now: datetime,
    *,
    not_before: datetime | None = None,
) -> int:
    """Queue a private message to ``member`` in their own language (for handlers and timers)."""
    # Built for the member's own platform: its words and its links, whoever or whatever (a
    # timer) sends it.
    translator = config.translator(member.language, member.platform)
    return await queue_reply(
        conn,
        config.on(member.platform),
        member.platform,
        member.user_id,
        member.user_id,
        build(translator),
        now,
        not_before=not_before,
    )


async def queue_reply(
    conn: Connection,
    config: CoreConfig,
    platform: str,
    chat_id: str,
    user_id: str | None,
    reply: Reply,
    now: datetime,
    *,
    not_before: datetime | None = None,
    batch_id: int | None = None,
) -> int:
    """Queue ``reply`` for a chat in the outbox; its buttons may be pressed by ``user_id``
    (anyone in the chat when None). Returns the outbox id."""
    from bot.core.menus import resolve_buttons  # menus imports the event types only

    buttons = await resolve_buttons(
        conn,
        platform,
        chat_id,
        user_id,
        reply.options,
        token=None,
        now=now,
        ttl=config.menu_ttl,
        text=reply.text,
    )
    return await outbox.enqueue(
        conn,
        platform,
        chat_id,
        reply.text,
        [[b.__dict__ for b in row] for row in buttons],
        now,
        not_before=not_before,
        batch_id=batch_id,
    )


class Context:
    def __init__(
        self,
        *,
        event: Event,
        conn: Connection,
        config: CoreConfig,
        now: datetime,
        member: Member | None,
        chat: Chat,
        roles: RoleSet,
        translator: Translator,
        conversation: Conversation | None,
        registry: Registry,
    ) -> None:
        self.registry = registry
        self.event = event
        self.conn = conn
        self.config = config
        self.now = now
        self.member = member
        self.chat = chat
        self.roles = roles
        self.t = translator
        self.conversation = conversation
        self.conversation_changed = False
        # The typed state of the open flow once a screen has read it (see bot.core.flows):
        # changed in place, and written back to the conversation by keep_state().
        self.loaded_state: State | None = None
        self.replies: list[Reply] = []
        self.toast_text: str | None = None
        self.outbox_written = False
        # Set when the event deleted personal data: after the commit the write-ahead log is
        # checkpointed and emptied, so no old copy of a deleted page stays in it.
        self.checkpoint_after = False

    # Language ---------------------------------------------------------------------------
    def _(self, message: str, /, **params: object) -> str:
        return self.t._(message, **params)

    def _n(self, singular: str, plural: str, count: int, /, **params: object) -> str:
        return self.t._n(singular, plural, count, **params)

    def translator_for(self, member: Member) -> Translator:
        return self.config.translator(member.language, member.platform)

    # Answers ----------------------------------------------------------------------------
    def reply(
        self,
        text: str,
        options: list[list[Option]] | None = None,
        *,
        edit: bool = False,
        bind_to_conversation: bool | None = None,
        ask: InputRequest | None = None,
    ) -> Reply:
        """``ask``: what this step waits for, in a few words, for a group where the answer has
        to come back as a reply (the core asks with a general sentence without it)."""
        reply = Reply(
            text, options or [], edit=edit, bind_to_conversation=bind_to_conversation, ask=ask
        )
        self.replies.append(reply)
        return reply

    def toast(self, text: str) -> None:
        """A short notice on a pressed button (Telegram shows it over the chat)."""
        self.toast_text = text

    def private_chat(self, label: str, payload: str) -> tuple[str, list[list[Option]]]:
        """How to reach the private chat with the bot, started with ``payload``: a button where
        the transport can link there, else a line to add to the text saying what to send."""
        return private_chat_offer(self.t, self.config, label, payload)

    async def notify(
        self,
        member: Member,
        build: Callable[[Translator], Reply],
        *,
        not_before: datetime | None = None,
    ) -> None:
        """Queue a private message to ``member`` in their language; sent after this commits."""
        await notify_member(self.conn, self.config, member, build, self.now, not_before=not_before)
        self.outbox_written = True

    async def audit(
        self,
        action: str,
        subject_type: str | None = None,
        subject_id: int | None = None,
        **details: Any,
    ) -> None:
        await audit.record(
            self.conn,
            self.now,
            self.member.id if self.member else None,
            action,
            subject_type,
            subject_id,
            **details,
        )

    # Conversation -----------------------------------------------------------------------
    @property
    def flow(self) -> str | None:
        return self.conversation.flow if self.conversation else None

    @property
    def step(self) -> str | None:
        return self.conversation.step if self.conversation else None

    def begin(self, flow: str, step: str, **data: Any) -> None:
        """Start a conversation; any earlier one in this chat ends and its menus go stale.
        Features start theirs with ``FLOW.begin`` (see bot.core.flows)."""
        self.conversation = Conversation(flow, step, secrets.token_hex(4), dict(data))
        self.loaded_state = None
        self.conversation_changed = True

    def begin_state(self, flow: str, step: str, state: State) -> None:
        """Start a conversation of a typed flow (see ``Flow.begin``)."""
        self.begin(flow, step, **state.model_dump(mode="json"))
        self.loaded_state = state

    def keep_state(self) -> None:
        """Write the typed state, as changed by the handler, back into the conversation."""
        if self.loaded_state is None or self.conversation is None:
            return
        # Keys the state does not know stay (the language an unregistered person chose).
        data = {**self.conversation.data, **self.loaded_state.model_dump(mode="json")}
        if data != self.conversation.data or self.loaded_state.touched:
            self.conversation.data = data
            self.conversation_changed = True

    def goto(self, step: str) -> None:
        """Move to another step of the flow (its state changes through ``FLOW.state(ctx)``);
        menus of the earlier step go stale."""
        if self.conversation is None:
            raise RuntimeError("goto() without a conversation")
        self.conversation.step = step
        self.conversation.token = secrets.token_hex(4)
        self.conversation_changed = True

    def update(self, **data: Any) -> None:
        """Change keys of the conversation's data that no flow's state holds (the language of
        someone not registered yet) and stay on the step (its menus stay valid)."""
        if self.conversation is None:
            raise RuntimeError("update() without a conversation")
        self.conversation.data.update(data)
        self.conversation_changed = True

    def end(self) -> None:
        self.loaded_state = None
        if self.conversation is not None:
            self.conversation = None
            self.conversation_changed = True
