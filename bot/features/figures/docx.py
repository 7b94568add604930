"""Writing a Word document the way a commune police report looks: A4, Times New Roman, the
few paragraph and table shapes the draft summary report uses. Formatting only: what is written
is decided in :mod:`bot.features.figures.summary`."""

from __future__ import annotations

import io
import re

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from bot.i18n import Translator

FONT = "Times New Roman"
BODY_PT = 14
TABLE_PT = 13
# One full line of dots at 14 pt across the 165 mm of text width.
BLANK_LINE = "…" * 32
# Characters an XML document cannot hold (python-docx refuses them).
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def clean(text: str) -> str:
    return _NOT_XML.sub(" ", text)


class DocxWriter:
    """A document being written, with the few paragraph and table shapes the report uses."""

    def __init__(self, t: Translator) -> None:
        self.t = t
        self.doc: DocxDocument = Document()
        self._page()
        self._styles()
        self._page_numbers()

    # Setup --------------------------------------------------------------------------------
    def _page(self) -> None:
        section = self.doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(20), Mm(20)
        section.left_margin, section.right_margin = Mm(30), Mm(15)
        section.header_distance, section.footer_distance = Mm(10), Mm(10)

    def _styles(self) -> None:
        normal = self.doc.styles["Normal"]
        font = normal.font
        font.name = FONT
        font.size = Pt(BODY_PT)
        r_pr = normal.element.get_or_add_rPr()
        fonts = r_pr.get_or_add_rFonts()
        for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            fonts.set(qn(attribute), FONT)
        language = OxmlElement("w:lang")
        language.set(qn("w:val"), "vi-VN" if self.t.language == "vi" else "en-GB")
        r_pr.append(language)
        paragraph = normal.paragraph_format
        paragraph.space_before = Pt(0)
        paragraph.space_after = Pt(6)
        paragraph.line_spacing = 1.15
        properties = self.doc.core_properties
        properties.author = "Xóm An Toàn"
        properties.language = "vi-VN" if self.t.language == "vi" else "en-GB"

    def _page_numbers(self) -> None:
        """Page numbers at the top centre from the second page on."""
        section = self.doc.sections[0]
        section.different_first_page_header_footer = True
        paragraph = section.header.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for kind, instruction in (("begin", None), (None, "PAGE"), ("end", None)):
            run = paragraph.add_run()  # Word writes each part of a field in its own run
            run.font.size = Pt(TABLE_PT)
            if kind:
                element = OxmlElement("w:fldChar")
                element.set(qn("w:fldCharType"), kind)
            else:
                element = OxmlElement("w:instrText")
                element.set(qn("xml:space"), "preserve")
                element.text = instruction
            run._r.append(element)

    # Paragraphs ---------------------------------------------------------------------------
    def para(
        self,
        text: str = "",
        *,
        bold: bool = False,
        italic: bool = False,
        underline: bool = False,
        size: int | None = None,
        center: bool = False,
        indent: bool = True,
        container: _Cell | None = None,
        after: int | None = None,
    ) -> Paragraph:
        if container is None:
            paragraph = self.doc.add_paragraph()
        elif len(container.paragraphs) == 1 and not container.paragraphs[0].text:
            paragraph = container.paragraphs[0]
        else:
            paragraph = container.add_paragraph()
        fmt = paragraph.paragraph_format
        if center:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        else:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            if indent:
                fmt.first_line_indent = Mm(10)
        if after is not None:
            fmt.space_after = Pt(after)
        if text:
            run = paragraph.add_run(clean(text))
            run.bold, run.italic, run.underline = bold, italic, underline
            if size:
                run.font.size = Pt(size)
        return paragraph

    def heading(self, text: str) -> Paragraph:
        return self.para(text, bold=True, after=6)

    def blanks(self, lines: int) -> None:
        for _ in range(lines):
            self.para(BLANK_LINE, indent=False, after=0)

    # Tables -------------------------------------------------------------------------------
    def table(
        self,
        headers: list[str],
        rows: list[list[str]],
        widths_mm: list[int],
        total: list[str] | None = None,
    ) -> Table:
        """A bordered table: bold header row repeated on each page, text in the second column
        left-aligned, figures centred, an optional bold total row."""
        body = [*rows, total] if total else rows
        table: Table = self.doc.add_table(rows=1 + len(body), cols=len(headers))
        table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        header_row = table.rows[0]
        flag = OxmlElement("w:tblHeader")
        flag.set(qn("w:val"), "true")
        header_row._tr.get_or_add_trPr().append(flag)
        for index, row in enumerate([headers, *body]):
            strong = index == 0 or (total is not None and index == len(body))
            for column, value in enumerate(row):
                cell = table.cell(index, column)
                cell.width = Mm(widths_mm[column])
                cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
                paragraph = cell.paragraphs[0]
                paragraph.paragraph_format.space_after = Pt(0)
                paragraph.paragraph_format.space_before = Pt(0)
                paragraph.alignment = (
                    WD_ALIGN_PARAGRAPH.LEFT
                    if column == 1 and index > 0
                    else WD_ALIGN_PARAGRAPH.CENTER
                )
                run = paragraph.add_run(clean(value))
                run.bold = strong
                run.font.size = Pt(TABLE_PT)
        self.doc.add_paragraph().paragraph_format.space_after = Pt(0)
        return table

    def frame(self, rows: int, widths_mm: tuple[int, int]) -> Table:
        """A borderless two-column table that places the header and the signature block."""
        table: Table = self.doc.add_table(rows=rows, cols=2)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        borders = OxmlElement("w:tblBorders")
        for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
            element = OxmlElement(f"w:{edge}")
            element.set(qn("w:val"), "nil")
            borders.append(element)
        table._tbl.tblPr.insert_element_before(
            borders,
            "w:shd",
            "w:tblLayout",
            "w:tblCellMar",
            "w:tblLook",
            "w:tblCaption",
            "w:tblDescription",
            "w:tblPrChange",
        )
        for row in table.rows:
            for column, cell in enumerate(row.cells):
                cell.width = Mm(widths_mm[column])
        return table

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return buffer.getvalue()
