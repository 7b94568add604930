"""Deadlines by category over HTTP (issue 16, point 5): an officer gives thefts in Xã Nga Sơn
their own deadlines; a theft reported then gets them and its missed acknowledgement goes up at
the category's time, not the commune's general one; reset to the general deadlines, the next
theft gets those again. Who may: as the commune's deadlines (tests.e2e.test_province)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.core.context import CoreConfig
from bot.features.reports import screens as reports
from bot.storage.db import Database
from bot.storage.timefmt import from_db
from tests.e2e.harness import ChatUser, RunningBot
from tests.e2e.test_console_typing import Console, _demo
from tests.e2e.test_console_walk import number_of
from tests.e2e.test_figures import craft_button
from tests.e2e.test_onboarding import register
from tests.e2e.test_province import (  # noqa: F401 (the fixture)
    file_theft,
    make_officer,
    province,
    residents,
)
from tests.e2e.test_province_scope import craft_in_group
from tests.e2e.test_reports import rows, settle
from tests.e2e.test_reports_handling import staff
from tests.fakebotapi import FakeBotAPI


async def test_a_categorys_own_deadlines_reach_its_reports_and_their_escalation(
    api: FakeBotAPI,
    province: RunningBot,  # noqa: F811
) -> None:
    son, _ = await residents(api)
    luong, _, _ = await staff(api, province)
    tinh = ChatUser(api, 3020, "Cán bộ Tỉnh")
    await register(api, tinh, "Thôn Sơn Một")
    await make_officer(api, tinh, "Toàn tỉnh")
    await settle(api, luong.send("/caidatbaocao"))
    general = await settle(api, luong.press("Hạn xử lý của xã"))
    listed = await settle(api, luong.press("Hạn xử lý theo loại tin", in_call=general))
    # Every category with its deadlines; the built-in ones marked (a fire within 30 minutes).
    assert "Trộm cắp: tiếp nhận trong 8 giờ" in listed.text
    assert "🔥 Nguy cơ cháy nổ ✱: tiếp nhận trong 30 phút" in listed.text
    theft = await settle(api, luong.press("Trộm cắp", in_call=listed))
    assert "Tiếp nhận trong 8 giờ (hạn chung của xã)" in theft.text
    for _ in range(5):  # 8 h → 12 h → 24 h → 48 h → 30 min → 1 h
        theft = await settle(api, luong.press("Hạn tiếp nhận", in_call=theft))
    theft = await settle(api, luong.press("Hạn giải quyết", in_call=theft))  # 7 → 10 days
    assert "Đã lưu" in theft.text
    assert "Tiếp nhận trong 1 giờ (hạn riêng của loại tin này)" in theft.text
    assert "Giải quyết trong 10 ngày (hạn riêng của loại tin này)" in theft.text
    saved = await rows(province, "SELECT * FROM report_category_deadlines")
    assert [(r["category"], r["ack_minutes"], r["resolve_days"]) for r in saved] == [
        ("theft", 60, 10)
    ]
    await file_theft(api, son, "Thôn Sơn Một", "Mất trộm máy bơm nước")
    report = (await rows(province, "SELECT * FROM reports"))[0]
    made = from_db(report["created_at"])
    assert from_db(report["ack_due_at"]) == made + timedelta(hours=1)
    assert from_db(report["resolve_due_at"]) == made + timedelta(days=10)
    # Not acknowledged within the hour: the commune's officers; one hour more: the province
    # (with the general 8 hours it would be 16).
    clock = province.clock
    job = next(j for j in reports.feature.jobs if j.name == "reports-deadlines")
    acknowledged = next(j for j in reports.feature.jobs if j.name == "reports-escalation")
    before = len(api.calls)
    db = await Database.open(province.database)
    try:
        clock.advance(minutes=59)
        assert await acknowledged.run(db, CoreConfig(), clock.now) == 0
        clock.advance(minutes=2)
        assert await acknowledged.run(db, CoreConfig(), clock.now) >= 1
        assert await job.run(db, CoreConfig(), clock.now) == 0
        clock.advance(hours=1)
        assert await job.run(db, CoreConfig(), clock.now) == 1
    finally:
        await db.close()
    up = await api.wait_for(
        lambda c: c.chat_id == tinh.id and "Báo lên tỉnh" in c.text, after=before
    )
    assert "máy bơm nước" in up.text and "Mai Văn Sơn" not in up.text
    # The province officer resets thefts in Nga Sơn to the commune's general deadlines.
    await settle(api, tinh.send("/caidatbaocao"))
    which = await settle(api, tinh.press("Hạn xử lý của xã"))
    general = await settle(api, tinh.press("Xã Nga Sơn", in_call=which))
    listed = await settle(api, tinh.press("Hạn xử lý theo loại tin", in_call=general))
    assert "Trộm cắp ✱: tiếp nhận trong 1 giờ" in listed.text
    theft = await settle(api, tinh.press("Trộm cắp", in_call=listed))
    reset = await settle(api, tinh.press("Trả về hạn chung của xã", in_call=theft))
    assert "Tiếp nhận trong 8 giờ (hạn chung của xã)" in reset.text
    assert "Giải quyết trong 7 ngày (hạn chung của xã)" in reset.text
    await file_theft(api, son, "Thôn Sơn Một", "Mất trộm xe đạp")
    second = (await rows(province, "SELECT * FROM reports ORDER BY id"))[1]
    made = from_db(second["created_at"])
    assert from_db(second["ack_due_at"]) == made + timedelta(hours=8)
    assert from_db(second["resolve_due_at"]) == made + timedelta(days=7)


async def test_category_deadlines_are_refused_to_every_other_role(
    api: FakeBotAPI,
    province: RunningBot,  # noqa: F811
) -> None:
    son, _ = await residents(api)
    luong, hanh, kien = await staff(api, province)
    commune = (await rows(province, "SELECT id FROM communes WHERE code = 'NGASON'"))[0]["id"]
    actions = [
        f"rdl:cats:{commune}",
        f"rdl:cat:{commune}:theft",
        f"rdl:cack:{commune}:theft",
        f"rdl:cres:{commune}:theft",
        f"rdl:crst:{commune}:fire",
    ]
    # A resident or the area's leader: only officers; an officer of Nga Hòa: not theirs.
    for action in actions:
        for person in (son, kien):
            refused = await craft_button(province, api, person, action)
            assert "Chỉ cán bộ Công an xã, phường mới đổi được hạn" in refused.params["text"]
        other = await craft_button(province, api, hanh, action)
        assert "Chỉ cán bộ Công an của xã đó" in other.params["text"]
        # In a group, even the commune's own officer: nothing is shown there.
        in_group = await craft_in_group(province, api, luong, action)
        assert "chat riêng" in in_group.params["text"]
    # Old or forged buttons: a commune or a category that does not exist.
    for action in ("rdl:cack:99999:theft", f"rdl:cack:{commune}:nosuch"):
        stale = await craft_button(province, api, luong, action)
        assert "không còn hiệu lực" in stale.params["text"]
    assert await rows(province, "SELECT * FROM report_category_deadlines") == []
    # The commune's own officer may, in the private chat.
    await settle(api, luong.send("/caidatbaocao"))
    general = await settle(api, luong.press("Hạn xử lý của xã"))
    listed = await settle(api, luong.press("Hạn xử lý theo loại tin", in_call=general))
    theft = await settle(api, luong.press("Trộm cắp", in_call=listed))
    changed = await settle(api, luong.press("Hạn giải quyết", in_call=theft))
    assert "Giải quyết trong 10 ngày" in changed.text
    saved = await rows(province, "SELECT category, resolve_days FROM report_category_deadlines")
    assert saved == [{"category": "theft", "resolve_days": 10}]


async def test_on_the_console_the_categories_are_numbered_options(tmp_path: Path) -> None:
    """The same screens on the console demo: each step taken by typing an option's number."""
    db, settings = await _demo(tmp_path)
    try:
        console = Console(db, settings)
        await console.type("/as officer")
        screen = await console.type("/caidatbaocao")
        screen = await console.type(number_of("⏱ Hạn xử lý của xã", screen))
        screen = await console.type(number_of("Hạn xử lý theo loại tin", screen))
        assert "Trộm cắp: tiếp nhận trong 8 giờ" in screen
        screen = await console.type(number_of("🔥 Nguy cơ cháy nổ", screen))
        assert "Tiếp nhận trong 30 phút (hạn riêng của loại tin này)" in screen
        screen = await console.type(number_of("Trả về hạn chung của xã", screen))
        assert "Tiếp nhận trong 8 giờ (hạn chung của xã)" in screen
        assert "Giải quyết trong 7 ngày (hạn chung của xã)" in screen
    finally:
        await db.close()
