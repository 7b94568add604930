"""The chart of the known year: a phone-sized PNG, labelled in the reader's language."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

from matplotlib.figure import Figure
from matplotlib.text import Text
from PIL import Image

from bot.features.figures.chart import WIDTH_PX, chart_figure, chart_png, chart_size
from bot.features.figures.figures import Figures, collect
from bot.i18n import Translator
from bot.shared.periods import Period
from bot.storage import areas as areas_repo
from bot.storage.db import Database
from tests.stats_seed import TZ, seed_year

YEAR = Period(date(2026, 1, 1), date(2026, 12, 31))
NOW = datetime(2027, 1, 5, tzinfo=UTC)
VI, EN = Translator("vi", TZ), Translator("en", TZ)


async def _figures(db: Database, area_id: int | None, period: Period = YEAR) -> Figures:
    async with db.read() as conn:
        return await collect(conn, area_id, period, TZ, NOW)


def texts(fig: Figure) -> list[str]:
    """Every piece of text drawn: titles, tick labels, legend, values, notes."""
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return image.size


async def test_the_year_as_a_phone_sized_png(db: Database) -> None:
    await seed_year(db)
    figures = await _figures(db, None)
    data = chart_png(VI, figures)
    assert _png_size(data) == chart_size(figures) == (1080, 1350)


async def test_vietnamese_labels(db: Database) -> None:
    await seed_year(db)
    drawn = texts(chart_figure(VI, await _figures(db, None)))
    joined = "\n".join(drawn)
    assert "Toàn xã\nTừ 01/01/2026 đến 31/12/2026" in drawn
    assert "Tin báo và lượt tuần tra theo tháng" in drawn
    assert "Tỷ lệ hộ gia đình ký cam kết theo địa bàn" in drawn
    assert {"Tin báo, phản ánh", "Tuần tra"} <= set(drawn)
    fig = chart_figure(VI, await _figures(db, None))
    months = [label.get_text() for label in fig.axes[0].get_xticklabels()]
    assert months == [f"T{n}" for n in range(1, 13)]
    assert {"Thôn Đông", "Thôn Tây"} <= set(drawn)
    assert "100% (120/120)" in drawn and "84,2% (80/95)" in drawn
    assert "Jan" not in joined and "Reports" not in joined


async def test_english_labels(db: Database) -> None:
    await seed_year(db)
    drawn = texts(chart_figure(EN, await _figures(db, None)))
    assert "The whole commune\nJan 1, 2026 to Dec 31, 2026" in drawn
    assert "Reports and patrols per month" in drawn
    assert "Households that signed the pledge, per area" in drawn
    assert {"Reports and tips", "Patrols", "Jan", "Dec"} <= set(drawn)
    assert "84.2% (80/95)" in drawn


async def test_one_area_and_its_own_title(db: Database) -> None:
    seeded = await seed_year(db)
    figures = await _figures(db, seeded.tay)
    drawn = texts(chart_figure(VI, figures))
    assert any(t.startswith("Thôn Tây\n") for t in drawn)
    assert "Thôn Đông" not in drawn
    assert _png_size(chart_png(VI, figures))[0] == WIDTH_PX


async def test_an_empty_database_says_so_in_the_chart(db: Database) -> None:
    figures = await _figures(db, None)
    data = chart_png(VI, figures)
    assert _png_size(data)[0] == WIDTH_PX
    drawn = texts(chart_figure(VI, figures))
    assert "Trong kỳ chưa có tin báo hay lượt tuần tra nào." in drawn
    assert "Chưa có đợt ký cam kết trong kỳ này." in drawn
    english = texts(chart_figure(EN, figures))
    assert "No reports or patrols in this period." in english


async def test_names_with_dollars_are_drawn_as_typed(db: Database) -> None:
    seeded = await seed_year(db)
    async with db.unit() as conn:
        await conn.execute("UPDATE areas SET name = ? WHERE id = ?", ("Tổ $1$ <b>", seeded.tay))
    figures = await _figures(db, None)
    assert "Tổ $1$ <b>" in texts(chart_figure(VI, figures))
    assert _png_size(chart_png(VI, figures)) == (1080, 1350)  # no math-text error


async def test_long_periods_are_drawn_per_year_and_many_areas_make_it_taller(
    db: Database,
) -> None:
    async with db.unit() as conn:
        for n in range(10):
            await areas_repo.add(conn, f"A{n}", f"Tổ {n}", 40, NOW)
    await seed_year(db)
    figures = await _figures(db, None, Period(date(2020, 1, 1), date(2027, 12, 31)))
    drawn = texts(chart_figure(VI, figures))
    assert {"2020", "2026", "2027"} <= set(drawn)
    width, height = chart_size(figures)
    assert (width, height) == (1080, 1350 + 70 * 6)
    assert _png_size(chart_png(VI, figures)) == (width, height)


async def test_a_period_over_new_year_names_the_years(db: Database) -> None:
    await seed_year(db)
    figures = await _figures(db, None, Period(date(2025, 11, 1), date(2026, 2, 28)))
    drawn = texts(chart_figure(VI, figures))
    assert "T11\n2025" in drawn and "T1\n2026" in drawn and "T12" in drawn


async def test_many_areas_show_the_lowest_twenty(db: Database) -> None:
    """A merged commune with 120 areas: the chart stays phone-sized (Telegram refuses photos
    whose width and height add up to more than 10,000 px) and shows the areas most behind."""
    from bot.features.figures.chart import MAX_AREAS_SHOWN, chart_size, shown_areas
    from bot.features.figures.figures import AreaCoverage, AreaRef, PledgeFigures

    per_area = [
        AreaCoverage(
            area=AreaRef(code=f"A{i}", name=f"Tổ {i}", households=100),
            signed=100 - i % 50,
            percent=float(100 - i % 50),
        )
        for i in range(120)
    ]
    figures = (await _figures(db, None)).model_copy(
        update={
            "pledges": PledgeFigures(
                campaign=None,
                households=12_000,
                signed=0,
                signed_unknown_total=0,
                percent=None,
                complete=False,
                per_area=per_area,
                other_signed={},
            )
        }
    )
    shown = shown_areas(figures)
    assert len(shown) == MAX_AREAS_SHOWN
    assert max(c.percent or 0 for c in shown) <= 60.0
    width, height = chart_size(figures)
    assert width + height < 10_000
