"""The conversations of broadcasts and subscriptions: each flow's steps and the state it keeps
between them, validated when read back from the database (see bot.core.flows). The keys are
those the release before typed states stored, so a conversation open over an upgrade goes on.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from bot.core.flows import Flow, State


# /broadcast ---------------------------------------------------------------------------------
class BroadcastStep(StrEnum):
    MENU = "menu"
    TOPIC = "topic"
    MESSAGE = "msg"
    TARGET = "target"
    AREAS = "areas"
    WHEN = "when"
    WEEKDAY = "weekday"
    TYPE = "type"  # the details of the schedule, typed
    OFFSET = "offset"
    CONFIRM = "confirm"
    OWN_TOPIC = "owntopic"
    OWN_TEXT = "owntext"
    QUIET = "quiet"


class BroadcastDraft(State):
    """A broadcast being sent or scheduled, or (``edit``) a schedule's new time."""

    topic: str | None = None
    ref: str | None = None  # the message: "lib:<key>" or "own:<id>"
    target: str | None = None
    areas: list[int] = Field(default_factory=list)
    kind: str | None = None  # of schedule: once, daily, weekly, ...
    weekday: int = Field(default=0, ge=0, le=6)
    rule: str | None = None  # the schedule's rule as JSON (bot.features.broadcasts.rules.Rule)
    urgent: bool = False
    edit: int | None = None  # the schedule whose time changes


BROADCAST = Flow("bcast", BroadcastStep, BroadcastDraft)


# /subscribe ---------------------------------------------------------------------------------
class SubscribeStep(StrEnum):
    TOPICS = "topics"


class SubscribeState(State):
    changed: bool = False


SUBSCRIBE = Flow("subscribe", SubscribeStep, SubscribeState)
