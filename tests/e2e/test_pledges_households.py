"""The household register over the fake Bot API: one household is counted once however it is
typed; a resident is offered the register's close household and picks it; "Not signed yet" lists
households of the register, not people; leaders keep the register (add, search without
diacritics, edit, remove with pledges kept) and import it from a file sent in the chat (bad
lines listed, nothing half-imported, a second import adds nothing); the CLI imports the same."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.cli import main
from bot.storage import households as households_repo
from bot.storage import pledges as pledges_repo
from bot.storage.db import Database
from tests.e2e.harness import ChatUser, RunningBot
from tests.e2e.test_onboarding import register
from tests.e2e.test_pledges import grant, open_campaign, sign
from tests.fakebotapi import Call, FakeBotAPI

DONG = 1  # the first area of the seeded database (Thôn Đông, 120 households)


async def register_of(bot: RunningBot) -> list[households_repo.Household]:
    db = await Database.open(bot.database)
    async with db.read() as conn:
        found = await households_repo.in_area(conn, DONG)
    await db.close()
    return found


async def leader_of_dong(api: FakeBotAPI, bot: RunningBot, user_id: int = 3010) -> ChatUser:
    leader = ChatUser(api, user_id, "Trưởng Thôn Đông")
    await register(api, leader)
    await grant(bot, user_id, "leader", "DONG")
    return leader


async def send_file(
    user: ChatUser, api: FakeBotAPI, file_id: str, name: str, data: bytes, size: int | None = None
) -> Call:
    api.files[file_id] = data
    before = len(api.calls)
    document = {
        "file_id": file_id,
        "file_unique_id": f"u-{file_id}",
        "file_name": name,
        "file_size": len(data) if size is None else size,
    }
    await user.send_only("", document=document)
    return await api.wait_for(
        lambda c: c.chat_id == user.id and c.method == "sendMessage", after=before
    )


async def test_one_household_typed_two_ways_is_counted_once(
    api: FakeBotAPI, bot: RunningBot
) -> None:
    await open_campaign(bot)
    leader = await leader_of_dong(api, bot)
    an = ChatUser(api, 3001, "Nguyễn Văn An")
    await register(api, an)
    assert "Mã số" in await sign(an, "Nguyễn Văn An", "Số 12, xóm 3")
    status = await leader.send("/pledgestatus")
    assert "1/120" in status.text

    # Another member of the household, without diacritics and without the comma.
    binh = ChatUser(api, 3002, "Nguyễn Thị Bình")
    await register(api, binh)
    told = await sign(binh, "Nguyen Van An", "So 12 xom 3")
    assert "đã ký cam kết này" in told
    status = await leader.send("/pledgestatus")
    assert "1/120" in status.text and "2/120" not in status.text
    assert [h.head_name for h in await register_of(bot)] == ["Nguyễn Văn An"]


async def test_resident_picks_the_registers_household_and_unsigned_lists_households(
    api: FakeBotAPI, bot: RunningBot
) -> None:
    await open_campaign(bot)
    leader = await leader_of_dong(api, bot)

    # Before the register is filled, "Not signed yet" says so and points to /danhsachho.
    status = await leader.send("/pledgestatus")
    assert "chưa có hộ nào" in status.text and "/danhsachho" in status.text
    empty = await leader.press("Chưa ký", in_call=status)
    assert "/danhsachho" in empty.text

    # The leader adds two households by hand.
    listing = await leader.send("/danhsachho")
    assert "Sổ chưa có hộ nào" in listing.text
    for number, head in (("12", "Nguyễn Văn An"), ("14", "Trần Văn Bình")):
        await leader.press("Thêm hộ")
        await leader.send(number)
        await leader.send(head)
        await leader.send("Xóm 3")
        saved = await leader.press("Không ghi chú")
        assert "Đã lưu" in saved.text
        await api.wait_idle()  # then the register's page
    duplicate = await leader.press("Thêm hộ")
    assert "số hộ" in duplicate.text
    assert "đã có trong sổ" in (await leader.send("14")).text
    await leader.send("/huy")

    # A resident types the household differently: the register's household is proposed,
    # its head's name masked, and picking it signs for that household.
    an = ChatUser(api, 3003, "Nguyễn An")
    await register(api, an)
    await an.send("/camket")
    await an.press("Hộ gia đình")
    await an.press("Tiếp tục")
    await an.send("Nguyễn An")
    proposed = await an.send("12 xóm 3")
    assert "gần giống" in proposed.text
    assert any("Nguyễn V. A." in label for label in proposed.labels)
    assert not any("Trần" in label for label in proposed.labels)
    await an.press("Nguyễn V. A.")
    await an.press("Đồng ý")
    confirm = api.sent(3003)[-1]
    assert "Chủ hộ: Nguyễn Văn An" in confirm.text
    done = await an.press("Ký cam kết")
    assert "Mã số" in done.text

    db = await Database.open(bot.database)
    async with db.read() as conn:
        signed = await pledges_repo.in_campaign(conn, 1)
    await db.close()
    assert len(signed) == 1 and signed[0].head_name == "Nguyễn Văn An"
    assert len(await register_of(bot)) == 2  # no third household was made

    # "Not signed yet" lists the households of the register that have not signed.
    status = await leader.send("/pledgestatus")
    assert "1/120" in status.text and "Hộ trong sổ chưa ký: 1/2" in status.text
    todo = await leader.press("Chưa ký", in_call=status)
    assert "Trần Văn Bình" in todo.text and "Nguyễn Văn An" not in todo.text
    assert "Trưởng Thôn Đông" not in todo.text  # people are not households

    # Search without diacritics, edit, and remove: a household with a pledge is kept on record.
    await leader.send("/danhsachho")
    await leader.press("Tìm hộ")
    found = await leader.send("tran van")
    assert "Trần Văn Bình" in found.text and "Nguyễn Văn An" not in found.text
    await leader.press("1", in_call=found)
    await leader.press("Ghi chú")
    assert "Đã lưu" in (await leader.send("Ở thuê")).text
    await api.wait_idle()
    assert "Ghi chú: Ở thuê" in api.sent(leader.id)[-1].text
    await leader.send("/danhsachho")
    await leader.press("Tìm hộ")
    found = await leader.send("NGUYEN VAN AN")
    await leader.press("1", in_call=found)
    asked = await leader.press("Xóa khỏi sổ")
    assert "vẫn được lưu" in asked.text
    await leader.press("Đồng ý xóa")
    await api.wait_idle()
    assert [h.head_name for h in await register_of(bot)] == ["Trần Văn Bình"]
    status = await leader.send("/pledgestatus")
    assert "1/120" in status.text  # the signed pledge still counts


async def test_import_from_a_file_sent_in_the_chat(api: FakeBotAPI, bot: RunningBot) -> None:
    leader = await leader_of_dong(api, bot)
    await leader.send("/danhsachho")
    template = await leader.press("Tệp mẫu (XLSX)")
    assert template.method == "sendDocument"
    sheet = load_workbook(io.BytesIO(template.params["document"]["data"])).worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header == ["Số hộ / số nhà", "Chủ hộ", "Địa chỉ", "Ghi chú"]

    asked = await leader.press("Nhập từ tệp")
    assert "CSV" in asked.text
    # Text instead of a file, or a file too large to fetch: said so, the flow waits.
    assert "gửi tệp" in (await leader.send("đây")).text
    too_large = await send_file(leader, api, "big", "so-ho.xlsx", b"x", size=3 * 1024 * 1024)
    assert "2 MB" in too_large.text
    assert not [c for c in api.calls if c.method == "getFile" and c.params["file_id"] == "big"]
    bad = (
        "Số hộ / số nhà,Chủ hộ,Địa chỉ,Ghi chú\n"
        "1,Lê Văn Cường,Xóm 1,\n"
        "2,,Xóm 1,\n"
        "1,Lê Thị Dung,Xóm 2,\n"
    ).encode("utf-8-sig")
    refused = await send_file(leader, api, "f1", "so-ho.csv", bad)
    assert "Chưa nhập hộ nào" in refused.text
    assert (
        "Dòng 3: thiếu tên chủ hộ" in refused.text and "Dòng 4: trùng hộ với dòng 2" in refused.text
    )
    assert await register_of(bot) == []  # nothing half-imported

    good = (
        "Số hộ / số nhà,Chủ hộ,Địa chỉ,Ghi chú\n1,Lê Văn Cường,Xóm 1,\n2,Lê Thị Dung,Xóm 1,ở thuê\n"
    ).encode("utf-8-sig")
    imported = await send_file(leader, api, "f2", "so-ho.csv", good)
    assert "thêm 2 hộ" in imported.text and "Sổ hiện có 2 hộ" in imported.text

    await leader.send("/danhsachho")
    await leader.press("Nhập từ tệp")
    again = await send_file(leader, api, "f3", "so-ho.csv", good)
    assert "thêm 0 hộ" in again.text and "2 hộ giữ nguyên" in again.text
    assert len(await register_of(bot)) == 2

    # A longer register is shown in pages.
    await leader.send("/danhsachho")
    await leader.press("Nhập từ tệp")
    more = "Số hộ / số nhà,Chủ hộ,Địa chỉ\n" + "".join(
        f"{n},Hộ ông Số {n},Xóm 4\n" for n in range(3, 13)
    )
    await send_file(leader, api, "f4", "them.csv", more.encode())
    first = await leader.send("/danhsachho")
    assert "12 hộ" in first.text and "Trang 1/2" in first.text and "Hộ ông Số 10" in first.text
    second = await leader.press("▶️", in_call=first)
    assert "11. Hộ ông Số 11" in second.text and "Hộ ông Số 3" not in second.text

    # A resident cannot open the register.
    resident = ChatUser(api, 3020, "Phạm Dũng")
    await register(api, resident)
    assert "tổ trưởng" in (await resident.send("/danhsachho")).text


def test_cli_template_and_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    from tests.conftest import seed_areas

    database = tmp_path / "cli.sqlite3"
    asyncio.run(seed_areas(database))
    monkeypatch.setenv("XOMANTOAN_DATABASE", str(database))
    template = tmp_path / "mau.xlsx"
    assert main(["households", "template", str(template)]) == 0
    book = load_workbook(template)
    sheet = book.worksheets[0]
    sheet.append(["7", "Đặng Văn Em", "Xóm 5", None])
    sheet.append([None, "Hoàng Thị Gấm", "Số 9, xóm 5", None])
    book.save(template)
    assert main(["households", "import", str(template), "--area", "DONG"]) == 0
    assert main(["households", "import", str(template), "--area", "DONG"]) == 0

    async def count() -> int:
        db = await Database.open(database)
        async with db.read() as conn:
            found = await households_repo.count(conn, DONG)
        await db.close()
        return found

    assert asyncio.run(count()) == 2
    bad = tmp_path / "bad.csv"
    bad.write_text("number,head,address\n8,,Xóm 5\n", encoding="utf-8")
    assert main(["households", "import", str(bad), "--area", "DONG"]) == 2
    assert main(["households", "import", str(template), "--area", "NOPE"]) == 2
    assert asyncio.run(count()) == 2


async def test_household_registered_meanwhile_is_offered_before_signing(
    api: FakeBotAPI, bot: RunningBot
) -> None:
    await open_campaign(bot)
    an = ChatUser(api, 3030, "Nguyễn Văn An")
    await register(api, an)
    await an.send("/camket")
    await an.press("Hộ gia đình")
    await an.press("Tiếp tục")
    await an.send("Nguyễn Văn An")
    asked = await an.send("Số 12 xóm 3")  # the register is empty: nothing to propose
    assert any("Đồng ý" in label for label in asked.labels)

    # Meanwhile his wife signs for the household, typing it a little differently.
    hoa = ChatUser(api, 3031, "Lê Thị Hoa")
    await register(api, hoa)
    assert "Mã số" in await sign(hoa, "Nguyễn An", "12, xóm 3")

    await an.press("Đồng ý")
    offered = await an.press("Ký cam kết")
    assert "gần giống" in offered.text
    told = await an.press("Nguyễn A.")
    assert "đã ký cam kết này" in told.text
    assert len(await register_of(bot)) == 1


def test_cli_speaks_one_language_per_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every line `xomantoan households` prints is in the run's language (--lang, else the
    bot's): the summary and the refusals too, not English around Vietnamese line errors."""
    import asyncio

    from tests.conftest import seed_areas

    database = tmp_path / "cli.sqlite3"
    asyncio.run(seed_areas(database))
    monkeypatch.setenv("XOMANTOAN_DATABASE", str(database))
    good = tmp_path / "good.csv"
    good.write_text("number,head,address\n7,Đặng Văn Em,Xóm 5\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("number,head,address\n8,,Xóm 5\n", encoding="utf-8")
    english = ("added", "updated", "nothing imported", "line(s)", "no area", "template written")

    def run(*args: str) -> str:
        main(["households", *args])
        out = capsys.readouterr()
        return out.out + out.err

    vi = "\n".join(
        [
            run("template", str(tmp_path / "mau.csv")),
            run("import", str(good), "--area", "DONG"),
            run("import", str(bad), "--area", "DONG"),
            run("import", str(good), "--area", "NOPE"),
            run("import", str(tmp_path / "missing.csv"), "--area", "DONG"),
        ]
    )
    assert "thêm 1" in vi and "cần sửa" in vi and "NOPE" in vi
    assert not [word for word in english if word in vi], vi
    en = "\n".join(
        [
            run("import", str(good), "--area", "DONG", "--lang", "en"),
            run("import", str(bad), "--area", "DONG", "--lang", "en"),
        ]
    )
    assert "1 unchanged" in en and "1 household." in en and "needs fixing" in en
    assert "Dòng" not in en and "dòng" not in en and "thêm" not in en, en
