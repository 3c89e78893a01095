"""The board pack as PowerPoint (python-pptx), 16:9: native charts whose data opens in PowerPoint's chart editor, the
ward hex map drawn with native shapes, tables for the rest. Words and colours as in the app; nothing is a picture."""

from __future__ import annotations

import io
import textwrap
import unicodedata
from collections.abc import Iterable

from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION, XL_MARKER_STYLE
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_AUTO_SIZE, PP_ALIGN
from pptx.slide import Slide
from pptx.util import Emu, Inches, Pt

from lib.core.text import visible
from lib.figures import palette
from lib.geo import hexmap
from lib.pack import wording
from lib.pack.content import ChartData, Pack, Rendered

WIDTH, HEIGHT = Emu(12192000), Emu(6858000)  # 13.333 x 7.5 inches: PowerPoint's own 16:9
MARGIN = Inches(0.5)
TITLE_ONLY = 5  # the default template's "Title Only" layout
ROWS_PER_SLIDE = 12
TEXT_PT = 12  # the smallest size text of any length is set in on a slide (readable when projected)
CHARACTER_EM = 0.55  # an average character's width in ems (DejaVu and Calibri are narrower: the estimate is safe)
LINE_SPACING = 1.3  # a line's height in ems
CONTINUED_HEIGHT = 5.9  # inches of text on a continuation slide, below its title


def _rgb(colour: str) -> RGBColor:
    """'#12436D' as an RGBColor."""
    return RGBColor.from_string(colour.lstrip("#").upper())


