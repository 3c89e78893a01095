"""The board pack as PDF (fpdf2), A4 landscape: vector charts and a vector ward hex map, headings tagged and
bookmarked per section, page numbers. fpdf2 because it is pure Python with no system libraries, draws vectors
directly, and tags section headings in the PDF's structure tree (reportlab's open-source edition tags nothing).
"""

from __future__ import annotations

import math
import unicodedata
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import TextStyle

from lib.area import current as current_area
from lib.core.text import visible
from lib.figures import palette
from lib.geo import hexmap
from lib.pack import wording
from lib.pack.content import ChartData, KpiFigures, Pack, Rendered

FONT_CANDIDATES = (  # a Unicode font, so any text a lead typed prints as typed (Debian: fonts-dejavu-core)
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    (
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    ),
)


NOTO = "/usr/share/fonts/truetype/noto/"
NOTO_CJK = "/usr/share/fonts/opentype/noto/"
# Scripts DejaVu Sans lacks, from Debian's fonts-noto-core and fonts-noto-cjk: (name, regular, bold, face in a
# collection). Urdu and Arabic, Punjabi (Gurmukhi), Bengali, Hindi (Devanagari), then Chinese (Simplified, face 2).
FALLBACK_FONTS = (
    ("arabic", NOTO + "NotoNaskhArabic-Regular.ttf", NOTO + "NotoNaskhArabic-Bold.ttf", 0),
    ("gurmukhi", NOTO + "NotoSansGurmukhi-Regular.ttf", NOTO + "NotoSansGurmukhi-Bold.ttf", 0),
    ("bengali", NOTO + "NotoSansBengali-Regular.ttf", NOTO + "NotoSansBengali-Bold.ttf", 0),
    ("devanagari", NOTO + "NotoSansDevanagari-Regular.ttf", NOTO + "NotoSansDevanagari-Bold.ttf", 0),
    ("cjk", NOTO_CJK + "NotoSansCJK-Regular.ttc", NOTO_CJK + "NotoSansCJK-Bold.ttc", 2),
)
MISSING_MARK = "\u25a1"  # WHITE SQUARE: printed instead of a character no font here has (in DejaVu Sans)


def _rgb(colour: str) -> tuple[int, int, int]:
    """'#12436D' as (18, 67, 109)."""
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


