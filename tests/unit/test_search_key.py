"""Searching ignores diacritics, case, punctuation and extra spaces."""

from __future__ import annotations

import unicodedata

from bot.features.reports.model import normalize_code
from bot.shared.pickers import match_areas
from bot.shared.text import search_key, search_matches
from bot.storage.areas import Area


def test_search_key_folds_vietnamese() -> None:
    assert search_key("Trần  Văn-Ba") == "tran van ba"
    assert search_key("Thôn ĐÔNG") == "thon dong"
    assert search_key(unicodedata.normalize("NFD", "Nguyễn Thị Ánh")) == "nguyen thi anh"
    assert search_key("  ...  ") == ""


def test_search_matches_a_part_of_a_name() -> None:
    assert search_matches("tran van", "Trần Văn Ba")
    assert search_matches("VAN BA", "Trần Văn Ba")
    assert not search_matches("tran thi", "Trần Văn Ba")
    assert not search_matches("", "Trần Văn Ba")


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
