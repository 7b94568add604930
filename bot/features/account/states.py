"""The conversations of the account screens: each flow's steps and the state it keeps between
them, validated when read back from the database (see bot.core.flows). The keys are those the
release before typed states stored, so a conversation open over an upgrade goes on."""

from __future__ import annotations

from enum import StrEnum

from pydantic import field_validator

from bot.core.flows import Flow, NoState, State
from bot.i18n import LANGUAGES


def _known_language(value: str | None) -> str | None:
    if value is not None and value not in LANGUAGES:
        raise ValueError(f"no language {value!r}")
    return value


# /start -------------------------------------------------------------------------------------
class OnboardingStep(StrEnum):
    CONSENT = "consent"
    NAME = "name"
    AREA = "area"


class Onboarding(State):
    """What is known before the person is registered. ``lang`` is also read by the dispatcher
    (the language of someone not registered yet)."""

    area_id: int | None = None  # from the group's link
    next: str | None = None  # the command to go on with, from a deep link
    lang: str | None = None
    suggested: str | None = None  # the name of the account, offered
    name: str = ""

    @field_validator("lang")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        return _known_language(value)


ONBOARDING = Flow("onboarding", OnboardingStep, Onboarding)


# The language chosen by someone not registered ------------------------------------------------
class PreferencesStep(StrEnum):
    IDLE = "idle"


class Preferences(State):
    lang: str | None = None

    @field_validator("lang")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        return _known_language(value)


PREFERENCES = Flow("preferences", PreferencesStep, Preferences)


# /forgetme ----------------------------------------------------------------------------------
class ForgetStep(StrEnum):
    CONFIRM = "confirm"


FORGET = Flow("forget", ForgetStep, NoState)
