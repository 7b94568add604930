"""The draft summary report: the DOCX is produced, opens back in python-docx, follows the
administrative layout and carries the exact figures of the known year of tests/stats_seed.py."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import docx
from docx.document import Document as DocxDocument
from docx.table import Table

from bot.features.figures.docx import BLANK_LINE
from bot.features.figures.figures import Figures, collect
from bot.features.figures.summary import summary_docx, summary_filename
from bot.features.figures.summary_results import RatedArea
from bot.i18n import Translator
from bot.shared.periods import Period
from bot.storage import areas as areas_repo
from bot.storage.db import Database
from tests.stats_seed import TZ, seed_year

YEAR = Period(date(2026, 1, 1), date(2026, 12, 31))
NOW = datetime(2027, 1, 5, tzinfo=UTC)
TODAY = date(2027, 1, 5)
RATINGS = [
    RatedArea("DONG", "Thôn Đông", True, 3, ""),
    RatedArea("TAY", "Thôn Tây", False, 0, "Chưa đủ 100% hộ ký cam kết"),
]


async def _figures(db: Database, area_id: int | None = None, period: Period = YEAR) -> Figures:
    async with db.read() as conn:
        return await collect(conn, area_id, period, TZ, NOW)


def _open(
    figures: Figures,
    language: str = "vi",
    *,
    commune_name: str | None = "Xã An Bình",
    ratings: list[RatedArea] | None = RATINGS,
    today: date = TODAY,
) -> DocxDocument:
    data = summary_docx(
        Translator(language), figures, commune_name=commune_name, ratings=ratings, today=today
    )
    assert data[:2] == b"PK"  # a DOCX is a zip package
    return docx.Document(io.BytesIO(data))


def _texts(document: DocxDocument) -> list[str]:
    return [p.text for p in document.paragraphs]


def _rows(table: Table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def _after(texts: list[str], heading: str) -> list[str]:
    index = texts.index(heading)
    return texts[index + 1 : index + 4]


async def test_vietnamese_report_of_the_commune_year(db: Database) -> None:
    await seed_year(db)
    document = _open(await _figures(db))

    # Page: A4, margins of Nghị định 30, Times New Roman.
    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert [
        round(m.mm)
        for m in (
            section.top_margin,
            section.bottom_margin,
            section.left_margin,
            section.right_margin,
        )
    ] == [20, 20, 30, 15]
    # Page numbers at the top centre from the second page on.
    assert section.different_first_page_header_footer
    assert "PAGE" in section.header._element.xml
    assert "PAGE" not in section.first_page_header._element.xml
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman"  # type: ignore[attr-defined]
    assert normal.font.size.pt in (13, 14)  # type: ignore[attr-defined]

    # Header: two columns, no borders.
    header = document.tables[0]
    assert _rows(header) == [
        [
            "CÔNG AN TỈNH …………\nCÔNG AN XÃ AN BÌNH",
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc",
        ],
        ["Số: …/BC-CAX", "An Bình, ngày 05 tháng 01 năm 2027"],
    ]
    assert 'w:val="nil"' in header._tbl.xml
    motto = header.cell(0, 1).paragraphs[1].runs[0]
    assert motto.bold and motto.underline
    assert header.cell(1, 1).paragraphs[0].runs[0].italic

    texts = _texts(document)
    title = texts.index("BÁO CÁO")
    assert texts[title + 1 : title + 3] == [
        "Tổng kết công tác xây dựng phong trào Toàn dân bảo vệ an ninh Tổ quốc",
        "trên địa bàn toàn xã, từ ngày 01/01/2026 đến ngày 31/12/2026",
    ]
    headings = [
        "I. ĐẶC ĐIỂM TÌNH HÌNH",
        "II. KẾT QUẢ THỰC HIỆN",
        "1. Công tác vận động hộ gia đình ký cam kết đảm bảo an ninh, trật tự",
        "2. Công tác tiếp nhận, xử lý tin báo, tố giác, phản ánh",
        "3. Công tác hòa giải ở cơ sở",
        "4. Công tác tuần tra, nhắc nhở đảm bảo an ninh, trật tự",
        "5. Công tác tuyên truyền, vận động Nhân dân",
        "6. Kết quả bình xét khu dân cư đạt tiêu chuẩn “An toàn về an ninh, trật tự”",
        "III. ĐÁNH GIÁ CHUNG",
        "1. Ưu điểm",
        "2. Hạn chế, nguyên nhân",
        "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ THỜI GIAN TỚI",
    ]
    positions = [texts.index(h) for h in headings]
    assert positions == sorted(positions)
    for heading in headings:
        paragraph = document.paragraphs[texts.index(heading)]
        assert all(run.bold for run in paragraph.runs)

    # Sentences with the figures filled in.
    assert "Toàn xã có 2 khu dân cư với 215 hộ gia đình đang cư trú." in texts
    assert (
        "Đợt ký cam kết “Cam kết 2026” (từ ngày 01/01/2026 đến ngày 31/03/2026): có 200/215 hộ "
        "gia đình ký cam kết, đạt tỷ lệ 93%." in texts
    )
    assert "Số khu dân cư có 100% hộ gia đình ký cam kết: 1/2." in texts
    assert (
        "Ngoài hộ gia đình, còn có các cơ sở ký cam kết: Cơ sở kinh doanh: 2; Cơ sở tôn giáo: 1."
        in texts
    )
    assert (
        "Trong kỳ tiếp nhận 11 tin báo, tố giác, phản ánh của Nhân dân; trong đó liên quan đến "
        "tội phạm, tệ nạn xã hội: 6 tin; gửi ẩn danh: 1 tin; báo sự việc đang xảy ra: 1 tin."
        in texts
    )
    assert (
        "Tổ chức 30 buổi tuần tra với 138 lượt người tham gia; phát hiện 8 trường hợp, nhắc nhở "
        "7 trường hợp vi phạm." in texts
    )
    assert "Có 1/2 khu dân cư được công nhận đạt tiêu chuẩn “An toàn về an ninh, trật tự”." in texts

    # Tables with the exact figures.
    coverage = [t for t in document.tables if _rows(t)[0][2:3] == ["Số hộ"]]
    assert _rows(coverage[0]) == [
        ["STT", "Khu dân cư", "Số hộ", "Số hộ đã ký cam kết", "Tỷ lệ"],
        ["1", "Thôn Đông", "120", "120", "100%"],
        ["2", "Thôn Tây", "95", "80", "84,2%"],
        ["", "Tổng cộng", "215", "200", "93%"],
    ]
    categories = _rows(
        next(t for t in document.tables if _rows(t)[0][1] == "Loại tin báo, phản ánh")
    )
    assert ["1", "Trộm cắp", "3"] in categories
    assert ["2", "Cờ bạc", "2"] in categories
    assert ["3", "Ma túy", "0"] in categories
    assert categories[-1] == ["", "Tổng cộng", "11"]
    assert len(categories) == 1 + 11 + 1
    statuses = _rows(next(t for t in document.tables if _rows(t)[0][1] == "Tình trạng xử lý"))
    assert ["1", "Mới, đang chờ tiếp nhận", "9"] in statuses
    assert ["4", "Đã giải quyết", "1"] in statuses
    assert ["6", "Trùng với một tin báo khác", "1"] in statuses
    assert statuses[-1] == ["", "Tổng cộng", "11"]
    mediation = _rows(next(t for t in document.tables if _rows(t)[0][1] == "Kết quả hòa giải"))
    assert mediation[1:] == [
        ["1", "Hòa giải thành", "1"],
        ["2", "Hòa giải không thành", "1"],
        ["3", "Chuyển cơ quan có thẩm quyền", "0"],
        ["4", "Đang hòa giải", "1"],
        ["", "Tổng cộng", "3"],
    ]
    patrols = _rows(next(t for t in document.tables if _rows(t)[0][1] == "Nội dung"))
    assert patrols[0] == ["STT", "Nội dung", "Số trường hợp phát hiện", "Số trường hợp nhắc nhở"]
    assert ["1", "Kinh doanh quá giờ quy định", "4", "4"] in patrols
    assert ["3", "Xả rác không đúng nơi quy định", "3", "3"] in patrols
    assert ["4", "Gây ồn ào, mất trật tự", "1", "0"] in patrols
    assert patrols[-1] == ["", "Tổng cộng", "8", "7"]
    awareness = _rows(next(t for t in document.tables if _rows(t)[0][1] == "Chủ đề tuyên truyền"))
    assert ["1", "Phòng cháy, chữa cháy", "1", "3"] in awareness
    assert ["2", "Lừa đảo qua mạng", "1", "1"] in awareness
    assert ["3", "Phòng chống đuối nước", "0", "0"] in awareness  # the skipped run is not in
    assert awareness[-1] == ["", "Tổng cộng", "2", "4"]
    rating = _rows(next(t for t in document.tables if _rows(t)[0][2:3] == ["Kết quả"]))
    assert rating == [
        ["STT", "Khu dân cư", "Kết quả", "Số năm liên tục đạt", "Ghi chú"],
        ["1", "Thôn Đông", "Đạt", "3", ""],
        ["2", "Thôn Tây", "Không đạt", "", "Chưa đủ 100% hộ ký cam kết"],
    ]

    # Blanks where a person writes the assessment.
    for heading in (
        "I. ĐẶC ĐIỂM TÌNH HÌNH",
        "1. Ưu điểm",
        "2. Hạn chế, nguyên nhân",
        "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ THỜI GIAN TỚI",
    ):
        assert BLANK_LINE in _after(texts, heading), heading
    assert (
        "Thực hiện Kế hoạch số …………, Công an xã báo cáo kết quả thực hiện trong kỳ như sau:"
        in texts
    )
    assert texts[-1].endswith("Công an xã kính báo cáo để cấp trên nắm, chỉ đạo./.")

    # Signature block: recipients on the left, the head of the commune police on the right.
    signature = document.tables[-1]
    left, right = signature.cell(0, 0).text, signature.cell(0, 1).text
    assert left.startswith("Nơi nhận:\n- Công an tỉnh (để báo cáo);")
    assert left.endswith("- Lưu: VT.")
    assert right.startswith("TRƯỞNG CÔNG AN XÃ\n(Ký, ghi rõ họ tên, đóng dấu)")
    assert right.endswith("…………")


async def test_english_reader_gets_the_same_structure_in_english(db: Database) -> None:
    await seed_year(db)
    document = _open(await _figures(db), "en", commune_name=None, ratings=None)

    header = _rows(document.tables[0])
    assert header[0] == [
        "PROVINCIAL POLICE OF …………\nCOMMUNE POLICE OF …………",
        "SOCIALIST REPUBLIC OF VIET NAM\nIndependence - Freedom - Happiness",
    ]
    assert header[1] == ["No.: …/BC-CAX", "…………, January 5, 2027"]
    texts = _texts(document)
    title = texts.index("REPORT")
    assert texts[title + 2] == "in the whole commune, from Jan 1, 2026 to Dec 31, 2026"
    headings = [
        "I. SITUATION",
        "II. RESULTS",
        "6. Rating of residential areas safe in security and order",
        "III. OVERALL ASSESSMENT",
        "1. Strengths",
        "2. Shortcomings and their causes",
        "IV. DIRECTIONS AND TASKS FOR THE COMING PERIOD",
    ]
    positions = [texts.index(h) for h in headings]
    assert positions == sorted(positions)
    coverage = next(t for t in document.tables if _rows(t)[0][2:3] == ["Households"])
    assert _rows(coverage)[1:] == [
        ["1", "Thôn Đông", "120", "120", "100%"],
        ["2", "Thôn Tây", "95", "80", "84.2%"],
        ["", "Total", "215", "200", "93%"],
    ]
    # No ratings: a note instead of the table.
    note = texts[texts.index(headings[2]) + 1]
    assert note == "There are no rating results of residential areas for this period yet."
    assert not any(_rows(t)[0][2:3] == ["Result"] for t in document.tables)
    # header, 6 figure tables (pledges, categories, statuses, mediation, patrols, awareness),
    # signature
    assert len(document.tables) == 8
    assert document.tables[-1].cell(0, 1).text.startswith("HEAD OF THE COMMUNE POLICE")
    # Not a single Vietnamese administrative phrase left in the English document.
    assert not any("Công an" in t or "ngày" in t for t in texts)


async def test_an_area_over_a_quarter_is_an_interim_review(db: Database) -> None:
    seeded = await seed_year(db)
    quarter = Period(date(2026, 1, 1), date(2026, 3, 31))
    figures = await _figures(db, seeded.dong, quarter)
    document = _open(figures, commune_name="An Bình", today=date(2026, 4, 3))

    texts = _texts(document)
    title = texts.index("BÁO CÁO")
    assert texts[title + 1].startswith("Sơ kết công tác")
    assert texts[title + 2] == "tại Thôn Đông, từ ngày 01/01/2026 đến ngày 31/03/2026"
    assert "Thôn Đông có 120 hộ gia đình đang cư trú." in texts
    assert _rows(document.tables[0])[0][0].endswith("CÔNG AN XÃ AN BÌNH")
    # NĐ 30: a day below 10 takes a 0, a month from March on does not.
    assert _rows(document.tables[0])[1][1] == "An Bình, ngày 03 tháng 4 năm 2026"
    coverage = next(t for t in document.tables if _rows(t)[0][2:3] == ["Số hộ"])
    assert _rows(coverage) == [
        ["STT", "Khu dân cư", "Số hộ", "Số hộ đã ký cam kết", "Tỷ lệ"],
        ["1", "Thôn Đông", "120", "120", "100%"],
    ]
    patrols = _rows(next(t for t in document.tables if _rows(t)[0][1] == "Nội dung"))
    assert patrols[-1] == ["", "Tổng cộng", "4", "4"]

    assert summary_filename(figures) == "bao-cao-DONG-2026-01-01_2026-03-31.docx"
    assert summary_filename(await _figures(db)) == "bao-cao-commune-2026-01-01_2026-12-31.docx"


async def test_a_ward_keeps_its_own_unit_name(db: Database) -> None:
    await seed_year(db)
    document = _open(await _figures(db), commune_name="Phường 3", today=date(2026, 12, 20))
    assert _rows(document.tables[0])[0][0].endswith("\nCÔNG AN PHƯỜNG 3")
    assert _rows(document.tables[0])[1][1] == "Phường 3, ngày 20 tháng 12 năm 2026"


async def test_names_and_notes_appear_literally(db: Database) -> None:
    odd = "<b>Xóm</b> & =SUM(A1)"
    async with db.unit() as conn:
        await areas_repo.add(conn, "ODD", odd, 10, NOW)
        await areas_repo.add(conn, "NEW", "Tổ dân phố Mới", None, NOW)
    figures = await _figures(db)
    document = _open(
        figures,
        commune_name="<i>An Bình</i>",
        ratings=[RatedArea("ODD", odd, None, 0, '=HYPERLINK("http://x")\x07 &amp;')],
    )
    assert _rows(document.tables[0])[0][0].endswith("CÔNG AN XÃ <I>AN BÌNH</I>")
    rating = _rows(next(t for t in document.tables if _rows(t)[0][2:3] == ["Kết quả"]))
    assert rating[1] == ["1", odd, "Chưa bình xét", "", '=HYPERLINK("http://x")  &amp;']
    texts = _texts(document)
    # No campaign in an empty year: said in words, the households still counted where known.
    assert "Trong kỳ chưa tổ chức đợt ký cam kết." in texts
    assert "Có 0/1 khu dân cư được công nhận đạt tiêu chuẩn “An toàn về an ninh, trật tự”." in texts
    assert "Toàn xã có 2 khu dân cư với 10 hộ gia đình đang cư trú." in texts


async def test_an_empty_commune_still_gives_a_document(db: Database) -> None:
    figures = await _figures(db)
    document = _open(figures, commune_name=None, ratings=[])
    texts = _texts(document)
    assert "Toàn xã có 0 khu dân cư với ………… hộ gia đình đang cư trú." in texts
    assert (
        "Chưa có kết quả bình xét khu dân cư “An toàn về an ninh, trật tự” cho kỳ báo cáo này."
        in texts
    )
    categories = _rows(
        next(t for t in document.tables if _rows(t)[0][1] == "Loại tin báo, phản ánh")
    )
    assert categories[-1] == ["", "Tổng cộng", "0"]
