"""Lunar dates pinned to the Vietnamese calendar (UTC+7), whichever library computes them."""

from __future__ import annotations

from datetime import date

import pytest

from bot.features.broadcasts.lunar import lunar_to_solar


def test_tet_nguyen_dan() -> None:
    assert lunar_to_solar(2025, 1, 1) == date(2025, 1, 29)
    assert lunar_to_solar(2026, 1, 1) == date(2026, 2, 17)
    assert lunar_to_solar(2027, 1, 1) == date(2027, 2, 6)
    # Years where Vietnam (UTC+7) and China (UTC+8) differ.
    assert lunar_to_solar(2007, 1, 1) == date(2007, 2, 17)
    assert lunar_to_solar(1985, 1, 1) == date(1985, 1, 21)


def test_ong_cong_ong_tao_before_tet_2026() -> None:
    # 23 tháng Chạp of Ất Tỵ (lunar year 2025), a week before Tết Bính Ngọ.
    assert lunar_to_solar(2025, 12, 23) == date(2026, 2, 10)


def test_leap_sixth_month_of_2025_is_skipped() -> None:
    # Ất Tỵ has a leap 6th month: 1/6 nhuận is 25 Jul 2025 and it lasts 29 days. Festivals
    # stay in the regular 6th month (30 days, 25 Jun - 24 Jul); the 7th month starts after
    # the leap one.
    assert lunar_to_solar(2025, 6, 1) == date(2025, 6, 25)
    assert lunar_to_solar(2025, 6, 15) == date(2025, 7, 9)
    assert lunar_to_solar(2025, 6, 30) == date(2025, 7, 24)
    assert lunar_to_solar(2025, 7, 1) == date(2025, 8, 23)
    assert lunar_to_solar(2025, 7, 15) == date(2025, 9, 6)


def test_day_30_of_a_29_day_month_is_its_last_day() -> None:
    # The 12th month of Ất Tỵ has 29 days: the 29th is the day before Tết 2026.
    assert lunar_to_solar(2025, 12, 29) == date(2026, 2, 16)
    assert lunar_to_solar(2025, 12, 30) == date(2026, 2, 16)


def test_impossible_dates_are_refused() -> None:
    with pytest.raises(ValueError):
        lunar_to_solar(2025, 13, 1)
    with pytest.raises(ValueError):
        lunar_to_solar(2025, 1, 31)