class Document(FPDF):
    """An A4 landscape PDF with the pack's footer and heading styles."""

    def __init__(self, pack: Pack) -> None:
        """Fonts, metadata and heading styles."""
        super().__init__(orientation="landscape", unit="mm", format="A4")
        self.pack = pack
        self.set_auto_page_break(auto=True, margin=14)
        self.set_margins(14, 12, 14)
        self.set_title(f"{wording.cover_title()}, {pack.meeting:%d %B %Y}")
        self.set_author(current_area().partnership)
        self.set_lang("en-GB")
        self.family = "helvetica"
        self.missing: set[str] = set()  # characters typed that no font here can print (each shown as MISSING_MARK)
        self._printable: set[int] = set()
        for regular, bold in FONT_CANDIDATES:
            if Path(regular).is_file() and Path(bold).is_file():
                self.add_font("body", "", regular)
                self.add_font("body", "B", bold)
                self.family = "body"
                self._add_fallbacks()
                break
        self.set_section_title_styles(
            TextStyle(
                font_family=self.family, font_style="B", font_size_pt=18, color=_rgb(palette.DARK_BLUE), b_margin=3
            ),
            TextStyle(
                font_family=self.family,
                font_style="B",
                font_size_pt=13,
                color=_rgb(palette.DARK_BLUE),
                t_margin=3,
                b_margin=2,
            ),
        )
        self.alias_nb_pages()
        self.set_font(self.family, "", 10)

    def _add_fallbacks(self) -> None:
        """The fallback fonts that are installed, for the scripts DejaVu lacks, with text shaping (HarfBuzz), which
        joins Arabic letters and forms Indic conjuncts."""
        names = []
        for name, regular, bold, face in FALLBACK_FONTS:
            if Path(regular).is_file() and Path(bold).is_file():
                self.add_font(name, "", regular, collection_font_number=face)
                self.add_font(name, "B", bold, collection_font_number=face)
                names.append(name)
        if names:
            self.set_fallback_fonts(names, exact_match=False)
        self.set_text_shaping(True)
        for font in self.fonts.values():
            self._printable |= set(getattr(font, "cmap", {}))

    def plain(self, text: str) -> str:
        """Text the fonts here can print: a character none has is shown as MISSING_MARK and noted in missing (the
        built-in font of a machine without DejaVu knows Latin-1 only)."""
        shown = visible(text)
        if self.family != "body":
            return shown.encode("latin-1", "replace").decode("latin-1")
        if all(ord(c) in self._printable for c in shown):
            return shown
        kept = []
        for character in shown:
            if ord(character) in self._printable or character.isspace() or unicodedata.category(character) == "Cf":
                kept.append(character)
            else:
                self.missing.add(character)
                kept.append(MISSING_MARK)
        return "".join(kept)

    def footer(self) -> None:
        """Page n of N, and the meeting."""
        self.set_y(-10)
        self.set_font(self.family, "", 8)
        self.set_text_color(*_rgb(palette.DARK_GREY))
        self.cell(
            0,
            5,
            f"{current_area().board}, {self.pack.meeting:%d %B %Y} \u00b7 page {self.page_no()} of {{nb}}"
            if self.family == "body"
            else f"{current_area().board}, {self.pack.meeting:%d %B %Y} - page {self.page_no()} of {{nb}}",
            align="R",
        )

    def heading(self, title: str, level: int = 0, new_page: bool = True) -> None:
        """A tagged, bookmarked heading (a new page for a section)."""
        if new_page:
            self.add_page()
        self.start_section(self.plain(title), level=level, strict=False)

    def lines(self, lines: list[str], size: float = 10) -> None:
        """Paragraphs of plain text."""
        self.set_font(self.family, "", size)
        self.set_text_color(*_rgb(palette.DARK_GREY))
        for line in lines:
            self.multi_cell(0, size * 0.5, self.plain(line), align="L", new_x="LMARGIN", new_y="NEXT")
            self.ln(1)

    def rows(self, rows: list[list[str]], size: float = 8) -> None:
        """A table, header row first (repeated on each page it spans). A row too tall for a page (an action of
        1,000 characters, a report of fifty short lines) continues in further rows, so nothing typed is cut."""
        self.set_font(self.family, "", size)
        self.set_text_color(*_rgb(palette.DARK_GREY))
        self.set_fill_color(255, 255, 255)
        self.set_draw_color(*_rgb(palette.DARK_GREY))
        columns = max((len(row) for row in rows), default=1)
        with self.table(line_height=size * 0.5, text_align="LEFT", first_row_as_headings=True) as table:
            for number, row in enumerate(rows):
                for part in [row] if number == 0 else self._row_parts(row, columns, size):
                    cells = table.row()
                    for value in part:
                        cells.cell(value)
        self.ln(2)

    def _row_parts(self, row: list[str], columns: int, size: float) -> list[list[str]]:
        """A table row as one row or, when taller than a third of a page, several: each cell's wrapped lines in
        chunks that fit, the first cell of each continuation saying so."""
        width = self.epw / columns - 2 * self.c_margin - 1  # a little narrower than the table's cell: never taller
        wrapped = [self._lines(width, size * 0.5, self.plain(str(v))) for v in row]
        most = max(1, int(self.eph / 3 / (size * 0.5)))
        if max(len(lines) for lines in wrapped) <= most:
            return [[self.plain(str(v)) for v in row]]
        parts = []
        for start in range(0, max(len(lines) for lines in wrapped), most):
            part = ["\n".join(lines[start : start + most]) for lines in wrapped]
            if start:
                part[0] = self.plain("(continued) ") + part[0] if part[0] else self.plain("(continued)")
            parts.append(part)
        return parts

    def _lines(self, width: float, height: float, value: str) -> list[str]:
        """value as fpdf2 would wrap it in a cell of that width (at least one line)."""
        lines = self.multi_cell(width, height, value, dry_run=True, output="LINES")
        return [str(line) for line in lines] if isinstance(lines, list) and lines else [""]

    def chart(self, data: ChartData, x: float, y: float, w: float, h: float) -> None:
        """An XmR chart drawn in vectors: values as a line with points, the mean dashed, the limits dotted."""
        values = data.values + data.mean + [v for v in data.lower + data.upper if v is not None]
        low, high = min(values), max(values)
        pad = (high - low) * 0.08 or 1
        low, high = low - pad, high + pad
        left, bottom, right, top = x + 14, y + h - 12, x + w, y + 4

        def at(i: int, v: float) -> tuple[float, float]:
            """The page position of point i with value v."""
            return (
                left + (right - left) * i / max(len(data.months) - 1, 1),
                bottom - (bottom - top) * (v - low) / (high - low),
            )

        self.set_draw_color(*_rgb(palette.MID_GREY))
        self.set_line_width(0.2)
        self.set_font(self.family, "", 7)
        self.set_text_color(*_rgb(palette.DARK_GREY))
        step = 10 ** math.floor(math.log10(high - low)) if high > low else 1
        tick = math.ceil(low / step) * step
        while tick <= high:
            _, ty = at(0, tick)
            self.line(left, ty, right, ty)
            self.text(x, ty + 1, f"{tick:,.0f}" if step >= 1 else f"{tick:,.1f}")
            tick += step
        every = max(1, len(data.months) // 8)
        for i, month in enumerate(data.months):
            if i % every == 0:
                tx, _ = at(i, low)
                self.text(tx - 5, bottom + 5, f"{month:%b %Y}")
        for series, colour, dash in (
            (data.upper, palette.MID_GREY, (0.6, 0.8)),
            (data.lower, palette.MID_GREY, (0.6, 0.8)),
            (data.mean, palette.DARK_GREY, (2, 1)),
        ):
            self.set_draw_color(*_rgb(colour))
            self.set_dash_pattern(*dash)
            points = [at(i, v) for i, v in enumerate(series) if v is not None]
            if len(points) > 1:
                self.polyline(points)
        self.set_dash_pattern()
        self.set_draw_color(*_rgb(palette.DARK_BLUE))
        self.set_line_width(0.5)
        line = [at(i, v) for i, v in enumerate(data.values)]
        self.polyline(line)
        self.set_fill_color(*_rgb(palette.DARK_BLUE))
        for px, py in line:
            self.ellipse(px - 0.7, py - 0.7, 1.4, 1.4, style="F")
        self.set_line_width(0.2)
        self.text(
            left,
            bottom + 10,
            self.plain(f"{data.title} ({data.unit}): line with points; mean dashed; process limits dotted."),
        )

    def bars(self, bars: list[tuple[str, float, bool]], average: float | None, x: float, w: float) -> None:
        """Ranked areas' rates as horizontal bars, lowest first, the partnership's dark blue (and named so), the
        others grey, the peer average as a dashed line, each bar labelled with its value."""
        if not bars:
            return
        top, row, label_width = self.get_y() + 2, 7.0, 55.0
        high = max([rate for _, rate, _ in bars] + [average or 0]) or 1
        scale = (w - label_width - 20) / high
        self.set_font(self.family, "", 8)
        for index, (name, rate, own) in enumerate(bars):
            y = top + index * row
            self.set_xy(x, y)
            self.cell(label_width - 2, row - 1, self.plain(f"{name} (this partnership)" if own else name), align="R")
            self.set_fill_color(*_rgb(palette.DARK_BLUE if own else palette.MID_GREY))
            self.rect(x + label_width, y + 0.5, rate * scale, row - 2, style="F")
            self.set_xy(x + label_width + rate * scale + 1, y)
            self.cell(18, row - 1, f"{rate:,.2f}")
        if average is not None:
            self.set_draw_color(*_rgb(palette.DARK_PINK))
            self.set_dash_pattern(dash=1.5, gap=1)
            left = x + label_width + average * scale
            self.line(left, top - 1, left, top + len(bars) * row)
            self.set_dash_pattern()
            self.set_xy(left + 1, top + len(bars) * row)
            self.cell(60, 5, self.plain(f"Peer average {average:,.2f}"))
        self.set_y(top + len(bars) * row + 8)

    def hex_map(self, pack: Pack, x: float, y: float, w: float, h: float) -> None:
        """The ward hex map in vectors: each ward a hexagon in its class's colour, named with its figure."""
        centres = {c.code: hexmap.centre_xy(c.q, c.r) for c in pack.ward_cells}
        xs, ys = [cx for cx, _ in centres.values()], [cy for _, cy in centres.values()]
        scale = min(w / (max(xs) - min(xs) + 2), h / (max(ys) - min(ys) + 2))
        self.set_draw_color(255, 255, 255)
        for cell in pack.ward_cells:
            cx, cy = centres[cell.code]
            px, py = x + (cx - min(xs) + 1) * scale, y + (max(ys) - cy + 1) * scale
            self.set_fill_color(*_rgb(cell.colour))
            self.polygon([hexmap.corner(px, py, scale, i) for i in range(6)], style="DF")
            self.set_text_color(*((255, 255, 255) if palette.is_dark(cell.colour) else (0, 0, 0)))
            lines = [self.plain(line) for line in (*wording.ward_lines(cell.name), cell.shown)]
            self.set_font(self.family, "", 5)
            widest = max(self.get_string_width(line) for line in lines)
            self.set_font_size(5 * min(1.0, 1.6 * scale / widest))  # the whole name inside the hexagon's width
            step = self.font_size * 1.15
            for number, line in enumerate(lines):
                self.text(px - self.get_string_width(line) / 2, py + (number - len(lines) / 2 + 0.8) * step, line)


def _kpi(document: Document, kpi: KpiFigures) -> None:
    """A KPI's tile in words beside its chart (on a new page when the chart would not fit below)."""
    if kpi.chart is not None and document.get_y() + 86 > document.page_break_trigger:
        document.add_page()
    top = document.get_y()
    document.set_x(14)
    document.set_font(document.family, "", 9)
    document.multi_cell(
        95, 4.5, document.plain("\n".join(wording.kpi_lines(kpi))), align="L", new_x="LMARGIN", new_y="NEXT"
    )
    if kpi.chart is not None:
        document.chart(kpi.chart, 115, top, 168, 80)
        document.set_y(max(document.get_y(), top + 84))


def write(pack: Pack) -> Rendered:
    """The pack as a PDF file, with a note if some typed character could not be printed."""
    document = Document(pack)
    document.heading(wording.cover_title())
    document.lines(wording.cover_lines(pack), 14)

    document.heading(wording.EXCEPTIONS)
    document.rows(wording.exception_rows(pack))
    for kpi, report in pack.exceptions:
        document.heading(f"{wording.EXCEPTION}: {kpi.name}", level=1)
        _kpi(document, kpi)  # the off-track KPI's chart beside its report, not pages later
        document.lines(wording.report_lines(report), 9)

    for kpi in pack.headline:
        document.heading(f"{wording.HEADLINE}: {kpi.name}")
        _kpi(document, kpi)

    document.heading(wording.SINCE)
    document.lines(wording.since_lines(pack))
    document.heading(wording.MATRIX)
    document.rows(pack.matrix)

    for priority in pack.priorities:
        document.heading(f"{wording.PRIORITY} {priority['title']}")
        document.lines(wording.priority_lines(priority), 9)
        document.rows(wording.priority_rows(priority))
        for kpi in priority["kpis"]:
            if kpi.chart is not None:
                if document.get_y() > 110:
                    document.add_page()
                document.heading(kpi.name, level=1, new_page=False)
                _kpi(document, kpi)

    document.heading(pack.crime_title)
    document.rows(pack.crime_rows)
    document.lines([pack.crime_verdict, wording.CRIME_NOTE], 9)
    document.heading(f"{wording.WARD_MAP}: {pack.ward_title}")
    if pack.ward_cells:
        document.hex_map(pack, 14, 30, 190, 165)
        document.set_xy(210, 30)
        document.set_font(document.family, "", 8)
        for colour, label in pack.ward_legend:
            document.set_fill_color(*_rgb(colour))
            document.rect(210, document.get_y() + 0.5, 4, 4, style="F")
            document.set_x(216)
            document.multi_cell(70, 5, document.plain(label), new_x="LEFT", new_y="NEXT")
            document.set_x(210)
    else:
        document.lines(["No complete 12 months of crime are loaded yet."])

    document.heading(wording.peers_title(pack))
    if pack.peers is not None:
        document.lines([pack.peers.standing[0].upper() + pack.peers.standing[1:] + "; crimes per 1,000 residents:"])
        document.bars(pack.peers.bars, pack.peers.average, 14, 260)
        document.rows(pack.peers.rows)
    document.lines(wording.peers_lines(pack), 9)

    document.heading(wording.ACTIONS)
    document.lines(wording.action_lines(pack), 10)
    for title, rows in (
        (wording.ACTIONS_DUE, pack.actions_due),
        (wording.ACTIONS_LAST_TIME, pack.actions_raised_last_time),
        (wording.ACTIONS_HERE, pack.actions_raised_here),
    ):
        document.heading(title, level=1, new_page=False)
        document.rows(rows if len(rows) > 1 else [rows[0], ["", "None", "", "", "", "", ""]])

    document.heading(wording.SOURCES)
    document.rows(pack.sources, 7)
    document.lines([pack.disclosure_note], 8)
    data = bytes(document.output())
    return Rendered(data, (missing_note(document.missing),) if document.missing else ())


def missing_note(missing: set[str]) -> str:
    """One line naming the characters no font here could print."""
    shown = ", ".join(f"U+{ord(c):04X}" for c in sorted(missing)[:10]) + (" ..." if len(missing) > 10 else "")
    return (
        f"{len(missing)} character{'s' if len(missing) != 1 else ''} typed could not be printed in the PDF (no font on "
        f"this server has {'them' if len(missing) != 1 else 'it'}) and show as {MISSING_MARK}: {shown}. Install "
        "Debian's fonts-noto-core and fonts-noto-cjk, or use the PowerPoint."
    )
