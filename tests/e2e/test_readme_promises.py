"""What the README promises, driven over the fake Bot API as the people it names would."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.storage import members as members_repo
from bot.storage import roles as roles_repo
from bot.storage.db import Database
from tests.e2e.harness import ChatUser, RunningBot
from tests.e2e.test_onboarding import register
from tests.e2e.test_patrols_live import make_leader
from tests.e2e.test_pledges import open_campaign, sign
from tests.fakebotapi import FakeBotAPI

BOM = b"\xef\xbb\xbf"


async def _live_patrol(leader: ChatUser, note: str | None = None) -> None:
    """A patrol with the leader alone, 3 shops reminded of closing time, then ended."""
    await leader.send("/tuantra")
    await leader.press("Bắt đầu tuần tra")
    await leader.press("(1)")
    await leader.press("Quá giờ")
    await leader.send("3")
    if note is not None:
        await leader.send(note)
    await leader.press("Quay lại")
    await leader.press("Kết thúc")


async def test_leader_downloads_csv_of_own_area_patrols(api: FakeBotAPI, bot: RunningBot) -> None:
    """README, /thongketuantra: "leaders, officers: figures in the commune's wording, CSV".
    A team leader gets the CSV of the patrols of the area they lead (and no other), as a file
    Excel opens in Vietnamese, where a typed phone number cannot run as a formula."""
    dong = ChatUser(api, 5101, "Lê Văn Tổ")
    tay = ChatUser(api, 5102, "Phạm Thị Tây")
    await register(api, dong)
    await register(api, tay, area="Thôn Tây")
    await make_leader(bot, dong.id, "DONG")
    await make_leader(bot, tay.id, "TAY")
    await _live_patrol(dong, note="+84 912 345 678 chủ quán")
    await _live_patrol(tay)

    await dong.send("/thongketuantra")
    figures = await dong.press("Tháng này")
    assert "1 lượt tuần tra" in figures.text
    assert any("Xuất tệp CSV" in label for label in figures.labels)

    before = len(api.calls)
    await dong.press("Xuất tệp CSV")
    docs = []
    for _ in range(2):
        docs.append(
            await api.wait_for(
                lambda c: c.method == "sendDocument" and c.chat_id == dong.id and c not in docs,
                after=before,
            )
        )
    files = {d.params["document"]["filename"]: d.params["document"]["data"] for d in docs}
    month = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%Y-%m")
    patrols_name = next(k for k in files if k.startswith(f"xomantoan-patrols-DONG-{month}-01_"))
    obs_name = next(k for k in files if k.startswith(f"xomantoan-observations-DONG-{month}-01_"))
    patrols_file, obs_file = files[patrols_name], files[obs_name]
    assert patrols_file.startswith(BOM) and obs_file.startswith(BOM)
    # In the reader's language, as the officers' workbook: headers, kinds, yes/no.
    patrols = list(csv.DictReader(io.StringIO(patrols_file.decode("utf-8-sig"))))
    assert [(r["Mã thôn, tổ dân phố"], r["Số người tham gia"]) for r in patrols] == [("DONG", "1")]
    observations = list(csv.DictReader(io.StringIO(obs_file.decode("utf-8-sig"))))
    area = "Mã thôn, tổ dân phố"
    seen = [(r[area], r["Số trường hợp"], r["Đã nhắc nhở"]) for r in observations]
    assert seen == [("DONG", "3", "có")]
    assert "quá giờ" in observations[0]["Loại trường hợp"].lower()
    assert observations[0]["Ghi chú tuần tra"] == "'+84 912 345 678 chủ quán"

    # The button is checked again when pressed: moved to lead Thôn Tây, no file of Thôn Đông.
    db = await Database.open(bot.database)
    try:
        async with db.unit() as conn:
            member = await members_repo.find(conn, "telegram", str(dong.id))
            assert member is not None
            for grant in await roles_repo.of_member(conn, member.id):
                await roles_repo.revoke(conn, member.id, grant.role, grant.area_id)
    finally:
        await db.close()
    await make_leader(bot, dong.id, "TAY")
    sent_before = len(api.sent(dong.id))
    refused = await dong.press("Xuất tệp CSV")
    assert refused.method == "answerCallbackQuery"
    assert "Chỉ tổ trưởng của thôn, tổ dân phố này" in refused.params["text"]
    assert len(api.sent(dong.id)) == sent_before


async def test_pledge_export_opens_in_excel_and_names_no_account(
    api: FakeBotAPI, bot: RunningBot
) -> None:
    """README: /xuatcamket is for officers; a file opens in Excel (UTF-8 with BOM), typed text
    never runs as a formula, and no file names a chat account: the row is the household as
    signed, not the Telegram user who typed it."""
    await open_campaign(bot)
    cuc = ChatUser(api, 5201, "Cúc Telegram")
    await register(api, cuc, name="Trần Thị Cúc")
    await sign(cuc, "Lê Văn Ba", "+84 ngõ 5")
    refused = await cuc.send("/xuatcamket")
    assert refused.method == "sendMessage" and "chỉ dành cho cán bộ Công an xã" in refused.text

    officer = ChatUser(api, 42, "Công An Xã")
    await register(api, officer)
    await officer.send("/xuatcamket")
    document = await officer.press("Thôn Đông")
    assert document.method == "sendDocument"
    raw = document.params["document"]["data"]
    assert raw.startswith(BOM)
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == 2
    assert "Lê Văn Ba" in rows[1] and "'+84 ngõ 5" in rows[1]
    text = raw.decode("utf-8-sig")
    for account in ("Trần Thị Cúc", "Cúc Telegram", str(cuc.id)):
        assert account not in text
