"""Pure patrol logic: kinds, periods, roster times, backfill lines, figures and the sentence."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.features.patrols import backfill
from bot.features.patrols.backfill import Problem
from bot.features.patrols.figures import patrol_figures, sentence
from bot.features.patrols.kinds import match_kind
from bot.features.patrols.observing import Change, CountInput, count_in_range, read_count
from bot.features.patrols.roster import Shift, due_start, next_start
from bot.i18n import Translator
from bot.shared.periods import Period, named_period, parse_date, parse_time, parse_two_dates
from bot.storage.db import Database
from bot.storage.timefmt import to_db

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)  # Saturday 10:00 local


def test_kinds_match_vietnamese_with_or_without_diacritics() -> None:
    assert match_kind("quá giờ").code == "late_business"  # type: ignore[union-attr]
    assert match_kind("qua gio").code == "late_business"  # type: ignore[union-attr]
    assert match_kind("xả rác").code == "littering"  # type: ignore[union-attr]
    assert match_kind("Lấn chiếm vỉa hè").code == "encroachment"  # type: ignore[union-attr]
    assert match_kind("ồn").code == "noise"  # type: ignore[union-attr]
    assert match_kind("bắn pháo") is None


def test_periods() -> None:
    today = date(2026, 11, 21)
    assert named_period("month", today) == Period(date(2026, 11, 1), date(2026, 11, 30))
    assert named_period("quarter", today) == Period(date(2026, 10, 1), date(2026, 12, 31))
    assert named_period("year", today) == Period(date(2026, 1, 1), date(2026, 12, 31))
    assert named_period("last_month", date(2026, 1, 5)) == Period(
        date(2025, 12, 1), date(2025, 12, 31)
    )
    assert parse_two_dates("1/1/2026 - 31/3/2026", today) == Period(
        date(2026, 1, 1), date(2026, 3, 31)
    )
    assert parse_two_dates("31/3/2026 1/1/2026", today) == "order"
    assert parse_two_dates("hôm qua", today) == "format"
    assert parse_date("30/2/2026", today) is None
    assert parse_date("28/12", date(2027, 1, 5), past=True) == date(2026, 12, 28)
    assert parse_date("22/11", today, past=True) == date(2026, 11, 22)  # near future stays
    assert parse_time("19h30") == time(19, 30)
    assert parse_time("7g") == time(7, 0)
    assert parse_time("24:00") is None
    begin, end = Period(date(2026, 11, 1), date(2026, 11, 30)).utc_bounds(TZ)
    assert begin == datetime(2026, 10, 31, 17, 0, tzinfo=UTC)
    assert end == datetime(2026, 11, 30, 17, 0, tzinfo=UTC)


def test_roster_next_start_and_due_window() -> None:
    saturday = 5
    start = next_start(saturday, time(19, 30), NOW, TZ)
    assert start == datetime(2026, 11, 21, 12, 30, tzinfo=UTC)
    # Strictly after: at the start time itself the next one is a week later.
    assert next_start(saturday, time(19, 30), start, TZ) == datetime(
        2026, 11, 28, 12, 30, tzinfo=UTC
    )
    shift = Shift(1, 1, saturday, time(19, 30), 60)
    assert due_start(shift, datetime(2026, 11, 21, 11, 29, tzinfo=UTC), TZ) is None
    assert due_start(shift, datetime(2026, 11, 21, 11, 30, tzinfo=UTC), TZ) == start
    assert due_start(shift, datetime(2026, 11, 21, 12, 29, tzinfo=UTC), TZ) == start
    assert due_start(shift, datetime(2026, 11, 21, 12, 31, tzinfo=UTC), TZ) is None


def test_backfill_lines_and_bad_input() -> None:
    entries, problems = backfill.parse(
        "12/11 19:00-21:30; 5; quá giờ 3, lấn chiếm 2, rác\n\n13/11 19h-21h; An, Bình; 2 rác",
        NOW,
        TZ,
    )
    assert problems == []
    assert [e.participants for e in entries] == [5, 2]
    assert entries[0].observations == {"late_business": 3, "encroachment": 2, "littering": 1}
    assert entries[1].names == ["An", "Bình"] and entries[1].observations == {"littering": 2}
    assert entries[0].started_at(TZ) == datetime(2026, 11, 12, 19, 0, tzinfo=TZ)
    _, problems = backfill.parse(
        "21/11 19:00-21:00; 5\n"  # ends tonight: in the future
        "12/11 21:00-19:00; 5\n"
        "12/11 19:00-21:00; 0\n"
        "12/11 19:00-21:00; 5; rác 1001\n"
        "12/11 19:00-21:00; 5; rác 0\n"
        "12/11 19:00-21:00\n"
        "12/11 19:00-21:00; ; rác 1\n"
        "32/11 19:00-21:00; 5",
        NOW,
        TZ,
    )
    assert [p.problem for p in problems] == [
        Problem.FUTURE,
        Problem.LONG,  # 21:00 to 19:00 the next day
        Problem.NOBODY,
        Problem.COUNT,
        Problem.COUNT,
        Problem.FORMAT,
        Problem.NOBODY,
        Problem.DATE,
    ]

    assert problems[1].text == "12/11 21:00-19:00; 5"


def test_night_patrols_and_lines_sent_in_several_messages() -> None:
    entries, problems = backfill.parse("20/11 22:00-01:00; 3\n20/11 19:00-19:00; 3", NOW, TZ)
    assert [p.problem for p in problems] == [Problem.ORDER]
    [night] = entries
    assert night.overnight and night.ended_at(TZ) - night.started_at(TZ) == timedelta(hours=3)
    assert night.ended_at(TZ) == datetime(2026, 11, 21, 1, 0, tzinfo=TZ)
    # Ending after now (Saturday 10:00) is still refused.
    _, later = backfill.parse("21/11 09:00-10:30; 3", NOW, TZ)
    assert [p.problem for p in later] == [Problem.FUTURE]

    first, _ = backfill.parse("18/11 19:00-21:00; 2\n19/11 19:00-21:00; 4", NOW, TZ)
    second, _ = backfill.parse("19/11 19:00-22:00; 5\n17/11 19h-21h; 3", NOW, TZ)
    merged, repeated = backfill.add_to_list(first, second)
    assert [(e.day.day, e.participants) for e in merged] == [(18, 2), (19, 4), (17, 3)]
    assert [(p.line, p.problem, p.text) for p in repeated] == [
        (1, Problem.TWICE, "19/11 19:00-22:00; 5")
    ]


def test_a_typed_count_is_never_a_note_and_a_note_never_a_count() -> None:
    def after(text: str, current: int = 5) -> int | None:
        found = read_count(text)
        return None if found is None else found.apply(current)

    assert after("3") == 3
    assert after("x3") == 3 and after("×3") == 3
    assert after("+2") == 7 and after("+ 2") == 7
    assert after("-3") == 2 and after("−3") == 2 and after("–3") == 2
    assert after("1.000") == 1000 and after("1,000") == 1000
    assert after("-6") == -1 and not count_in_range(-1)  # refused by the caller
    assert after("1001") == 1001 and not count_in_range(1001)
    assert after("0") == 0 and not count_in_range(0)
    for note in ("Tiệm net Minh Anh", "3 quán còn mở", "-3 quán", "số 5", "1.5", "+", ""):
        assert read_count(note) is None, note
    assert read_count("+2") == CountInput(Change.ADD, 2)


async def test_figures_and_the_communes_sentence(db: Database) -> None:
    period = Period(date(2026, 10, 1), date(2026, 11, 30))
    oct_5 = datetime(2026, 10, 5, 12, 0, tzinfo=UTC)
    # 31/10 23:30 local is still October even though it is 16:30 UTC.
    oct_31 = datetime(2026, 10, 31, 16, 30, tzinfo=UTC)
    nov_2 = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
    # 30/11 17:30 UTC is 1/12 local: after the period.
    dec_1 = datetime(2026, 11, 30, 17, 30, tzinfo=UTC)
    async with db.unit() as conn:
        for code in ("DONG", "TAY"):
            await conn.execute(
                "INSERT INTO areas (code, name, created_at) VALUES (?, ?, ?)",
                (code, code, to_db(NOW)),
            )
        for area, started, headcount in (
            (1, oct_5, 5),
            (1, oct_31, 2),
            (2, nov_2, 6),
            (2, dec_1, 9),
        ):
            await conn.execute(
                "INSERT INTO patrols (area_id, status, source, started_at, headcount, created_at,"
                " updated_at) VALUES (?, 'closed', 'backfill', ?, ?, ?, ?)",
                (area, to_db(started), headcount, to_db(NOW), to_db(NOW)),
            )
        # Patrol 2: two named people and one who declined, on top of its head count of 2.
        for name, declined in (("Ba", None), ("Tư", None), ("Năm", to_db(NOW))):
            await conn.execute(
                "INSERT INTO patrol_participants (patrol_id, name, declined_at) VALUES (2, ?, ?)",
                (name, declined),
            )
        for patrol, kind, count, reminded in (
            (1, "late_business", 30, 1),
            (2, "late_business", 10, 1),
            (2, "encroachment", 6, 1),
            (3, "littering", 4, 1),
            (3, "suspicious", 1, 0),
            (4, "noise", 7, 1),
        ):
            await conn.execute(
                "INSERT INTO patrol_observations (patrol_id, kind, count, reminded, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (patrol, kind, count, reminded, to_db(NOW)),
            )
    async with db.read() as conn:
        report = await patrol_figures(conn, None, period, TZ)
        dong = await patrol_figures(conn, 1, period, TZ)
        empty = await patrol_figures(conn, None, Period(date(2026, 1, 1), date(2026, 1, 31)), TZ)
    assert report.total.patrols == 3 and report.total.participations == 15
    assert [m for m, _ in report.months] == [(2026, 10), (2026, 11)]
    october = report.months[0][1]
    assert october.patrols == 2 and october.reminders["late_business"] == 40
    assert report.total.observations["suspicious"] == 1
    assert "suspicious" not in report.total.reminders and "noise" not in report.total.observations
    assert dong.total.patrols == 2 and dong.total.participations == 9
    async with db.unit() as conn:
        # A correction moves patrol 1 into November; Năm no longer declines; Ba is removed.
        await conn.execute("UPDATE patrols SET started_at = ? WHERE id = 1", (to_db(nov_2),))
        await conn.execute("UPDATE patrol_participants SET declined_at = NULL WHERE name = 'Năm'")
        await conn.execute("DELETE FROM patrol_participants WHERE name = 'Ba'")
    async with db.read() as conn:
        moved = await patrol_figures(conn, None, period, TZ)
    october, november = moved.months[0][1], moved.months[1][1]
    assert october.patrols == 1 and october.participations == 4  # patrol 2: 2, Tư and Năm
    assert november.patrols == 2 and november.reminders["late_business"] == 30
    assert october.reminders["late_business"] == 10
    assert report.total.patrols == 3 and report.total.participations == 15
    assert [m for m, _ in report.months] == [(2026, 10), (2026, 11)]
    october = report.months[0][1]
    assert october.patrols == 2 and october.reminders["late_business"] == 40
    text = sentence(Translator("vi", TZ), report.total)
    assert text == (
        "3 lượt tuần tra với 15 lượt thành viên tham gia; nhắc nhở 40 trường hợp kinh doanh "
        "quá giờ quy định, 6 trường hợp lấn chiếm lòng đường, vỉa hè, 4 trường hợp xả rác "
        "không đúng nơi quy định."
    )
    english = sentence(Translator("en", TZ), report.total)
    assert english.startswith("3 patrols with 15 member participations; reminders given: 40 cases")
    assert sentence(Translator("vi", TZ), empty.total) == (
        "0 lượt tuần tra với 0 lượt thành viên tham gia."
    )
