"""Wiring in one place: the features the bot is made of, in the order /help lists them."""

from __future__ import annotations

from bot.core.registry import Feature, Registry
from bot.handlers import (
    areas,
    broadcasts,
    groups,
    help,
    language,
    patrols,
    pledges,
    privacy,
    rating,
    reports,
    roles,
    start,
    stats,
    subscriptions,
)


def features() -> list[Feature]:
    return [
        start.feature,
        help.feature,
        language.feature,
        privacy.feature,
        groups.feature,
        roles.feature,
        areas.feature,
        reports.feature,
        pledges.feature,
        patrols.feature,
        broadcasts.feature,
        rating.feature,
        stats.feature,
        subscriptions.feature,
    ]


def build_registry() -> Registry:
    return Registry(features())
