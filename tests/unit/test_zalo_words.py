"""What people type on Zalo: commands as Vietnamese words, long answers in parts, updates."""

from __future__ import annotations

import pytest

from bot.features import build_registry
from bot.transports.zalo.render import parts as zalo_parts
from bot.transports.zalo.updates import UnreadableUpdate, parse_update
from bot.transports.zalo.words import typed_command
from tests.fakezaloapi import FakeZaloAPI, ZaloUser

REGISTRY = build_registry()


def known(name: str) -> bool:
    return REGISTRY.find(name) is not None


@pytest.mark.parametrize(
    ("typed", "command"),
    [
        ("cam kết", "camket"),
        ("Cam Kết", "camket"),
        ("camket", "camket"),
        ("/camket", "camket"),
        ("  báo cáo ", "baocao"),
        ("bao cao", "baocao"),
        ("trợ giúp", "trogiup"),
        ("menu", "help"),
        ("Menu", "help"),
        ("hủy", "huy"),
        ("/pledge", "pledge"),
        ("/Cam_Ket", "camket"),
        ("/xyz", "xyz"),  # unknown with a slash: the core answers that it is unknown
    ],
)
def test_commands_typed_as_words(typed: str, command: str) -> None:
    assert typed_command(typed, known) == (command, "")


def test_words_after_a_slash_command_are_its_arguments() -> None:
    assert typed_command("/theodoi AB12CD", known) == ("theodoi", "AB12CD")
    assert typed_command("/theo_doi AB12CD", known) == ("theodoi", "AB12CD")


@pytest.mark.parametrize(
    "typed",
    [
        "báo cáo có người lạ đứng trước nhà số 12 từ chiều",  # a report's description
        "Nguyễn Văn An",
        "12",
        "THON1",
        "",
    ],
)
def test_ordinary_text_stays_text(typed: str) -> None:
    assert typed_command(typed, known) is None


def test_long_text_is_split_at_line_breaks_within_the_limit() -> None:
    lines = [f"Dòng {i}: " + " ".join(["chữ"] * 20) for i in range(40)]
    text = "\n".join(lines)
    parts = zalo_parts(text, 2000)
    assert len(parts) == 2
    assert all(len(p) <= 2000 for p in parts)
    assert "\n".join(parts) == text  # nothing lost, cut between lines
    one_line = "a " * 1500
    assert all(len(p) <= 2000 for p in zalo_parts(one_line, 2000))
    assert zalo_parts("ngắn", 2000) == ["ngắn"]


def test_updates_read_as_documented() -> None:
    zalo = FakeZaloAPI("unused")
    person = ZaloUser(zalo, "e4ea2cd5189df1c3a88c", "Trần Thị Bình")
    update = parse_update(person.update("xin chào"))
    assert (update.kind, update.chat_id, update.user_id) == ("text", person.id, person.id)
    assert update.user_name == "Trần Thị Bình" and not update.is_group
    assert update.date is not None and update.date.year >= 2025  # milliseconds, not seconds
    wrapped = parse_update({"ok": True, "result": person.update("gói trong result")})
    assert wrapped.text == "gói trong result"
    group = parse_update(person.update("@bot camket", {"id": "g1", "chat_type": "GROUP"}))
    assert group.is_group and group.chat_id == "g1"
    # Without a chat type (copies of the documentation disagree), a chat that is not the
    # sender's own is a group: a private screen never answers into a group by mistake.
    untyped = parse_update(person.update("@bot camket", {"id": "g1"}))
    assert untyped.is_group
    assert not parse_update(person.update("xin chào", {"id": person.id})).is_group
    assert not parse_update(
        person.update("xin chào", {"id": "p1", "chat_type": "PRIVATE"})
    ).is_group
    image = parse_update(
        {
            "event_name": "message.image.received",
            "message": person.message(photo_url="https://photo.example/1.jpg", caption="đây"),
        }
    )
    assert (image.kind, image.photo_url, image.text) == (
        "image",
        "https://photo.example/1.jpg",
        "đây",
    )
    withheld = parse_update(
        {"event_name": "message.unsupported.received", "message": person.message()}
    )
    assert withheld.kind == "unsupported" and withheld.text == ""
    with pytest.raises(UnreadableUpdate):
        parse_update({"event_name": "message.unsupported.received"})


def test_an_option_is_chosen_by_its_number_or_its_words() -> None:
    from bot.core.events import Button
    from bot.transports.numbered import choice, numbered_text

    buttons = [
        Button("✅ Đồng ý", "m1:0"),
        Button("✖️ Không", "m1:1"),
        Button("Bản đồ", url="https://maps.example/1"),
    ]
    shown = numbered_text("Anh/chị đồng ý không ạ?", buttons)
    assert shown.endswith("  [1] ✅ Đồng ý\n  [2] ✖️ Không\n  [3] Bản đồ: https://maps.example/1")
    assert choice("2", buttons) == buttons[1]
    assert choice("dong y", buttons) == buttons[0]
    assert choice("Không", buttons) == buttons[1]
    assert choice("4", buttons) is None and choice("có lẽ", buttons) is None
