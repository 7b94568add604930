"""What a patrol can observe, with the words the commune uses for it in its reports."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from bot.i18n import N_


@dataclass(frozen=True)
class Kind:
    code: str
    icon: str
    label: str  # short button label (a message id)
    phrase: str  # how the commune's report names the cases (a message id)
    keywords: tuple[str, ...]  # typed shortcuts for backfills, folded (no diacritics)


KINDS: tuple[Kind, ...] = (
    Kind(
        "late_business",
        "🏪",
        N_("Open past hours"),
        N_("business open past permitted hours"),
        ("qua gio", "kinh doanh", "late", "hours", "qg"),
    ),
    Kind(
        "encroachment",
        "🛒",
        N_("Encroaching road"),
        N_("encroachment on road or pavement"),
        ("lan chiem", "via he", "long duong", "encroach", "lc"),
    ),
    Kind(
        "littering",
        "🗑",
        N_("Littering"),
        N_("littering in the wrong place"),
        ("rac", "xa rac", "litter", "trash"),
    ),
    Kind("noise", "🔊", N_("Noise"), N_("noise and disorder"), ("on", "on ao", "noise", "loud")),
    Kind(
        "unlocked",
        "🔓",
        N_("Unlocked property"),
        N_("unlocked or unattended property"),
        ("khoa", "cua", "tai san", "unlocked", "unattended"),
    ),
    Kind(
        "suspicious",
        "👀",
        N_("Suspicious person/vehicle"),
        N_("suspicious people or vehicles"),
        ("kha nghi", "nghi van", "suspicious", "kn"),
    ),
    Kind(
        "fire_hazard",
        "🔥",
        N_("Fire hazard"),
        N_("fire and explosion hazards"),
        ("chay", "chay no", "pccc", "fire"),
    ),
    Kind(
        "traffic",
        "🚦",
        N_("Traffic violation"),
        N_("traffic violations"),
        ("giao thong", "gt", "traffic"),
    ),
    Kind("other", "📌", N_("Other"), N_("other matters"), ("khac", "other")),
)
BY_CODE = {k.code: k for k in KINDS}


def kind(code: str) -> Kind:
    return BY_CODE.get(code, BY_CODE["other"])


def fold(text: str) -> str:
    """Lowercase without Vietnamese diacritics: ``Quá giờ`` → ``qua gio``."""
    decomposed = unicodedata.normalize("NFD", text.casefold().replace("đ", "d"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.split())


def match_kind(text: str) -> Kind | None:
    """The kind a typed word names (``quá giờ``, ``rác``, ``litter``...), or None.

    The longest keyword found wins, so ``xả rác`` is littering and ``ồn`` alone is noise.
    """
    words = fold(text)
    if not words:
        return None
    best: tuple[int, Kind] | None = None
    padded = f" {words} "
    for k in KINDS:
        for keyword in k.keywords:
            found = f" {keyword} " in padded
            if found and (best is None or len(keyword) > best[0]):
                best = (len(keyword), k)
    return best[1] if best else None