class Deck:
    """A presentation being written: slides with a title, text, tables and charts."""

    def __init__(self) -> None:
        """An empty 16:9 deck."""
        self.prs = Presentation()
        self.prs.slide_width, self.prs.slide_height = WIDTH, HEIGHT

    def slide(self, title: str) -> Slide:
        """A new slide with its title across the top."""
        slide = self.prs.slides.add_slide(self.prs.slide_layouts[TITLE_ONLY])
        heading = slide.shapes.title
        heading.left, heading.top, heading.width, heading.height = MARGIN, Inches(0.25), WIDTH - 2 * MARGIN, Inches(0.9)
        heading.text = visible(title)
        frame = heading.text_frame
        frame.word_wrap = True
        for paragraph in frame.paragraphs:
            paragraph.alignment = PP_ALIGN.LEFT
            for run in paragraph.runs:
                run.font.size, run.font.bold, run.font.color.rgb = Pt(26), True, _rgb(palette.DARK_BLUE)
        return slide

    @staticmethod
    def text(
        slide: Slide,
        lines: Iterable[str],
        top: float,
        height: float,
        size: int = 14,
        left: float = 0.5,
        width: float = 12.33,
        shrink: bool = True,
    ) -> None:
        """A text box of short lines (inches) that fit it; text shrinks to fit when opened. Text of any length goes
        through flow(), which continues it on further slides instead."""
        box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
        frame = box.text_frame
        frame.word_wrap = True
        frame.auto_size = MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE if shrink else MSO_AUTO_SIZE.NONE
        for index, line in enumerate(lines):
            paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
            paragraph.text = visible(line)
            paragraph.font.size = Pt(size)
            paragraph.font.color.rgb = _rgb(palette.DARK_GREY)

    @staticmethod
    def table(slide: Slide, rows: list[list[str]], top: float, height: float, size: int = 11) -> None:
        """A table, header row first (inches)."""
        shape = slide.shapes.add_table(
            len(rows), len(rows[0]), MARGIN, Inches(top), Emu(WIDTH - 2 * MARGIN), Inches(height)
        )
        table = shape.table
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                cell = table.cell(r, c)
                cell.text = visible(value)
                for paragraph in cell.text_frame.paragraphs:
                    paragraph.font.size = Pt(size)
                    paragraph.font.bold = r == 0

    @staticmethod
    def chart(
        slide: Slide, data: ChartData, top: float, height: float, left: float = 0.5, width: float = 12.33
    ) -> None:
        """A native line chart of an XmR series: the values, the mean and the process limits (editable data)."""
        chart_data = CategoryChartData()
        chart_data.categories = [f"{m:%b %Y}" for m in data.months]
        chart_data.add_series(f"{data.title} ({data.unit})", data.values)
        chart_data.add_series("Mean", data.mean)
        chart_data.add_series("Lower process limit", data.lower)
        chart_data.add_series("Upper process limit", data.upper)
        frame = slide.shapes.add_chart(
            XL_CHART_TYPE.LINE_MARKERS,
            Inches(left),
            Inches(top),
            Inches(width),
            Inches(height),
            chart_data,  # type: ignore[arg-type] # a CategoryChartData is a ChartData
        )
        chart = frame.chart  # type: ignore[attr-defined] # add_chart returns the graphic frame
        chart.has_legend = True
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
        colours = (palette.DARK_BLUE, palette.DARK_GREY, palette.MID_GREY, palette.MID_GREY)
        for series, colour in zip(chart.plots[0].series, colours, strict=True):
            series.format.line.color.rgb = _rgb(colour)
            series.smooth = False
        for series in list(chart.plots[0].series)[1:]:
            series.marker.style = XL_MARKER_STYLE.NONE
            series.format.line.dash_style = 4  # dash: the mean and limits are reference lines, not data

    @staticmethod
    def bars(slide: Slide, bars: list[tuple[str, float, bool]], top: float, height: float) -> None:
        """A native bar chart of the ranked areas' rates, lowest first, the partnership's bar dark blue and named."""
        chart_data = CategoryChartData()
        chart_data.categories = [f"{name} (this partnership)" if own else name for name, _, own in bars]
        chart_data.add_series("Crimes per 1,000 residents", [round(rate, 2) for _, rate, _ in bars])
        frame = slide.shapes.add_chart(
            XL_CHART_TYPE.BAR_CLUSTERED,
            Inches(0.5),
            Inches(top),
            Inches(12.33),
            Inches(height),
            chart_data,  # type: ignore[arg-type] # a CategoryChartData is a ChartData
        )
        chart = frame.chart  # type: ignore[attr-defined] # add_chart returns the graphic frame
        chart.has_legend = False
        plot = chart.plots[0]
        plot.has_data_labels = True
        plot.data_labels.number_format = "0.00"
        plot.data_labels.number_format_is_linked = False
        chart.category_axis.reverse_order = True  # lowest first, at the top, as on the Peers page
        for point, (_, _, own) in zip(plot.series[0].points, bars, strict=True):
            point.format.fill.solid()
            point.format.fill.fore_color.rgb = _rgb(palette.DARK_BLUE if own else palette.MID_GREY)

    def flow(self, slide: Slide, title: str, lines: list[str], top: float, height: float, size: int = TEXT_PT) -> None:
        """Text of any length from top (inches) on slide, continued on "title (continued)" slides below the title
        as often as it needs, never smaller than size points (a 4,000-character report once shrank to 2 pt)."""
        size = max(size, TEXT_PT)
        pages = text_pages(lines, 12.33, height, size)
        self.text(slide, pages[0], top, height, size, shrink=False)
        for page in pages[1:]:
            self.text(self.slide(f"{title} (continued)"), page, 1.2, CONTINUED_HEIGHT, size, shrink=False)

    def save(self) -> bytes:
        """The .pptx file's bytes."""
        buffer = io.BytesIO()
        self.prs.save(buffer)
        return buffer.getvalue()


def text_pages(lines: list[str], width: float, height: float, size: int) -> list[list[str]]:
    """Lines (each may hold line breaks) split into pages that fit a box of width x height inches at size points:
    the first page for that box, the rest for a continuation slide's CONTINUED_HEIGHT. Widths are estimated
    generously (a character at CHARACTER_EM of the size; wide CJK characters as two), so a page never overflows."""
    per_line = max(20, int(width * 72 / (size * CHARACTER_EM)))
    pages: list[list[str]] = [[]]
    room = max(1, int(height * 72 / (size * LINE_SPACING)))
    for line in lines:
        for paragraph in str(line).split("\n"):
            wrapped = textwrap.wrap(paragraph, _narrow(per_line, paragraph)) or [""]
            start = 0
            while start < len(wrapped):
                if room <= 0:
                    pages.append([])
                    room = max(1, int(CONTINUED_HEIGHT * 72 / (size * LINE_SPACING)))
                taken = wrapped[start : start + room]
                pages[-1].append(" ".join(taken))
                room -= len(taken)
                start += len(taken)
    return [page for page in pages if page] or [[""]]


