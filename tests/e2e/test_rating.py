"""An officer rates the areas of a year over the fake Bot API: criteria with a note, the result
(refused as "met" while criteria are missing), finalising, and the commune table with streaks and
shares. A resident is refused; an old button gets the stale answer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.storage import areas as areas_repo
from bot.storage import members as members_repo
from bot.storage import ratings as ratings_repo
from bot.storage import roles as roles_repo
from bot.storage.db import Database
from tests.conftest import seed_areas
from tests.e2e.harness import ChatUser, RunningBot, fixed_clock
from tests.e2e.test_onboarding import register
from tests.fakebotapi import FakeBotAPI

NOW = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)


@pytest.fixture
async def rated_bot(api: FakeBotAPI, tmp_path: Path) -> AsyncIterator[RunningBot]:
    """The real bot on a clock in November 2026; Thôn Đông already met the standard in 2024."""
    database = tmp_path / "bot.sqlite3"
    await seed_areas(database)
    db = await Database.open(database)
    try:
        async with db.unit() as conn:
            dong = await areas_repo.by_code(conn, "DONG")
            assert dong is not None
            await ratings_repo.open_year(conn, 2024, None, NOW)
            rating_id = await ratings_repo.ensure_area_rating(conn, 2024, dong.id, NOW)
            await ratings_repo.set_result(conn, rating_id, True, None, NOW)
    finally:
        await db.close()
    running = RunningBot(api, database, admins="42", clock=fixed_clock(NOW))
    await running.start()
    yield running
    await running.stop()


async def make_officer(bot: RunningBot, user_id: int) -> None:
    db = await Database.open(bot.database)
    try:
        async with db.unit() as conn:
            member = await members_repo.find(conn, "telegram", str(user_id))
            assert member is not None
            await roles_repo.grant(conn, member.id, "officer", None, None, NOW)
    finally:
        await db.close()


async def test_officer_rates_a_year_and_sees_the_commune_table(
    api: FakeBotAPI, rated_bot: RunningBot
) -> None:
    hung = ChatUser(api, 2001, "Lê Văn Hùng")
    await register(api, hung)
    await make_officer(rated_bot, hung.id)

    ask = await hung.send("/binhxet")
    assert "năm nào" in ask.text
    assert "Năm nay (2026)" in ask.labels and "Năm trước (2025)" in ask.labels

    listing = await hung.press("Năm trước (2025)")
    assert "năm 2025" in listing.text
    assert "Thôn Đông: đã ghi nhận 0/5 tiêu chí" in listing.text

    area = await hung.press("Thôn Đông")
    assert "Thôn Đông: bình xét năm 2025" in area.text
    assert "Năm tiêu chí" in area.text and "Kết quả: ⏳" in area.text
    assert "1 ⏳" in area.labels

    first = await hung.press("1 ⏳")
    assert "tiêu chí 1/5" in first.text
    assert "Năm 2025 chưa có đợt ký cam kết" in first.text  # no campaign recorded
    assert "đề xuất: chưa đạt" in first.text

    # "Met" against the bot's own evidence: a warning, and nothing is recorded without a note.
    warned = await hung.press("✅ Đạt")
    assert "khác với đề xuất theo số liệu" in warned.text and "bắt buộc" in warned.text
    assert "Năm 2025 chưa có đợt ký cam kết" in warned.text
    assert await criteria_rows(rated_bot) == []
    assert "Cần có ghi chú" in (await hung.send("-")).text
    assert "trống" in (await hung.send("   ")).text
    assert "bằng chữ" in (await hung.send("120/120")).text  # a number is not a reason
    assert await criteria_rows(rated_bot) == []
    second = await hung.send("Sổ ký cam kết giấy: 120/120 hộ, lưu tại nhà văn hóa thôn")
    assert "Đã ghi nhận tiêu chí 1: đạt" in second.text and "tiêu chí 2/5" in second.text
    assert "khác với đề xuất theo số liệu, kèm ghi chú" in second.text
    saved = await criteria_rows(rated_bot)
    assert saved == [
        {
            "criterion": 1,
            "met": 1,
            "suggested": 0,
            "note": "Sổ ký cam kết giấy: 120/120 hộ, lưu tại nhà văn hóa thôn",
        }
    ]

    ask_note = await hung.press("📝 Thêm ghi chú")
    assert "ghi chú cho tiêu chí 2" in ask_note.text
    assert "500" in (await hung.send("x" * 501)).text  # too long: refused, nothing lost
    with_note = await hung.send("Đã phổ biến <Luật Cư trú> tới 100% hộ")
    assert "Đã lưu ghi chú" in with_note.text
    assert "Ghi chú: Đã phổ biến &lt;Luật Cư trú&gt; tới 100% hộ" in with_note.text
    assert "📝 Sửa ghi chú" in with_note.labels

    third = await hung.press("✅ Đạt")
    assert "tiêu chí 3/5" in third.text and "hòa giải" in third.text
    fourth = await hung.press("✅ Đạt")
    assert "tiêu chí 4/5" in fourth.text and "tội phạm, tệ nạn" in fourth.text
    fifth = await hung.press("✅ Đạt")
    assert "tiêu chí 5/5" in fifth.text and "tuần tra" in fifth.text
    assert "đề xuất: chưa đạt" in fifth.text  # no patrols recorded in 2025
    await hung.press("✅ Đạt")
    result = await hung.send("Tổ tự quản họp hằng tháng, ghi sổ tay, chưa dùng bot")
    assert "kết quả bình xét năm 2025" in result.text
    assert "✅ Đạt tiêu chuẩn" in result.labels

    saved = await hung.press("✅ Đạt tiêu chuẩn")
    assert "Đã lưu: Thôn Đông đạt tiêu chuẩn năm 2025" in saved.text
    assert "Thôn Đông: đạt tiêu chuẩn (2 năm liền)" in saved.text  # 2024 and 2025

    # Changing a criterion to "not met" withdraws a "met" result; record it again.
    area = await hung.press("✅ Thôn Đông")
    assert "tính đến ngày" not in area.text  # 2025 is over
    await hung.press("2 ✅")
    withdrawn = await hung.press("❌ Không đạt")
    assert "Kết quả “đạt tiêu chuẩn” đã được hủy" in withdrawn.text
    await hung.press("⬅️ Về khu dân cư")
    # The note that says why criterion 1 goes against the records is not replaced by a number.
    overridden = await hung.press("1 ✅")
    await hung.press("Sửa ghi chú", in_call=overridden)
    assert "bằng chữ" in (await hung.send("12")).text
    await hung.send("Sổ ký cam kết giấy: 120/120 hộ, đã kiểm tra lại")
    assert (await criteria_rows(rated_bot))[0]["note"] == (
        "Sổ ký cam kết giấy: 120/120 hộ, đã kiểm tra lại"
    )
    notes = await audit_details(rated_bot, "rating.note_set")
    assert "Sổ ký cam kết giấy: 120/120 hộ, đã kiểm tra lại" in notes[-1]
    await hung.press("⬅️ Về khu dân cư")
    again = await hung.press("2 ❌")
    assert "Ghi chú: Đã phổ biến" in again.text  # the note stays
    await hung.press("✅ Đạt")
    await hung.press("🏁 Kết quả")
    await hung.press("✅ Đạt tiêu chuẩn")

    # Thôn Tây: "met" is refused while criteria are missing; "not met" is saved.
    await hung.press("Thôn Tây")
    refused = await hung.press("🏁 Kết quả")
    refused = await hung.press("✅ Đạt tiêu chuẩn")
    assert "Chưa thể công nhận Thôn Tây đạt tiêu chuẩn" in refused.text
    assert "tiêu chí 1, 2, 3, 4, 5" in refused.text
    not_met = await hung.press("❌ Không đạt")
    assert "Thôn Tây không đạt tiêu chuẩn năm 2025" in not_met.text

    closed = await hung.press("🔒 Chốt kết quả năm")
    assert "Đã chốt kết quả bình xét năm 2025" in closed.text
    assert "🔓 Mở lại để chỉnh sửa" in closed.labels
    area = await hung.press("Thôn Đông")
    criterion = await hung.press("1 ✅", in_call=area)
    assert "✅ Đạt" not in criterion.labels  # finalised: read only

    await hung.press("⬅️ Về khu dân cư")
    await hung.press("⬅️ Danh sách khu dân cư")
    table = await hung.press("📊 Bảng tổng hợp")
    assert "Bảng tổng hợp khu dân cư an toàn" in table.text
    assert "Thôn Đông</b>: 2024 ✅ · 2025 ✅" in table.text
    assert (
        "⚠️ Năm 2025, tiêu chí 1: ghi nhận ✅ đạt, khác với đề xuất theo số liệu. "
        "Ghi chú: Sổ ký cam kết giấy" in table.text
    )
    assert "Thôn Tây</b>: 2024 — · 2025 ❌" in table.text
    assert "đạt 2 năm liền tính đến năm 2025" in table.text
    assert "Năm 2024: 1/2 khu dân cư (50%); trong 1 khu dân cư đã bình xét: 100%" in table.text
    assert "Năm 2025: 1/2 khu dân cư (50%); trong 2 khu dân cư đã bình xét: 50%" in table.text

    data = await hung.send("/mydata")
    assert "đã quyết định 2 kết quả" in data.text

    # Looking at this year rates nothing, so the table does not grow an empty 2026 column.
    await hung.send("/binhxet")
    await hung.press("Năm nay (2026)")
    table = await hung.press("📊 Bảng tổng hợp")
    assert "2025 ❌" in table.text and "2026" not in table.text


async def audit_details(bot: RunningBot, action: str) -> list[str]:
    db = await Database.open(bot.database)
    try:
        async with (
            db.read() as conn,
            conn.execute(
                "SELECT details FROM audit_log WHERE action = ? ORDER BY id", (action,)
            ) as cur,
        ):
            return [str(r["details"]) for r in await cur.fetchall()]
    finally:
        await db.close()


async def criteria_rows(bot: RunningBot) -> list[dict[str, object]]:
    db = await Database.open(bot.database)
    try:
        async with (
            db.read() as conn,
            conn.execute(
                "SELECT criterion, met, suggested, note FROM area_rating_criteria"
                " ORDER BY criterion LIMIT 1"
            ) as cur,
        ):
            return [dict(r) for r in await cur.fetchall()]
    finally:
        await db.close()


async def test_typed_year_and_english(api: FakeBotAPI, rated_bot: RunningBot) -> None:
    john = ChatUser(api, 2002, "John", language_code="en")
    await register(api, john)
    await make_officer(rated_bot, john.id)
    ask = await john.send("/rating")
    assert "Which year do you want to rate?" in ask.text
    await john.press("Type another year")
    assert "from 2000 to 2026" in (await john.send("1999")).text
    listing = await john.send("2024")
    assert "Rating of safe residential areas, 2024" in listing.text
    assert "Thôn Đông: meets the standard (1 year in a row)" in listing.text
    table = await john.press("Commune table")
    assert "2024: 1 of 2 areas (50%); of the 1 areas rated: 100%" in table.text


async def test_resident_is_refused(api: FakeBotAPI, rated_bot: RunningBot) -> None:
    an = ChatUser(api, 2003, "Nguyễn Văn An")
    await register(api, an)
    refused = await an.send("/binhxet")
    assert "cán bộ Công an xã" in refused.text
    assert not refused.labels


async def test_old_button_is_stale(api: FakeBotAPI, rated_bot: RunningBot) -> None:
    hoa = ChatUser(api, 2004, "Trần Thị Hoa")
    await register(api, hoa)
    await make_officer(rated_bot, hoa.id)
    ask = await hoa.send("/binhxet")
    await hoa.press("Năm nay", in_call=ask)
    again = await hoa.press("Năm trước", in_call=ask)
    assert again.method == "answerCallbackQuery"
    assert "không còn hiệu lực" in again.params["text"]
