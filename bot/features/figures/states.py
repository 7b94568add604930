"""The conversation of /stats: its steps and the state it keeps between them, validated when
read back from the database (see bot.core.flows)."""

from __future__ import annotations

from enum import StrEnum

from bot.core.flows import Flow, State


class StatsStep(StrEnum):
    SCOPE = "scope"
    PERIOD = "period"
    DATES = "dates"  # two typed dates


class StatsState(State):
    area_id: int = 0  # 0: every area (or the commune below)
    commune_id: int = 0  # one whole commune of a province (0: none)


STATS = Flow("stats", StatsStep, StatsState)
