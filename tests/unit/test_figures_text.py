"""The commune's sentences over the known year of tests/stats_seed.py, in Vietnamese and English."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.core.richtext import plain
from bot.features.figures.figures import Figures, collect
from bot.features.figures.texts import figures_text, lower_first
from bot.i18n import Translator
from bot.shared.periods import Period
from bot.storage import areas as areas_repo
from bot.storage.db import Database
from bot.transports.telegram_text import split_text, telegram_html
from tests.fakebotapi import parse_html, utf16_length
from tests.stats_seed import TZ, seed_year

YEAR = Period(date(2026, 1, 1), date(2026, 12, 31))
NOW = datetime(2027, 1, 5, tzinfo=UTC)
VI, EN = Translator("vi", TZ), Translator("en", TZ)


async def _figures(db: Database, area_id: int | None, period: Period = YEAR) -> Figures:
    async with db.read() as conn:
        return await collect(conn, area_id, period, TZ, NOW)


async def test_vietnamese_commune_year_in_the_communes_words(db: Database) -> None:
    await seed_year(db)
    text = figures_text(VI, await _figures(db, None), "toàn xã")

    assert "Từ ngày 01/01/2026 đến ngày 31/12/2026" in text
    assert "*1. Ký cam kết an toàn*" in text
    assert "tổ chức cho 200/215 hộ gia đình ký cam kết (đạt 93%)" in text
    assert "2 cơ sở kinh doanh" in text and "1 cơ sở tôn giáo" in text
    assert "• Thôn Đông: 120/120 (100%)" in text
    assert "• Thôn Tây: 80/95 (84,2%)" in text
    assert "Tiếp nhận 11 tin báo, phản ánh: 3 trộm cắp; 2 cờ bạc;" in text
    assert "đã giải quyết 1." in text
    assert "Hòa giải 3 vụ: thành 1, không thành 1, đang hòa giải 1." in text
    assert "Tổ chức 30 lượt tuần tra với 138 lượt thành viên tham gia" in text
    assert "4 trường hợp kinh doanh quá giờ quy định" in text
    assert "1 trường hợp gây ồn ào" in text  # seen, not reminded
    assert "Gửi 2 đợt tuyên truyền" in text and "đến 4 lượt người nhận" in text
    # Only categories and statuses that happened are listed, most first.
    assert "giao thông" not in text.lower()
    assert "ma túy" not in text.lower()
    assert "đang xử lý" not in text
    assert text.index("3 trộm cắp") < text.index("2 cờ bạc") < text.index("1 khác")
    # Not a single English word slipped through.
    for english in ("Received", "patrol", "Safety", "households"):
        assert english not in text


async def test_english_reader_gets_english(db: Database) -> None:
    await seed_year(db)
    text = figures_text(EN, await _figures(db, None), "the whole commune")
    assert "From Jan 1, 2026 to Dec 31, 2026" in text
    assert "200/215 households signed the pledge (93%)" in text
    assert "• Thôn Tây: 80/95 (84.2%)" in text
    assert "Received 11 reports and tips: theft: 3; gambling: 2;" in text
    assert "resolved 1." in text
    assert "Mediated 3 cases: successful 1, unsuccessful 1, still in mediation 1." in text
    assert "Held 30 patrols with 138 member participations" in text
    assert "4 cases of business open past permitted hours" in text
    assert "Sent 2 awareness rounds" in text and "4 deliveries" in text
    assert "traffic" not in text.lower()


async def test_an_area_shows_its_own_figures_only(db: Database) -> None:
    seeded = await seed_year(db)
    text = figures_text(VI, await _figures(db, seeded.dong), "Thôn Đông")
    assert "Thôn Đông" in text
    assert "120/120 hộ gia đình" in text
    assert "đạt tiêu chí 1" in text  # fully signed
    assert "• Thôn Tây" not in text and "• Thôn Đông" not in text  # no per-area list for one area
    assert "Tổ chức 24 lượt tuần tra" in text
    assert "cờ bạc" not in text  # TAY's gambling reports


async def test_an_empty_period_says_so_and_never_fails(db: Database) -> None:
    text = figures_text(VI, await _figures(db, None), "toàn xã")
    assert "chưa có đợt ký cam kết" in text
    assert "không tiếp nhận tin báo" in text
    assert "không có vụ việc hòa giải" in text
    assert "chưa ghi nhận lượt tuần tra" in text
    assert "chưa gửi đợt tuyên truyền" in text
    english = figures_text(EN, await _figures(db, None), "the whole commune")
    assert "No reports or tips were received." in english


async def test_names_are_shown_as_typed_never_as_markup(db: Database) -> None:
    seeded = await seed_year(db)
    async with db.unit() as conn:
        await conn.execute(
            "UPDATE areas SET name = ? WHERE id = ?", ("<b>*Tây*</b> & _Co_", seeded.tay)
        )
    figures = await _figures(db, None)
    text = figures_text(VI, figures, "<i>xã</i>")
    # Plain (the console, the terminal) and on Telegram: the names exactly as typed.
    assert "<b>*Tây*</b> & _Co_" in plain(text)
    assert "<i>xã</i>" in plain(text)
    shown, problem = parse_html(telegram_html(text))
    assert problem is None
    assert "<b>*Tây*</b> & _Co_" in shown and "<i>xã</i>" in shown


async def test_long_answers_are_split_by_telegram_under_its_limit(db: Database) -> None:
    async with db.unit() as conn:
        for n in range(120):
            await areas_repo.add(conn, f"A{n:03d}", f"Tổ dân phố số {n} " + "x" * 40, 50, NOW)
    await seed_year(db, with_areas=True)
    parts = [
        parse_html(telegram_html(p))
        for p in split_text(figures_text(VI, await _figures(db, None), "toàn xã"))
    ]
    assert len(parts) > 1
    assert all(problem is None and utf16_length(shown) <= 4096 for shown, problem in parts)
    assert "Tiếp nhận 11 tin báo" in "\n".join(shown for shown, _ in parts)


def test_labels_start_lowercase_inside_a_sentence() -> None:
    assert lower_first("Trộm cắp") == "trộm cắp"
    assert lower_first("VNeID") == "VNeID"


def test_every_stats_message_is_translated_to_vietnamese() -> None:
    import ast
    import re
    from pathlib import Path

    from babel.messages.pofile import read_po

    from bot.features.figures.texts import OUTCOME_PHRASES

    root = Path(__file__).resolve().parents[2]
    placeholder = re.compile(r"\{([a-zA-Z_][a-zA-Z0-9_]*)\}")
    translations: dict[object, object] = {}
    for po in sorted((root / "locales" / "vi" / "LC_MESSAGES").glob("*.po")):
        with po.open("rb") as handle:
            for message in read_po(handle, locale="vi"):
                if message.id and message.string:
                    key = tuple(message.id) if isinstance(message.id, list | tuple) else message.id
                    translations.setdefault(key, message.string)
    wanted: list[object] = list(OUTCOME_PHRASES.values())
    for name in (
        "bot/features/figures/texts.py",
        "bot/features/figures/chart.py",
        "bot/features/figures/screens.py",
    ):
        for node in ast.walk(ast.parse((root / name).read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            called = getattr(func, "attr", None) or getattr(func, "id", None)
            first = node.args[0]
            if not isinstance(first, ast.Constant):
                continue
            if called in ("_", "plain", "N_"):
                wanted.append(str(first.value))
            elif called == "_n" and isinstance(node.args[1], ast.Constant):
                wanted.append((str(first.value), str(node.args[1].value)))
    assert len(wanted) > 60
    for message in wanted:
        assert message in translations, message
        found = translations[message]
        text = found[0] if isinstance(found, list | tuple) else str(found)
        source = message[1] if isinstance(message, tuple) else message
        assert set(placeholder.findall(str(source))) == set(placeholder.findall(str(text)))
    for language in ("vi", "en"):
        with (root / "locales" / language / "LC_MESSAGES" / "stats.po").open("rb") as handle:
            assert len(list(read_po(handle, locale=language))) > 50
