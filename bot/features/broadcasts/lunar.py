"""The Vietnamese lunar calendar (âm lịch), reckoned at UTC+7.

Vietnam's calendar has used UTC+7 since 1968, so some dates differ from China's (UTC+8):
Tết 2007 was 17 Feb in Vietnam but 18 Feb in China, Tết 2030 is 2 Feb in Vietnam.

The conversion is Hồ Ngọc Đức's published algorithm as implemented by the ``lunar-vn``
package (MIT licence). Only this module knows which library it is. Checked against
``vnlunar`` (used before) for every day from 1900 to 2099 in both directions: identical to its
computation at UTC+7. Hồ Ngọc Đức's precomputed tables, which ``vnlunar`` read by default, differ
before 1968 (North Vietnam then reckoned at UTC+8) and in three months whose new moon falls within
two minutes of midnight (May 2054, December 2072, November 2077), by one day there.
"""

from __future__ import annotations

from datetime import date

from lunar_vn import LunarDate, convert_lunar_to_solar, solar_to_lunar

VIETNAM_UTC_OFFSET = 7.0


def _exact(lunar_year: int, month: int, day: int) -> date | None:
    """The solar date of a day of a regular (not leap) lunar month, or None when the month
    is shorter. ``lunar-vn`` counts on past the month's end (the 30th of a 29-day month comes
    out as the 1st of the next), so the result is converted back to check it."""
    solar = convert_lunar_to_solar(day, month, lunar_year, 0, VIETNAM_UTC_OFFSET)
    if solar_to_lunar(solar, VIETNAM_UTC_OFFSET) != LunarDate(day, month, lunar_year):
        return None
    return solar


def lunar_to_solar(lunar_year: int, month: int, day: int) -> date:
    """The solar date of a lunar day in the Vietnamese calendar. In a year with a leap month
    the festival is kept in the regular (first) month; day 30 of a 29-day month becomes the
    29th (the month's last day)."""
    for lunar_day in (day, day - 1) if day == 30 else (day,):
        found = _exact(lunar_year, month, lunar_day)
        if found is not None:
            return found
    raise ValueError(f"no lunar date {day}/{month}/{lunar_year}")
