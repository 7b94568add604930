"""What the README promises, driven over the fake Bot API as the people it names would."""

from __future__ import annotations

import csv
import io

from bot.storage import members as members_repo
from bot.storage import roles as roles_repo
from bot.storage.db import Database
from tests.e2e.harness import ChatUser, RunningBot
from tests.e2e.test_onboarding import register
from tests.e2e.test_patrols_live import make_leader
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
    patrols_file = next(v for k, v in files.items() if k.startswith("patrols_"))
    obs_file = next(v for k, v in files.items() if k.startswith("observations_"))
    assert patrols_file.startswith(BOM) and obs_file.startswith(BOM)
    patrols = list(csv.DictReader(io.StringIO(patrols_file.decode("utf-8-sig"))))
    assert [(r["area_code"], r["area"], r["participants"]) for r in patrols] == [
        ("DONG", "Thôn Đông", "1")
    ]
    observations = list(csv.DictReader(io.StringIO(obs_file.decode("utf-8-sig"))))
    assert [(r["area_code"], r["count"]) for r in observations] == [("DONG", "3")]
    assert observations[0]["note"] == "'+84 912 345 678 chủ quán"

    # The button is checked again when pressed: moved to lead Thôn Tây, no file of Thôn Đông.
    db = await Database.open(bot.database)
    try:
        async with db.unit() as conn:
            member = await members_repo.find(conn, "telegram", dong.id)
            assert member is not None
            for grant in await roles_repo.of_member(conn, member.id):
                await roles_repo.revoke(conn, member.id, grant.role, grant.area_id)
    finally:
        await db.close()
    await make_leader(bot, dong.id, "TAY")
    sent_before = len(api.sent(dong.id))
    refused = await dong.press("Xuất tệp CSV")
    assert refused.method == "answerCallbackQuery"
    assert "Chỉ tổ trưởng của thôn, tổ này" in refused.params["text"]
    assert len(api.sent(dong.id)) == sent_before
