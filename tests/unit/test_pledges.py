"""Pure pledge logic: household keys, coverage arithmetic, campaign windows, board splitting,
CSV; and the repository's one-pledge-per-household rule and /forgetme unlinking."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest

from bot.features.pledges.model import (
    Coverage,
    Window,
    check_address,
    csv_bytes,
    current_window,
    household_key,
    households_total_problem,
    latest_window,
    next_window,
    overlapping,
    parse_day,
    progress_bar,
    reference,
    split_lines,
)
from bot.shared.text import TextProblem
from bot.storage import areas as areas_repo
from bot.storage import members as members_repo
from bot.storage import pledge_campaigns, pledge_items
from bot.storage import pledges as repo
from bot.storage.db import Database, IntegrityError

NOW = datetime(2027, 1, 10, 3, 0, tzinfo=UTC)


def test_household_key_ignores_case_spacing_and_composition() -> None:
    a = household_key("Nguyễn Văn An", "Số 12, xóm 3")
    assert household_key("  NGUYỄN   văn an ", "số 12,  XÓM 3") == a
    # Decomposed input (Telex/VNI keyboards) gives the same key.
    assert household_key("Nguye\u0302\u0303n Va\u0306n An", "So\u0302\u0301 12, xo\u0301m 3") == a
    assert household_key("Nguyễn Văn Anh", "Số 12, xóm 3") != a
    assert household_key("Nguyễn Văn An", "Số 13, xóm 3") != a


def test_address_check() -> None:
    assert check_address(" Số  12 ") == "Số 12"
    assert check_address("12") == "12"
    assert check_address("😀😀") == TextProblem.NO_LETTERS
    assert check_address("<b>x</b>") == TextProblem.MARKUP
    assert check_address("a\u0000b") == TextProblem.CONTROL
    assert check_address("x" * 151) == TextProblem.TOO_LONG
    assert check_address("1") == TextProblem.TOO_SHORT


def test_coverage_arithmetic() -> None:
    assert Coverage(45, 120).fraction == pytest.approx(0.375)
    assert Coverage(45, 120).missing == 75
    assert Coverage(0, None).fraction is None
    assert Coverage(0, 0).fraction is None
    assert Coverage(130, 120).fraction == 1.0
    assert Coverage(120, 120).complete and not Coverage(119, 120).complete
    assert households_total_problem(10, 11) and not households_total_problem(11, 11)


def test_progress_bar() -> None:
    assert progress_bar(0.0) == "░" * 10
    assert progress_bar(1.0) == "▓" * 10
    assert progress_bar(0.375) == "▓▓▓▓░░░░░░"
    assert progress_bar(0.001).startswith("▓")  # some progress always shows
    assert progress_bar(0.999).endswith("░")  # not full until everyone signed
    assert progress_bar(None) == "░" * 10


def test_campaign_windows() -> None:
    w26 = Window(1, "2026", date(2026, 1, 1), date(2026, 3, 31))
    w27 = Window(2, "2027", date(2027, 1, 15), date(2027, 3, 31))
    windows = [w26, w27]
    assert current_window(windows, date(2026, 3, 31)) == w26  # last day included
    assert current_window(windows, date(2026, 4, 1)) is None
    assert next_window(windows, date(2026, 4, 1)) == w27
    assert next_window(windows, date(2027, 2, 1)) is None
    assert latest_window(windows, date(2026, 12, 1)) == w26
    assert latest_window(windows, date(2027, 1, 15)) == w27
    assert latest_window(windows, date(2025, 1, 1)) is None
    assert overlapping(windows, date(2027, 3, 31), date(2027, 5, 1)) == w27
    assert overlapping(windows, date(2026, 4, 1), date(2027, 1, 14)) is None


def test_parse_day() -> None:
    assert parse_day("15/01/2027") == date(2027, 1, 15)
    assert parse_day("5.1.2027") == date(2027, 1, 5)
    assert parse_day("2027-01-15") == date(2027, 1, 15)
    assert parse_day("31/02/2027") is None
    assert parse_day("tomorrow") is None


def test_split_lines_keeps_lines_whole_and_within_limit() -> None:
    lines = [f"{n}. Nguyễn Văn Hộ {n}" for n in range(1, 600)]
    parts = split_lines(lines, limit=4000)
    assert len(parts) > 1
    assert all(len(p) <= 4000 for p in parts)
    assert "\n".join(parts).split("\n") == lines
    assert split_lines([]) == [""]


def test_csv_is_excel_friendly_and_safe() -> None:
    data = csv_bytes(["Mã số", "Chủ hộ"], [["DONG-2027-001", "=HYPERLINK()"]])
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["Mã số", "Chủ hộ"], ["DONG-2027-001", "'=HYPERLINK()"]]
    assert reference("DONG", 2027, 7) == "DONG-2027-007"


def test_pledge_csv_follows_the_one_cell_rule_of_every_export() -> None:
    """The pledge export and the officers' figures share one writer: a line break or a control
    character typed in an address is folded, the same as in the workbook and the other CSVs."""
    data = csv_bytes(["Địa chỉ", "Số"], [["Số 1\nxóm 2\x07", 3], ["\t-1", None]])
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["Địa chỉ", "Số"], ["Số 1 xóm 2", "3"], ["'-1", ""]]
    assert data.count(b"\r\n") == 3


async def test_built_in_catalog_has_both_languages(db: Database) -> None:
    async with db.unit() as conn:
        items = await pledge_items.items(conn, "household")
    assert len(items) == 9
    assert all(i.text_vi and i.text_en for i in items)
    assert "ma túy" in items[0].text("vi") and "drugs" in items[0].text("en")


async def test_one_standing_pledge_per_household_and_forget(db: Database) -> None:
    async with db.unit() as conn:
        area = await areas_repo.add(conn, "DONG", "Thôn Đông", 120, NOW)
        member = await members_repo.ensure(conn, "telegram", "5", NOW)
        campaign = await pledge_campaigns.add_campaign(
            conn, "Cam kết năm 2027", date(2027, 1, 1), date(2027, 3, 31), None, NOW
        )
        key = household_key("An", "Số 1")
        kwargs = dict(
            campaign_id=campaign.id,
            area_id=area.id,
            audience="household",
            head_name="An",
            address="Số 1",
            household_key=key,
            member_id=member.id,
            public=True,
            lines=[repo.Line(1, "x", False)],
            item_ids=[None],
            now=NOW,
        )
        first = await repo.sign(conn, reference="R1", **kwargs)  # type: ignore[arg-type]
    with pytest.raises(IntegrityError):  # the refused write fails its unit of work
        async with db.unit() as conn:
            await repo.sign(conn, reference="R2", **kwargs)  # type: ignore[arg-type]
    async with db.unit() as conn:
        assert await repo.withdraw(conn, first, member.id, NOW)
        assert not await repo.withdraw(conn, first, member.id, NOW)
        await repo.sign(conn, reference="R3", **kwargs)  # type: ignore[arg-type]
        assert await repo.signed_count(conn, campaign.id, area.id) == 1
        assert await repo.covered_members(conn, campaign.id) == {member.id}
        await repo.unlink_member(conn, member.id)
        assert await repo.of_member(conn, member.id) == []
        kept = await repo.in_campaign(conn, campaign.id, standing_only=False)
        assert len(kept) == 2 and all(p.member_id is None for p in kept)
        withdrawn = [p for p in kept if p.withdrawn_at is not None]
        assert len(withdrawn) == 1
