"""Categories, statuses and their transitions, routing defaults, tracking codes, deadlines.
The stored values (statuses, targets, settings) are defined with their repositories,
:mod:`bot.storage.reports`, :mod:`bot.storage.report_settings` and
:mod:`bot.storage.report_limits`, and used from here.

Everything here is pure: handlers and timers call these functions, tests call them directly.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from bot.i18n import N_
from bot.storage import report_limits, report_settings
from bot.storage import reports as stored

# The values kept in the database, defined with their repositories (storage imports no feature).
Target = stored.Target
Status = stored.Status
ReportSettings = report_settings.ReportSettings
OPEN_STATUSES = stored.OPEN_STATUSES
WAITING_STATUSES = stored.WAITING_STATUSES  # not picked up yet: the escalation timer watches
RATE_WINDOW = report_limits.RATE_WINDOW


@dataclass(frozen=True)
class Category:
    key: str
    label: str  # message id (N_)
    icon: str
    default_target: Target


CATEGORIES: tuple[Category, ...] = (
    Category("theft", N_("Theft"), "👜", Target.OFFICERS),
    Category("gambling", N_("Gambling"), "🎲", Target.OFFICERS),
    Category("drugs", N_("Drugs"), "💊", Target.OFFICERS),
    Category("disorder", N_("Fight or public disorder"), "👊", Target.OFFICERS),
    Category("fire", N_("Fire or explosion hazard"), "🔥", Target.OFFICERS),
    Category("fraud", N_("Online fraud or scam attempt"), "📱", Target.OFFICERS),
    Category("dispute", N_("Dispute that needs mediation"), "🤝", Target.LEADERS),
    Category("traffic", N_("Traffic"), "🚦", Target.OFFICERS),
    Category("littering", N_("Littering or encroachment on road/pavement"), "🚯", Target.LEADERS),
    Category("suspicious", N_("Suspicious person or vehicle"), "👀", Target.OFFICERS),
    Category("other", N_("Other"), "📝", Target.LEADERS),
)
CATEGORY_BY_KEY = {c.key: c for c in CATEGORIES}
MEDIATION_CATEGORY = "dispute"


def default_routes() -> dict[str, Target]:
    return {c.key: c.default_target for c in CATEGORIES}


STATUS_LABELS: dict[Status, str] = {
    Status.NEW: N_("New, waiting to be picked up"),
    Status.ACKNOWLEDGED: N_("Received by the handler"),
    Status.IN_PROGRESS: N_("Being handled"),
    Status.RESOLVED: N_("Resolved"),
    Status.NOT_OURS: N_("Not a matter for the commune"),
    Status.DUPLICATE: N_("Duplicate of another report"),
    Status.REOPENED: N_("Reopened: not fixed yet"),
}
CLOSED_STATUSES = frozenset({Status.RESOLVED, Status.NOT_OURS, Status.DUPLICATE})

# What a handler may change a report to, from each status. Reopening is the reporter's word
# (or an officer's), never a handler's own button.
_HANDLER_MOVES: dict[Status, tuple[Status, ...]] = {
    Status.NEW: (
        Status.ACKNOWLEDGED,
        Status.IN_PROGRESS,
        Status.RESOLVED,
        Status.NOT_OURS,
        Status.DUPLICATE,
    ),
    Status.REOPENED: (
        Status.ACKNOWLEDGED,
        Status.IN_PROGRESS,
        Status.RESOLVED,
        Status.NOT_OURS,
        Status.DUPLICATE,
    ),
    Status.ACKNOWLEDGED: (Status.IN_PROGRESS, Status.RESOLVED, Status.NOT_OURS, Status.DUPLICATE),
    Status.IN_PROGRESS: (Status.RESOLVED, Status.NOT_OURS, Status.DUPLICATE),
    Status.RESOLVED: (),
    Status.NOT_OURS: (),
    Status.DUPLICATE: (),
}


def handler_moves(status: Status) -> tuple[Status, ...]:
    return _HANDLER_MOVES[status]


def can_move(from_status: Status, to_status: Status) -> bool:
    if to_status == Status.REOPENED:
        return from_status in CLOSED_STATUSES
    return to_status in _HANDLER_MOVES[from_status]


def needs_confirmation(to_status: Status) -> bool:
    """A final status closes the reporter's case: it is set only after the handler has written
    a reason for the reporter and confirmed the report by its code, never by one tap."""
    return to_status in CLOSED_STATUSES


def officer_may_reopen(status: Status) -> bool:
    """An officer can reopen any closed report (with a note): a final status is never a trap."""
    return status in CLOSED_STATUSES


# Deadlines ---------------------------------------------------------------------------------
MAX_PHOTOS = 5
MAX_DESCRIPTION = 3000  # about a page on a phone; a card too long for one message is split
MAX_NOTE = 1000
MAX_PLACE = 200


@dataclass(frozen=True)
class Draft:
    """A report filled in before the person sees it (a patrol observation turned into a
    report): they check it, may change the category or the description, and send it."""

    category: str
    area_id: int
    description: str
    media: tuple[tuple[str, str], ...] = ()  # (kind, file id)
    latitude: float | None = None
    longitude: float | None = None
    observation_id: int | None = None  # the patrol observation it comes from
    patrol_id: int | None = None


# Tracking codes ----------------------------------------------------------------------------
# No 0/O, 1/I/L, 5/S, 2/Z, 8/B: easy to read aloud and to type on a phone keypad.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 8


def new_tracking_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1", "S": "5", "Z": "2", "B": "8"})


def normalize_code(typed: str) -> str | None:
    """What a person typed → the stored form ``XXXX-XXXX``, or None when it cannot be a code."""
    cleaned = "".join(ch for ch in typed.upper() if ch.isalnum()).translate(_LOOKALIKES)
    if len(cleaned) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in cleaned):
        return None
    return f"{cleaned[:4]}-{cleaned[4:]}"


# Rate limit without a link to anonymous reports ----------------------------------------------
# The key is an HMAC of the platform user id under a secret that lives only in this process's
# memory (new at every start). The counter table holds nothing but that key and timestamps; it
# never holds a report id, and rows older than the window are deleted. A copy of the database
# therefore cannot tell whose key a row is (the secret is not in it, so known user ids cannot be
# hashed and compared), and nothing in it points from a key to a report. Named reports are
# counted from the reports table instead, so the counter only ever sees anonymous submissions.
_RATE_SECRET = secrets.token_bytes(32)


def rate_key(platform: str, user_id: str) -> str:
    message = f"{platform}:{user_id}".encode()
    return hmac.new(_RATE_SECRET, message, hashlib.sha256).hexdigest()


def over_limit(recent: int, settings: ReportSettings) -> bool:
    return recent >= settings.max_per_hour
