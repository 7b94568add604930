"""Two reports of the same matter: the officer sees the earlier one on the new report's card,
merges it with one tap and a confirmation, and the merged report's (anonymous) reporter then
follows the original: /track shows its progress and its outcome reaches them to rate."""

from __future__ import annotations

from tests.e2e.harness import ChatUser, RunningBot
from tests.e2e.test_onboarding import register
from tests.e2e.test_reports import file_report, grant, rows, settle
from tests.e2e.test_reports_outcome import resolve, told
from tests.fakebotapi import FakeBotAPI


async def test_two_alike_reports_merged_and_the_follower_gets_the_outcome(
    api: FakeBotAPI, bot: RunningBot
) -> None:
    an = ChatUser(api, 2201, "Nguyễn Văn An")
    binh = ChatUser(api, 2202, "Phạm Thị Bình")
    hung = ChatUser(api, 2203, "Lê Văn Hùng")
    for person in (an, binh, hung):
        await register(api, person)
    await grant(bot, hung, "officer")
    await file_report(api, an, "Trộm cắp", "Mất xe máy ở cổng chợ", anonymous=True)
    before = len(api.calls)
    await file_report(api, binh, "Trộm cắp", "Thấy người dắt trộm xe máy ở chợ", anonymous=True)
    first, second = [
        str(r["code"]) for r in await rows(bot, "SELECT code FROM reports ORDER BY id")
    ]

    # The new report's card names the earlier one and offers to merge.
    notice = await told(api, hung, "Thấy người dắt trộm xe máy", before)
    assert f"Có thể trùng tin báo #1 ({first})" in notice.text
    ask = await settle(api, hung.press("Gộp vào #1", in_call=notice))
    assert "Gộp tin báo #2" in ask.text
    assert (await rows(bot, "SELECT status FROM reports WHERE id = 2"))[0]["status"] == "new"
    before = len(api.calls)
    merged = await settle(api, hung.press("✅ Gộp", in_call=ask))
    assert "Đã gộp vào tin báo #1" in merged.text
    report = (await rows(bot, "SELECT status, duplicate_of FROM reports WHERE id = 2"))[0]
    assert (report["status"], report["duplicate_of"]) == ("duplicate", 1)
    await told(api, binh, f"cùng một sự việc với tin báo {first}", before)
    again = await settle(api, hung.press("✅ Gộp", in_call=ask))
    assert "không còn mở" in again.text  # a second tap changes nothing

    # /track of the merged code shows the original's progress.
    tracked = await settle(api, binh.send(f"/theodoi {second}"))
    assert f"đã được gộp vào tin báo {first}" in tracked.text and "Mới" in tracked.text

    # The original's outcome reaches both reporters; the follower rates it.
    before = len(api.calls)
    await resolve(api, hung, first, "Đã bắt được người lấy trộm xe")
    await told(api, an, "Đã bắt được người lấy trộm xe", before)
    followed = await told(api, binh, "Đã bắt được người lấy trộm xe", before)
    assert second in followed.text and "hài lòng" in followed.text
    await settle(api, binh.press("😊 Hài lòng", in_call=followed))
    rated = await rows(bot, "SELECT report_id, satisfied FROM report_ratings")
    assert [(r["report_id"], r["satisfied"]) for r in rated] == [(2, 1)]
    tracked = await settle(api, binh.send(f"/theodoi {second}"))
    assert "Đã giải quyết" in tracked.text and "Đã bắt được người lấy trộm xe" in tracked.text


async def test_a_chain_of_merges_keeps_every_reporter_following_and_one_reopening(
    api: FakeBotAPI, bot: RunningBot
) -> None:
    an = ChatUser(api, 2211, "Nguyễn Văn An")
    binh = ChatUser(api, 2212, "Phạm Thị Bình")
    chi = ChatUser(api, 2213, "Lò Thị Chi")
    hung = ChatUser(api, 2214, "Lê Văn Hùng")
    for person in (an, binh, chi, hung):
        await register(api, person)
    await grant(bot, hung, "officer")
    await file_report(api, an, "Trộm cắp", "Mất xe máy ở cổng chợ", anonymous=True)
    before = len(api.calls)
    await file_report(api, binh, "Trộm cắp", "Thấy người dắt trộm xe máy", anonymous=True)
    second_card = await told(api, hung, "Thấy người dắt trộm xe máy", before)
    before = len(api.calls)
    await file_report(api, chi, "Trộm cắp", "Có kẻ bẻ khóa xe máy ở chợ", anonymous=True)
    third_card = await told(api, hung, "Có kẻ bẻ khóa xe máy", before)
    first, _, third = [
        str(r["code"]) for r in await rows(bot, "SELECT code FROM reports ORDER BY id")
    ]

    # #3 into #2, then #2 into #1: #3's reporter now follows #1.
    ask = await settle(api, hung.press("Gộp vào #2", in_call=third_card))
    await settle(api, hung.press("✅ Gộp", in_call=ask))
    ask = await settle(api, hung.press("Gộp vào #1", in_call=second_card))
    before = len(api.calls)
    await settle(api, hung.press("✅ Gộp", in_call=ask))
    merged = await rows(bot, "SELECT id, status, duplicate_of FROM reports ORDER BY id")
    assert [(r["status"], r["duplicate_of"]) for r in merged] == [
        ("new", None),
        ("duplicate", 1),
        ("duplicate", 1),
    ]
    await told(api, chi, f"cùng một sự việc với tin báo {first}", before)
    tracked = await settle(api, chi.send(f"/theodoi {third}"))
    assert f"đã được gộp vào tin báo {first}" in tracked.text

    # #1's outcome reaches all three; one follower reopens it; after the next outcome, no
    # one may reopen it again: a report is reopened by its reporters once.
    before = len(api.calls)
    await resolve(api, hung, first, "Đã bắt được người lấy trộm xe")
    for person in (an, binh):
        await told(api, person, "Đã bắt được người lấy trộm xe", before)
    outcome = await told(api, chi, "Đã bắt được người lấy trộm xe", before)
    reopened = await settle(api, chi.press("Chưa xong", in_call=outcome))
    assert "mở lại" in reopened.text
    assert (await rows(bot, "SELECT status FROM reports WHERE id = 1"))[0]["status"] == "reopened"
    before = len(api.calls)
    await resolve(api, hung, first, "Đã trả lại xe cho chủ")
    outcome = await told(api, an, "Đã trả lại xe cho chủ", before)
    refused = await settle(api, an.press("Chưa xong", in_call=outcome))
    assert "đã được mở lại một lần" in refused.text, refused.text
    assert (await rows(bot, "SELECT status FROM reports WHERE id = 1"))[0]["status"] == "resolved"
