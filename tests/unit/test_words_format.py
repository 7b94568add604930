"""Durations and schedules the code writes out read as words in the reader's language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.features.broadcasts.screens_when import describe_cron
from bot.features.patrols.screens_common import span_text
from bot.i18n import Translator
from bot.storage.patrols import Patrol


def _patrol(minutes: int) -> Patrol:
    start = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
    return Patrol(1, 1, 1, "ended", "live", start, start + timedelta(minutes=minutes), 0, start)


def test_a_patrol_span_leaves_out_zero_hours() -> None:
    vi, en = Translator("vi"), Translator("en")
    assert span_text(vi, _patrol(1)).endswith("(1 phút)")
    assert "0 giờ" not in span_text(vi, _patrol(1))
    assert span_text(vi, _patrol(150)).endswith("(2 giờ 30 phút)")
    assert span_text(vi, _patrol(60)).endswith("(1 giờ)")
    assert span_text(en, _patrol(150)).endswith("(2 hr 30 min)")


def test_cron_schedules_in_words() -> None:
    vi, en = Translator("vi"), Translator("en")
    assert describe_cron(vi, "0 8 * * 1") == "Thứ Hai hằng tuần lúc 08:00"
    assert describe_cron(en, "0 8 * * mon,wed") == "every Monday and Wednesday at 08:00"
    assert describe_cron(vi, "30 7 * * *") == "hằng ngày lúc 07:30"
    assert describe_cron(vi, "0 7 1,15 * *") == "ngày 1 và 15 hằng tháng lúc 07:00"
    assert describe_cron(vi, "0 7 19 8 *") == "hằng năm vào ngày 19 tháng 8 (dương lịch) lúc 07:00"
    assert describe_cron(en, "0 7 19 8 *") == "every year on August 19 at 07:00"
    assert describe_cron(vi, "0 7 * * 0") == "Chủ Nhật hằng tuần lúc 07:00"
    assert describe_cron(vi, "0 7 31 4 *") == "theo lịch riêng (xem các lần gửi sắp tới)"
    odd = describe_cron(vi, "*/15 8-17 * * 1-5")
    assert "*" not in odd and "cron" not in odd
