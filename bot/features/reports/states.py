"""The conversations of reports and mediation: each flow's steps and the state it keeps
between them, validated when read back from the database (see bot.core.flows). The keys are
those the release before typed states stored, so a conversation open over an upgrade goes on.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from bot.core.flows import Flow, NoState, State
from bot.features.reports.model import CATEGORY_BY_KEY, Status
from bot.storage.mediation import OUTCOMES


# /report ------------------------------------------------------------------------------------
class ReportStep(StrEnum):
    CATEGORY = "category"
    DESCRIBE = "describe"  # text, photos and voice messages, then "Continue"
    AREA = "area"
    PLACE = "place"
    NOW = "now"  # happening right now?
    ANON = "anon"  # with the name or anonymously: the last step
    REVIEW = "review"  # a draft from a patrol observation, checked and sent at once
    REWRITE = "rewrite"


class Media(BaseModel):
    kind: Literal["photo", "voice"]
    file_id: str


class ReportDraft(State):
    category: str | None = None
    text: str = ""
    media: list[Media] = Field(default_factory=list)
    area_id: int | None = None
    place: str | None = None
    lat: float | None = None
    lon: float | None = None
    now: bool = False
    # Set when a team leader turns a patrol observation into a report.
    observation_id: int | None = None
    patrol_id: int | None = None

    @field_validator("category")
    @classmethod
    def _known_category(cls, value: str | None) -> str | None:
        if value is not None and value not in CATEGORY_BY_KEY:
            raise ValueError(f"no category {value!r}")
        return value

    @property
    def from_patrol(self) -> bool:
        return self.observation_id is not None

    def count(self, kind: str) -> int:
        return sum(1 for m in self.media if m.kind == kind)


REPORT = Flow("report", ReportStep, ReportDraft)


# /track -------------------------------------------------------------------------------------
class TrackStep(StrEnum):
    CODE = "code"


TRACK = Flow("track", TrackStep, NoState)


# A handler's note on a report ---------------------------------------------------------------
class NoteStep(StrEnum):
    NOTE = "note"


class NoteState(State):
    report_id: int


NOTE = Flow("report_note", NoteStep, NoteState)


# Setting a final status, or reopening a closed report ------------------------------------------
class StatusStep(StrEnum):
    NUMBER = "number"  # a duplicate: of which report?
    REASON = "reason"  # for the reporter
    CONFIRM = "confirm"
    REOPEN = "reopen"  # an officer's note on why


class StatusChange(State):
    """The flow remembers the report by its id and the status it was read in; the last step
    checks both before anything is written."""

    report_id: int
    from_status: Status
    to_status: Status | None = None  # None when reopening
    reason: str | None = None
    duplicate_of: int | None = None


STATUS = Flow("report_status", StatusStep, StatusChange)


# /mediation ---------------------------------------------------------------------------------
class MediationStep(StrEnum):
    AREA = "area"
    PARTIES = "parties"
    MEDIATOR = "mediator"
    SESSION = "session"
    NOTE = "note"  # on the outcome being recorded


class MediationState(State):
    """A new case (area, parties, mediator: written only at the last step), or one change to an
    open case (``single``: its mediator or session day, or its outcome with a note)."""

    area_id: int | None = None
    report_id: int | None = None
    parties: list[str] = Field(default_factory=list)
    mediator_id: int | None = None
    case_id: int | None = None
    single: bool = False
    outcome: str | None = None

    @field_validator("outcome")
    @classmethod
    def _known_outcome(cls, value: str | None) -> str | None:
        if value is not None and value not in OUTCOMES:
            raise ValueError(f"no outcome {value!r}")
        return value


MEDIATION = Flow("mediation", MediationStep, MediationState)


# Transferring a report: the note for where it goes --------------------------------------------
class TransferStep(StrEnum):
    NOTE = "note"


class TransferState(State):
    report_id: int
    destination: str = ""  # a body (handling.DESTINATIONS), or "" for another commune's area
    area_id: int | None = None


TRANSFER = Flow("report_transfer", TransferStep, TransferState)


# The thread with the reporter -----------------------------------------------------------------
class WriteStep(StrEnum):
    MESSAGE = "message"


class HandlerWrites(State):
    """A handler writing to the reporter of a report."""

    report_id: int


HANDLER_WRITES = Flow("report_write", WriteStep, HandlerWrites)


class ReporterWrites(State):
    """The reporter writing to the handler, or giving the reason of a rating: the report is
    kept only as a sealed reference (their conversation must not tell which report it is)."""

    ref: str


REPORTER_WRITES = Flow("report_answer", WriteStep, ReporterWrites)


class ReasonStep(StrEnum):
    REASON = "reason"


RATING_REASON = Flow("report_rating", ReasonStep, ReporterWrites)
