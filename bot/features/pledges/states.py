"""The conversations of pledges and the household register: each flow's steps and the state it
keeps between them, validated when read back from the database (see bot.core.flows). The keys
are those the release before typed states stored, so a conversation open over an upgrade goes
on."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import Field, field_validator

from bot.core.flows import Flow, State
from bot.features.pledges.model import AUDIENCES


def _known_audience(value: str | None) -> str | None:
    if value is not None and value not in AUDIENCES:
        raise ValueError(f"no audience {value!r}")
    return value


# /pledge --------------------------------------------------------------------------------------
class PledgeStep(StrEnum):
    AUDIENCE = "audience"
    ITEMS = "items"
    HEAD = "head"
    ADDRESS = "address"
    HOUSEHOLD = "household"  # one of the register's close households, or a new one
    PUBLIC = "public"
    CONFIRM = "confirm"
    WITHDRAW = "withdraw"  # a signed pledge being withdrawn


class PledgeDraft(State):
    campaign_id: int | None = None
    audience: str | None = None
    item_ids: list[int] = Field(default_factory=list)
    left_out: list[int] = Field(default_factory=list)
    head: str = ""
    address: str = ""
    choices: list[int] = Field(default_factory=list)  # the households offered
    household_id: int | None = None
    new_household: bool = False
    public: bool = False
    pledge_id: int | None = None  # withdrawing

    @field_validator("audience")
    @classmethod
    def _audience(cls, value: str | None) -> str | None:
        return _known_audience(value)


PLEDGE = Flow("pledge", PledgeStep, PledgeDraft)


# /pledgestatus: the number of households of an area ---------------------------------------------
class CountStep(StrEnum):
    COUNT = "count"


class AreaState(State):
    area_id: int


HOUSEHOLD_COUNT = Flow("pledge_households", CountStep, AreaState)


# /pledgecampaign, /pledgeitems, /individualpledge ------------------------------------------------
class AdminStep(StrEnum):
    TITLE = "title"
    START = "start"
    END = "end"
    CONFIRM = "confirm"
    ITEM_VI = "item_vi"
    ITEM_EN = "item_en"
    PERSON = "ip_name"
    MEMBER = "ip_member"
    CONTENT = "ip_content"
    TAKEN_ON = "ip_date"
    TAKEN_BY = "ip_by"


class AdminState(State):
    # a campaign
    title: str = ""
    start: date | None = None
    end: date | None = None
    # an item added or reworded
    audience: str | None = None
    item_id: int | None = None
    text_vi: str = ""
    # an individual pledge
    person_name: str = ""
    member_id: int | None = None
    content: str = ""
    taken_on: date | None = None

    @field_validator("audience")
    @classmethod
    def _audience(cls, value: str | None) -> str | None:
        return _known_audience(value)


ADMIN = Flow("pledge_admin", AdminStep, AdminState)


# /households --------------------------------------------------------------------------------
class RegisterStep(StrEnum):
    SEARCH = "search"
    IMPORT = "import"
    ADD_NUMBER = "add_number"
    ADD_HEAD = "add_head"
    ADD_ADDRESS = "add_address"
    ADD_NOTE = "add_note"
    EDIT_NUMBER = "edit_number"
    EDIT_HEAD = "edit_head"
    EDIT_ADDRESS = "edit_address"
    EDIT_NOTE = "edit_note"

    @property
    def field(self) -> str:
        """The household's field an add_ or edit_ step asks for."""
        return self.value.partition("_")[2]


class RegisterState(State):
    area_id: int
    household_id: int | None = None  # edited
    number: str = ""
    head: str = ""
    address: str = ""


REGISTER = Flow("households", RegisterStep, RegisterState)
