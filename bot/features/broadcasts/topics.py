"""Awareness topics: what residents can subscribe to and what the library is sorted by."""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n import N_


@dataclass(frozen=True)
class Topic:
    key: str
    emoji: str
    label: str  # a message id (N_)


TOPICS: tuple[Topic, ...] = (
    Topic("fire", "🔥", N_("Fire safety")),
    Topic("fraud", "📵", N_("Online fraud and scams")),
    Topic("drowning", "🌊", N_("Drowning prevention")),
    Topic("traffic", "🛵", N_("Traffic safety")),
    Topic("drugs", "🚫", N_("Drugs")),
    Topic("fireworks", "🧨", N_("Fireworks ban before Tết")),
    Topic("weapons", "🗡", N_("Handing in weapons and explosives")),
    Topic("vneid", "🪪", N_("Electronic ID (VNeID)")),
    Topic("burglary", "🔒", N_("Burglary at Tết")),
    Topic("alert", "🚨", N_("Urgent alerts")),
)
BY_KEY = {t.key: t for t in TOPICS}


def topic(key: str) -> Topic:
    return BY_KEY.get(key, BY_KEY["alert"])
