"""The buttons of the account screens, declared once: each screen makes its action strings from
these and each handler reads them back (see bot.core.flows)."""

from __future__ import annotations

from enum import StrEnum

from bot.core.flows import Actions, Prefix


class Onb(StrEnum):
    """/start: registering."""

    LANG = "lang"
    AGREE = "agree"
    DECLINE = "decline"
    NAME = "name"  # use the suggested name
    AREA = "area"


class Forget(StrEnum):
    """/forgetme."""

    YES = "yes"
    NO = "no"


ONBOARDING = Actions("onb", Onb)
FORGET = Actions("forget", Forget)
# "<language code>": /language.
LANGUAGE = Prefix("lang")
