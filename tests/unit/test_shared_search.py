"""Searching ignores diacritics, case, punctuation and extra spaces."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime

from bot.features.reports.model import normalize_code
from bot.shared.pickers import match_areas
from bot.shared.text import search_key
from bot.storage import areas, members
from bot.storage.areas import Area
from bot.storage.db import Database

NOW = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)


def test_search_key_folds_vietnamese() -> None:
    assert search_key("Trần  Văn-Ba") == "tran van ba"
    assert search_key("Thôn ĐÔNG") == "thon dong"
    assert search_key(unicodedata.normalize("NFD", "Nguyễn Thị Ánh")) == "nguyen thi anh"
    assert search_key("  ...  ") == ""


async def test_people_are_found_by_a_part_of_the_name_without_diacritics(db: Database) -> None:
    """What /roles runs: the members repository compared through search_key."""
    async with db.unit() as conn:
        area = await areas.add(conn, "DONG", "Thôn Đông", 120, NOW)
        for user_id, name in ((1, "Trần Văn Ba"), (2, "Trần Thị Ánh")):
            member = await members.ensure(conn, "telegram", user_id, NOW)
            await members.complete_onboarding(
                conn,
                member.id,
                display_name=name,
                area_id=area.id,
                language="vi",
                consent_version=1,
                now=NOW,
            )

        async def names(typed: str) -> list[str | None]:
            found = await members.search(conn, typed, fold=search_key)
            return [m.display_name for m in found]

        assert await names("tran van") == ["Trần Văn Ba"]
        assert await names("VAN BA") == ["Trần Văn Ba"]
        assert await names("tran") == ["Trần Thị Ánh", "Trần Văn Ba"]
        assert await names("tran thi anh") == ["Trần Thị Ánh"]
        assert await names("") == []


def test_areas_by_code_or_name_without_diacritics() -> None:
    east = Area(1, "DONG", "Thôn Đông", 120)
    west = Area(2, "TAY", "Thôn Tây", 95)
    assert match_areas([east, west], "DONG") == [east]
    assert match_areas([east, west], "thon tay") == [west]
    assert match_areas([east, west], "thôn") == [east, west]
    assert match_areas([east, west], "?") == []


def test_report_codes_ignore_case_spaces_and_dashes() -> None:
    assert normalize_code("acde 3479") == "ACDE-3479"
    assert normalize_code(" ACDE–3479 ") == "ACDE-3479"
