"""Wiring in one place: the features the bot is made of, in the order /help lists them.

One package per feature; in each, ``screens*.py`` are the chat screens (thin), the other modules
are the feature's use cases, model and texts. See docs/architecture.md.
"""

from __future__ import annotations

from bot.core.registry import Feature, Registry
from bot.features.account import screens_help as help
from bot.features.account import screens_language as language
from bot.features.account import screens_privacy as privacy
from bot.features.account import screens_start as start
from bot.features.admin import screens_areas as areas
from bot.features.admin import screens_groups as groups
from bot.features.admin import screens_roles as roles
from bot.features.broadcasts import screens as broadcasts
from bot.features.broadcasts import screens_subscriptions as subscriptions
from bot.features.figures import screens as stats
from bot.features.patrols import screens as patrols
from bot.features.pledges import screens as pledges
from bot.features.rating import screens as rating
from bot.features.reports import screens as reports


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
