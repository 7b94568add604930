"""What a platform gives the bot's own HTTP server (bot/transports/zalo/server.py) to receive
its updates by webhook: the path, the header that carries the secret, the secret, and the
function that keeps an update (it returns once the update is safely kept)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

UpdateHandler = Callable[[Any], Awaitable[None]]


class MalformedUpdate(ValueError):
    """The body is JSON but no update of the platform (answered 400, kept nowhere)."""


@dataclass(frozen=True)
class Webhook:
    name: str  # for log lines
    path: str
    header: str
    secret: str = ""  # never logged; an empty secret refuses every call
    receive: UpdateHandler | None = None