def _narrow(per_line: int, paragraph: str) -> int:
    """Characters per line for a paragraph: half as many where it is mostly wide (East Asian) characters."""
    wide = sum(unicodedata.east_asian_width(c) in "WF" for c in paragraph)
    return max(10, per_line // 2) if wide * 2 > len(paragraph or " ") else per_line


def _chunks(rows: list[list[str]], size: int = ROWS_PER_SLIDE) -> list[list[list[str]]]:
    """Table rows split across slides, the header repeated on each."""
    header, body = rows[0], rows[1:]
    return [[header, *body[i : i + size]] for i in range(0, max(len(body), 1), size)]


def _hex_map(deck: Deck, slide: Slide, pack: Pack) -> None:
    """The ward hex map with native freeform hexagons, each named with its figure, and the legend beside it."""
    if not pack.ward_cells:
        deck.text(slide, ["No complete 12 months of crime are loaded yet."], 1.4, 1)
        return
    centres = {c.code: hexmap.centre_xy(c.q, c.r) for c in pack.ward_cells}
    xs, ys = [x for x, _ in centres.values()], [y for _, y in centres.values()]
    span_x, span_y = max(xs) - min(xs) + 2, max(ys) - min(ys) + 2
    scale = min(Inches(8.6) / span_x, Inches(5.6) / span_y)
    origin_x, origin_y = Inches(0.5) + scale, Inches(1.4) + scale
    for cell in pack.ward_cells:
        x, y = centres[cell.code]
        cx, cy = origin_x + (x - min(xs)) * scale, origin_y + (max(ys) - y) * scale
        corners = [hexmap.corner(cx, cy, scale, i) for i in range(6)]
        builder = slide.shapes.build_freeform(int(corners[0][0]), int(corners[0][1]))
        builder.add_line_segments([(int(a), int(b)) for a, b in corners[1:]], close=True)
        shape = builder.convert_to_shape()
        shape.fill.solid()
        shape.fill.fore_color.rgb = _rgb(cell.colour)
        shape.line.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
        shape.name = f"{cell.name}: {cell.shown}"
        label = slide.shapes.add_textbox(
            Emu(int(cx - scale)), Emu(int(cy - scale / 2)), Emu(int(2 * scale)), Emu(int(scale))
        )
        frame = label.text_frame
        frame.word_wrap = True
        for index, line in enumerate((*wording.ward_lines(cell.name), cell.shown)):
            paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
            paragraph.text, paragraph.alignment = line, PP_ALIGN.CENTER
            paragraph.font.size = Pt(7)
            paragraph.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF) if palette.is_dark(cell.colour) else RGBColor(0, 0, 0)
    deck.text(slide, ["Legend (colour and words)"], 1.4, 0.4, 12, 9.6, 3.3)
    for index, (colour, words) in enumerate(pack.ward_legend):
        top = 1.9 + index * 0.42
        swatch = slide.shapes.add_shape(
            MSO_SHAPE.RECTANGLE, Inches(9.6), Inches(top + 0.06), Inches(0.25), Inches(0.25)
        )
        swatch.fill.solid()
        swatch.fill.fore_color.rgb = _rgb(colour)
        deck.text(slide, [words], top, 0.4, 11, 9.95, 3.0)
    deck.text(
        slide,
        ["Each hexagon is a ward, named with its figure: '<5' and '[c]' are hidden by disclosure control."],
        1.9 + len(pack.ward_legend) * 0.42 + 0.2,
        1.0,
        10,
        9.6,
        3.3,
    )


