"""The conversation of /rating: its steps and the state it keeps between them, validated when
read back from the database (see bot.core.flows). The keys are those the release before typed
states stored, so a conversation open over an upgrade goes on."""

from __future__ import annotations

from enum import StrEnum

from bot.core.flows import Flow, State, StateRefused


class RatingStep(StrEnum):
    YEAR = "year"
    YEAR_INPUT = "year_input"
    LIST = "list"  # the areas of the year
    AREA = "area"
    CRITERION = "crit"
    NOTE = "note"
    OVERRIDE = "override"  # a criterion recorded against the records: the note saying why
    RESULT = "result"
    TABLE = "table"


class RatingState(State):
    year: int | None = None
    area_id: int | None = None
    criterion: int | None = None
    met: bool | None = None  # what the officer chose, against the records
    suggested: bool | None = None  # what the records suggest

    @property
    def chosen_year(self) -> int:
        """The year being rated; a step past the year's choice without one cannot go on."""
        if self.year is None:
            raise StateRefused(end=True)
        return self.year


RATING = Flow("rating", RatingStep, RatingState)
