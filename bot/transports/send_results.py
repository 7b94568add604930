"""What one attempt to send a queued message came to, and who makes it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.storage.outbox import OutboxMessage

UNCONFIRMED = "unconfirmed: no answer from the platform in time; not sent again"


@dataclass(frozen=True)
class SendResult:
    # "sent", "unconfirmed" (no answer: may have arrived, never sent again), "retry_after",
    # "blocked", "migrated", "failed", "error" (surely not sent: retried)
    kind: str
    reason: str = ""
    retry_after: float = 0.0
    new_chat_id: str | None = None
    message_id: int | None = None  # the platform's id of the sent message (for later edits)
    # "failed" or "error": why, as one of outbox.FAILURE_KINDS (shown to officers, localized)
    failure: str = "other"

    @classmethod
    def sent(cls, message_id: int | None = None) -> SendResult:
        return cls("sent", message_id=message_id)


class Sender(Protocol):
    platform: str

    async def deliver(self, message: OutboxMessage) -> SendResult: ...
