"""A resident registers in a private chat, as on a phone: /start, buttons, a typed name."""

from __future__ import annotations

from tests.e2e.harness import ChatUser, RunningBot
from tests.fakebotapi import FakeBotAPI


async def register(
    api: FakeBotAPI, user: ChatUser, area: str = "Thôn Đông", name: str | None = None
) -> None:
    await user.send("/start")
    await user.press("✅")
    if name is None:
        await user.press(user.first_name)
    else:
        await user.send(name)
    await user.press(area)


async def test_private_start_through_onboarding(api: FakeBotAPI, bot: RunningBot) -> None:
    an = ChatUser(api, 1001, "Nguyễn Văn An")
    consent = await an.send("/start")
    assert "Chào mừng" in consent.text
    assert "/xoadulieu" in consent.text
    assert any("Tôi đồng ý" in label for label in consent.labels)

    ask_name = await an.press("Tôi đồng ý")
    assert "tên" in ask_name.text
    ask_area = await an.send("  Nguyễn   Văn An ")
    assert "thôn" in ask_area.text.lower()
    assert {"Thôn Đông", "Thôn Tây"} <= set(ask_area.labels)

    done = await an.press("Thôn Tây")
    assert "Thôn Tây" in done.text
    data = await an.send("/mydata")
    assert "Nguyễn Văn An" in data.text and "Thôn Tây" in data.text


async def test_english_speaker_gets_english(api: FakeBotAPI, bot: RunningBot) -> None:
    john = ChatUser(api, 1002, "John", language_code="en")
    consent = await john.send("/start")
    assert "Welcome to Xóm An Toàn" in consent.text
    assert any("I agree" in label for label in consent.labels)


async def test_deep_link_with_area_code_skips_area_question(
    api: FakeBotAPI, bot: RunningBot
) -> None:
    binh = ChatUser(api, 1003, "Trần Thị Bình")
    await binh.send("/start DONG")
    await binh.press("✅")
    done = await binh.press("Trần Thị Bình")
    assert "Thôn Đông" in done.text


async def test_bad_names_are_refused_and_nothing_lost(api: FakeBotAPI, bot: RunningBot) -> None:
    chi = ChatUser(api, 1004, "😀")
    await chi.send("/start")
    ask = await chi.press("✅")
    assert not any("😀" in label for label in ask.labels)  # no suggestion from an emoji name
    assert "chữ" in (await chi.send("😀😀😀")).text
    refused = await chi.send("<b>Chi</b>")
    assert refused.error is None and "không dùng ký tự < và > trong tên" in refused.rendered
    assert "ngắn" in (await chi.send("C")).text
    # Decomposed Vietnamese (as some keyboards send it) is stored composed.
    await chi.send("Le\u0302 Thi\u0323 Chi")
    done = await chi.press("Thôn Đông")
    assert "Lê Thị Chi" in done.text


async def test_restart_in_the_middle_of_onboarding_resumes(
    api: FakeBotAPI, bot: RunningBot
) -> None:
    dung = ChatUser(api, 1005, "Phạm Dũng")
    await dung.send("/start")
    await dung.press("✅")
    await bot.kill()
    await bot.start()
    ask_area = await dung.send("Phạm Văn Dũng")
    assert "Thôn Đông" in ask_area.labels
    done = await dung.press("Thôn Đông")
    assert "Phạm Văn Dũng" in done.text


async def test_stale_button_gets_a_polite_answer(api: FakeBotAPI, bot: RunningBot) -> None:
    em = ChatUser(api, 1006, "Hoàng Em")
    consent = await em.send("/start")
    await em.press("✅", in_call=consent)
    answer = await em.press("✅", in_call=consent)  # the same old button again
    assert answer.method == "answerCallbackQuery"
    assert "không còn hiệu lực" in answer.params["text"]


async def test_forgetme_deletes_everything(api: FakeBotAPI, bot: RunningBot) -> None:
    gia = ChatUser(api, 1007, "Đỗ Gia")
    await register(api, gia)
    await gia.send("/forgetme")
    done = await gia.press("🗑")
    assert "xóa" in done.text
    assert "không lưu" in (await gia.send("/mydata")).text
