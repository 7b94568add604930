"""A newcomer's walk through the console demo: what a flow needs is in the demo's data, and the
steps can be finished by typing numbers."""

from __future__ import annotations

from pathlib import Path

from bot.features.pledges.households import masked_name
from bot.storage import households
from tests.e2e.test_console_typing import Console, _demo


def number_of(label: str, screen: str) -> str:
    """The number to type to press the option whose label starts with ``label``."""
    for line in screen.splitlines():
        number, _, rest = line.strip().partition("] ")
        if rest.startswith(label):
            return number.lstrip("[")
    raise AssertionError(f"no option {label!r} in {screen!r}")


async def test_the_demo_register_proposes_the_residents_household(tmp_path: Path) -> None:
    db, settings = await _demo(tmp_path)
    try:
        console = Console(db, settings)
        for line in ("/start", "1", "1", "1"):  # agree, the proposed name, Thôn Đông
            await console.type(line)
        await console.type("/camket")
        items = await console.type("1")  # a household
        assert "Tiếp tục" in items
        head = await console.type("10")  # the items are all ticked: continue
        assert "chủ hộ" in head
        await console.type("1")  # the proposed name, Nguyễn Văn An
        proposed = await console.type("Số 12, xóm 3")  # the example the bot gives
        assert "🏠 Nguyễn T. B. · 12, Xóm 3" in proposed
        await console.type(number_of("🏠 Nguyễn T. B.", proposed))
        confirm = await console.type("2")  # keep the name off the public list
        assert "Chủ hộ: Nguyễn Thị Bình" in confirm
        signed = await console.type("1")
        assert "DONG-2026-097" in signed
        async with db.unit() as conn:
            async with conn.execute(
                "SELECT h.number, h.head_name FROM pledges p JOIN households h"
                " ON h.id = p.household_id WHERE p.reference = 'DONG-2026-097'"
            ) as cur:
                row = await cur.fetchone()
            assert row is not None and tuple(row) == ("12", "Nguyễn Thị Bình")
            area_id = (await households.in_area(conn, 1))[0].area_id
            assert await households.count(conn, area_id) == 120  # counted once, not added
    finally:
        await db.close()


async def test_a_picked_household_that_signed_stays_masked(tmp_path: Path) -> None:
    """The register's list shows other households' heads masked; pressing one that has signed
    does not reveal its head's or signer's full name."""
    db, settings = await _demo(tmp_path)
    try:
        async with (
            db.unit() as conn,
            conn.execute(
                "SELECT h.number, h.head_name FROM households h JOIN pledges p"
                " ON p.household_id = h.id JOIN areas a ON a.id = h.area_id"
                " WHERE a.code = 'DONG' AND h.address = 'Xóm 3'"
                " AND h.head_name NOT LIKE 'Nguyễn%' ORDER BY h.id LIMIT 1"
            ) as cur,
        ):
            row = await cur.fetchone()
        assert row is not None
        number, head = str(row[0]), str(row[1])
        console = Console(db, settings)
        for line in ("/start", "1", "1", "1", "/camket", "1", "10", "1"):
            await console.type(line)
        proposed = await console.type(f"Số {number}, xóm 3")
        shown = masked_name(head)
        assert f"🏠 {shown} · {number}, Xóm 3" in proposed and head not in proposed
        answer = await console.type(number_of(f"🏠 {shown}", proposed))
        assert "đã ký" in answer
        assert head not in answer and shown in answer
    finally:
        await db.close()


async def test_the_demo_reports_say_what_happened(tmp_path: Path) -> None:
    db, settings = await _demo(tmp_path)
    try:
        console = Console(db, settings)
        await console.type("/as officer")
        listed = await console.type("/dsbaocao")
        card = await console.type(number_of("DEMO-0006", listed))
        assert "Tin báo #6 · DEMO-0006" in card
        assert "Nội dung:\n-\n" not in card and "xe không biển số" in card
    finally:
        await db.close()


