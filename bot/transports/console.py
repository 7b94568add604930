"""A local console chat: anyone can try the bot without Telegram.

Options are shown as numbered lines: type the number to press one. Console-only commands:
``/as resident|leader|officer`` switches who you are, ``/group`` and ``/private`` switch the
chat, ``/quit`` (or Ctrl-D) ends. Messages the bot sends to other people are shown with 📨.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from bot.core.dispatcher import Dispatcher
from bot.core.events import (
    Attachment,
    Button,
    ChatInfo,
    Event,
    EventKind,
    Outcome,
    Outgoing,
    Person,
)
from bot.core.events import parse_command as parse_command_text
from bot.core.menus import parse_callback_data
from bot.core.richtext import plain
from bot.i18n import TEXT_ONLY
from bot.storage.outbox import OutboxMessage
from bot.transports.numbered import choice, option_lines
from bot.transports.send_results import SendResult

PLATFORM = "console"
START_LINK = "console:private?start="  # an option that opens the private chat (see _event)


class ConsoleLinks:
    """The console opens the private chat with a payload (a numbered option); it has no link
    to a person."""

    def private_chat_link(self, payload: str) -> str | None:
        return START_LINK + payload

    def person_link(self, platform: str, user_id: str) -> str | None:
        return None


@dataclass(frozen=True)
class Identity:
    key: str
    person: Person
    label: str


class ConsoleTransport:
    platform = PLATFORM

    def __init__(
        self,
        dispatcher: Dispatcher,
        identities: list[Identity],
        group: ChatInfo,
        out: TextIO = sys.stdout,
        read_line: Callable[[], str] | None = None,
        files_dir: Path | None = None,
    ) -> None:
        self.dispatcher = dispatcher
        # No buttons, no shared locations, no files: messages say to type the option's number
        # (the words Zalo has too), for replies and for messages queued to console members.
        dispatcher.config.platform_wording[PLATFORM] = TEXT_ONLY
        self.files_dir = files_dir  # where photos and documents are saved for the reader
        self.identities = {i.key: i for i in identities}
        self.me = identities[0]
        self.group = group
        self.in_group = False
        self.out = out
        self.read_line = read_line or input
        self._last_buttons: dict[str, tuple[list[Button], int | None]] = {}
        self._counter = 0

    def print(self, text: str = "") -> None:
        self.out.write(text + "\n")
        self.out.flush()

    @property
    def chat(self) -> ChatInfo:
        return self.group if self.in_group else ChatInfo(self.me.person.id, "private")

    def prompt(self) -> str:
        where = self.group.title if self.in_group else "private chat"
        return f"[{self.me.label} · {where}] > "

    def banner(self) -> None:
        self.print("Xóm An Toàn: console chat on the demo database.")
        self.print("Type /start or /help. Press an option by typing its number.")
        self.print(
            "Switch who you are: /as resident | /as leader | /as officer. "
            "Chats: /group, /private. End: /quit or Ctrl-D."
        )
        self.print(f"You are: {self.me.label}")

    async def run(self) -> None:
        self.banner()
        while True:
            try:
                line = await asyncio.to_thread(self._read, self.prompt())
            except EOFError:
                self.print("\nTạm biệt! Goodbye.")
                return
            if not await self.handle_line(line):
                self.print("Tạm biệt! Goodbye.")
                return

    def _read(self, prompt: str) -> str:
        self.out.write(prompt)
        self.out.flush()
        return self.read_line()

    async def handle_line(self, line: str) -> bool:
        """Handle one typed line; False when the person wants to quit."""
        text = line.strip()
        if text in ("/quit", "/exit"):
            return False
        if text.startswith("/as"):
            key = text[3:].strip()
            if key in self.identities:
                self.me = self.identities[key]
                self.print(f"You are now: {self.me.label}")
            else:
                self.print("Choose one of: " + ", ".join(self.identities))
            return True
        if text in ("/group", "/private"):
            self.in_group = text == "/group"
            self.print(f"Now in: {self.group.title if self.in_group else 'private chat'}")
            return True
        if not text:
            return True
        await self.dispatch(self._event(text))
        return True

    def _event(self, text: str) -> Event:
        self._counter += 1
        chat, user = self.chat, self.me.person
        if chat.id in self._last_buttons:
            buttons, message_id = self._last_buttons[chat.id]
            button = choice(text, buttons)
            if button is not None and button.url:
                payload = button.url.partition("?start=")[2]
                return self._command_event(
                    f"/start {payload}".strip(), ChatInfo(user.id, "private")
                )
            if button is not None:
                parsed = parse_callback_data(button.data or "")
                # Typed text naming an option: the core decides whether it presses it (the
                # option belongs to the step the person is in) or answers a question.
                return Event(
                    PLATFORM,
                    EventKind.TEXT,
                    chat,
                    user,
                    self._counter,
                    text=text,
                    menu_id=parsed[0] if parsed else None,
                    option_index=parsed[1] if parsed else None,
                    callback_id=str(self._counter),
                    message_id=message_id,
                )
        if text.startswith("/"):
            return self._command_event(text, chat)
        return Event(
            PLATFORM,
            EventKind.TEXT,
            chat,
            user,
            self._counter,
            text=text,
            options_on_screen=chat.id in self._last_buttons,
        )

    def _command_event(self, text: str, chat: ChatInfo) -> Event:
        if chat.is_private:
            self.in_group = False
        parsed = parse_command_text(text, None)
        name, args = parsed if parsed else ("", "")
        return Event(
            PLATFORM,
            EventKind.COMMAND,
            chat,
            self.me.person,
            self._counter,
            text=text,
            command=name,
            args=args,
        )

    async def dispatch(self, event: Event) -> None:
        outcome = await self.dispatcher.handle(event)
        for message in outcome.messages:
            if message.attachment is not None:  # drawn now, after the event's transaction
                await message.attachment.content()
        self.render(outcome)

    def render(self, outcome: Outcome) -> None:
        if outcome.toast:
            self.print(f"ⓘ {plain(outcome.toast)}")
        for message in outcome.messages:
            self.show(message)
        # Numbers press the options of the latest answer. After an answer with no options (the
        # bot asks for a name, a reason, a report's number), a typed number is text, never a
        # press of an older message's option.
        for chat_id in {m.chat_id for m in outcome.messages}:
            if not any(any(m.buttons) for m in outcome.messages if m.chat_id == chat_id):
                self._last_buttons.pop(chat_id, None)

    def show(self, message: Outgoing, *, prefix: str = "") -> None:
        self._counter += 1
        self.print("")
        for line in plain(message.text).split("\n"):
            self.print(prefix + line)
        if message.attachment is not None:
            self.print(prefix + self._save(message.attachment))
        flat = [b for row in message.buttons for b in row]
        for line in option_lines(flat, link_note="  (opens the private chat)"):
            self.print(prefix + line)
        if flat:
            self._last_buttons[message.chat_id] = (flat, self._counter)
        self.print("")

    def _save(self, attachment: Attachment) -> str:
        """Write a photo or document where the reader can open it; the line that says where."""
        size = f"{len(attachment.data):,} bytes"
        if self.files_dir is None or not attachment.data:
            return f"📎 {attachment.filename} ({size})"
        self.files_dir.mkdir(parents=True, exist_ok=True)
        path = self.files_dir / Path(attachment.filename).name
        path.write_bytes(attachment.data)
        return f"📎 {attachment.filename} ({size}), saved as {path}"

    # Outbox sender: messages to other people of the demo --------------------------------
    async def deliver(self, item: OutboxMessage) -> SendResult:
        who = next(
            (i.label for i in self.identities.values() if i.person.id == item.chat_id),
            self.group.title if item.chat_id == self.group.id else str(item.chat_id),
        )
        buttons = [[Button(**b) for b in row] for row in item.buttons]
        self.print(f"\n📨 To {who}:")
        self.show(Outgoing(item.chat_id, item.text, buttons), prefix="   ")
        return SendResult.sent()