def write(pack: Pack) -> Rendered:
    """The pack as a .pptx file."""
    deck = Deck()
    cover = deck.slide(wording.cover_title())
    deck.text(cover, wording.cover_lines(pack), 1.5, 5, 20)

    exceptions = deck.slide(wording.EXCEPTIONS)
    deck.table(exceptions, wording.exception_rows(pack), 1.3, 5.5, 10)
    for kpi, report in pack.exceptions:
        title = f"{wording.EXCEPTION}: {kpi.name}"
        slide = deck.slide(title)
        deck.text(slide, wording.kpi_lines(kpi), 1.2, 2.2, 11, 0.5, 4.2)
        if kpi.chart is not None:  # the off-track KPI's chart beside its figures, not pages later
            deck.chart(slide, kpi.chart, 1.1, 2.3, 4.9, 7.9)
        deck.flow(slide, title, wording.report_lines(report), 3.5, 3.7, 13)

    for kpi in pack.headline:
        slide = deck.slide(f"{wording.HEADLINE}: {kpi.name}")
        deck.text(slide, wording.kpi_lines(kpi), 1.2, 5.8, 13, 0.5, 4.2)
        if kpi.chart is not None:
            deck.chart(slide, kpi.chart, 1.2, 5.8, 4.9, 7.9)

    since = deck.slide(wording.SINCE)
    deck.text(since, wording.since_lines(pack), 1.2, 5.8, 14)
    matrix = deck.slide(wording.MATRIX)
    deck.table(matrix, pack.matrix, 1.3, 4.5, 9)

    for priority in pack.priorities:
        title = f"{wording.PRIORITY} {priority['title']}"
        slide = deck.slide(title)
        rows = wording.priority_rows(priority)
        deck.table(slide, rows, 1.2, 0.35 * len(rows), 9)
        below = 1.4 + 0.35 * len(rows)
        deck.flow(slide, title, wording.priority_lines(priority), below, max(0.5, 7.1 - below))
        for kpi in priority["kpis"]:
            if kpi.chart is not None:
                chart_slide = deck.slide(f"{wording.PRIORITY} {priority['title'].split('.')[0]}: {kpi.name}")
                deck.text(chart_slide, wording.kpi_lines(kpi), 1.2, 5.8, 12, 0.5, 4.2)
                deck.chart(chart_slide, kpi.chart, 1.2, 5.8, 4.9, 7.9)

    for index, rows in enumerate(_chunks(pack.crime_rows)):
        slide = deck.slide(pack.crime_title + (" (continued)" if index else ""))
        deck.table(slide, rows, 1.2, 0.35 * len(rows), 10)
        deck.text(slide, [pack.crime_verdict, wording.CRIME_NOTE], 1.3 + 0.35 * len(rows), 1.2, 11)
    ward = deck.slide(f"{wording.WARD_MAP}: {pack.ward_title}")
    _hex_map(deck, ward, pack)

    peer_slide = deck.slide(wording.peers_title(pack))
    if pack.peers is not None:
        deck.bars(peer_slide, pack.peers.bars, 1.2, 4.3)
        deck.text(peer_slide, wording.peers_lines(pack), 5.6, 1.6, 11)
        for index, rows in enumerate(_chunks(pack.peers.rows)):
            slide = deck.slide(wording.peers_title(pack) + (" (table, continued)" if index else " (table)"))
            deck.table(slide, rows, 1.2, 0.35 * len(rows), 10)
    else:
        deck.text(peer_slide, wording.peers_lines(pack), 1.4, 1, 12)

    actions = deck.slide(wording.ACTIONS)
    deck.flow(actions, wording.ACTIONS, wording.action_lines(pack), 1.2, CONTINUED_HEIGHT)
    for title, rows in (
        (wording.ACTIONS_DUE, pack.actions_due),
        (wording.ACTIONS_LAST_TIME, pack.actions_raised_last_time),
        (wording.ACTIONS_HERE, pack.actions_raised_here),
    ):
        for index, chunk in enumerate(_chunks(rows)):
            slide = deck.slide(title + (" (continued)" if index else ""))
            deck.table(
                slide,
                chunk if len(chunk) > 1 else [chunk[0], ["", "None", "", "", "", "", ""]],
                1.2,
                0.4 * max(len(chunk), 2),
                10,
            )

    for index, rows in enumerate(_chunks(pack.sources, 6)):
        slide = deck.slide(wording.SOURCES + (" (continued)" if index else ""))
        deck.table(slide, rows, 1.2, 5.2, 8)
        if index == 0:
            deck.text(slide, [pack.disclosure_note], 6.6, 0.7, 9)
    return Rendered(deck.save())