async def test_a_leader_hears_of_the_report_from_a_patrol_as_staff(tmp_path: Path) -> None:
    """A leader files a report from a patrol observation; the officer resolves it. The leader's
    update is a staff message ("đồng chí" screens), not a resident's "Dạ ... anh/chị"."""
    db, settings = await _demo(tmp_path)
    try:
        console = Console(db, settings)
        await console.type("/as leader")
        menu = await console.type("/tuantra")
        roster = await console.type(number_of("▶️ Bắt đầu tuần tra ngay", menu))
        panel = await console.type(number_of("▶️ Bắt đầu tuần tra", roster))
        card = await console.type(number_of("👀 Người, xe khả nghi", panel))
        draft = await console.type(number_of("📝 Chuyển thành tin báo", card))
        sent = await console.type(number_of("📤 Gửi kèm tên", draft))
        code = sent.split("Tin báo ", 1)[1].split(" ", 1)[0]
        await console.type("/as officer")
        listed = await console.type("/dsbaocao")
        report = await console.type(number_of(code, listed))
        await console.type(number_of("✔️ Đã giải quyết", report))
        confirm = await console.type("Đã kiểm tra, là khách của nhà bên")
        await console.type(number_of("✅ Xác nhận", confirm))
        async with (
            db.unit() as conn,
            conn.execute(
                "SELECT text FROM outbox WHERE chat_id = ? ORDER BY id DESC LIMIT 1", (9002,)
            ) as cur,
        ):
            row = await cur.fetchone()
        assert row is not None
        update = str(row[0])
        assert f"Tin báo {code}" in update and "Đã giải quyết" in update
        assert "anh/chị" not in update and "Dạ," not in update and " ạ?" not in update
    finally:
        await db.close()


async def test_a_group_offers_the_private_chat_and_its_number_opens_it(tmp_path: Path) -> None:
    """The console can open the private chat (its link to it is an option), so a command that
    is done in private answers in the group with that option, and typing its number starts
    the private chat where the command asked."""
    db, settings = await _demo(tmp_path)
    try:
        console = Console(db, settings)
        await console.type("/group")
        answer = await console.type("/dulieucuatoi")
        assert "(opens the private chat)" in answer and "/batdau" not in answer
        opened = await console.type(number_of("Mở chat riêng", answer))
        assert "Chào mừng" in opened  # /start in the private chat: the resident registers first
    finally:
        await db.close()


async def test_the_observation_card_labels_its_counts_in_words(tmp_path: Path) -> None:
    """On the console the quick counts of a patrol observation say what they do ("[1] ×2" read
    as a bare number to type); "x3" typed sets the count, a bare number presses the option."""
    db, settings = await _demo(tmp_path)
    try:
        console = Console(db, settings)
        await console.type("/as leader")
        menu = await console.type("/tuantra")
        roster = await console.type(number_of("▶️ Bắt đầu tuần tra ngay", menu))
        panel = await console.type(number_of("▶️ Bắt đầu tuần tra", roster))
        card = await console.type(number_of("👀 Người, xe khả nghi", panel))
        options = [line.strip() for line in card.splitlines() if line.strip().startswith("[")]
        assert not any(line.partition("] ")[2].startswith("×") for line in options)
        assert "x3" in card and "gõ số của một lựa chọn" in card
        five = await console.type(number_of("Đặt thành 5 trường hợp", card))
        assert "× 5." in five
        three = await console.type("x3")
        assert "× 3." in three
    finally:
        await db.close()


async def test_the_console_asks_for_text_alone_where_a_phone_could_send_photos(
    tmp_path: Path,
) -> None:
    """The console takes typed lines only: its prompts offer no photo, voice message or
    location (Telegram's and Zalo's do)."""
    db, settings = await _demo(tmp_path)
    try:
        console = Console(db, settings)
        for line in ("/start", "1", "1", "1"):
            await console.type(line)
        await console.type("/baocao")
        describe = await console.type("1")  # the first kind of problem
        assert "mô tả sự việc" in describe
        assert "ảnh" not in describe and "thoại" not in describe
    finally:
        await db.close()
