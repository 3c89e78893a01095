"""The board pack (issue 18) on both backends: the PowerPoint opened with python-pptx (sections in order, native charts
whose data equals `saferleeds kpi values`, disclosure control on the ward map, the illustrative notice exactly when
illustrative values are present, the leads' reports and the actions), the PDF read back with poppler (its text holds
the headline figures; pages rendered to artefacts/ for review), the PowerPoint converted by LibreOffice headless, and
bad input refused with one line and nothing half-written."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from datetime import date
from pathlib import Path

import pytest
from pptx import Presentation
from sqlalchemy import text

from lib import cli
from lib.analysis import crime as crime_module
from lib.analysis import measures
from lib.core import periods, roles
from lib.ingest import meeting_records, versions
from lib.pack import content, files, wording
from lib.store import db, queries

MEETING = "2024-11-21"
CUTOFF = date(2024, 10, 31)
HEADLINE = ("DS1_RESPONSE", "DA_SAFETY_PLANS", "WALKSAFE_DOWNLOADS", "CRIME_TOTAL")
ARTEFACTS = Path(__file__).resolve().parents[1] / "artefacts" / "board-pack"
REQUIRE_TOOLS = os.environ.get("SAFERLEEDS_REQUIRE_TOOLS") == "1" or os.environ.get("CI") == "true"


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        if REQUIRE_TOOLS:
            pytest.fail(f"{name} is not installed, and CI requires it (.ci/run installs it)")
        pytest.skip(f"{name} is not installed (Debian: poppler-utils / libreoffice-impress-nogui)")
    return found


def _cli(capsys, url: str, *argv: str) -> tuple[int, str, str]:
    code = cli.main(["--database-url", url, *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _pack(capsys, url: str, path: Path) -> Path:
    code, out, err = _cli(capsys, url, "pack", "--meeting", MEETING, "--out", str(path), "--json")
    assert code == 0, err
    assert json.loads(out)["file"] == str(path)
    return path


def _titles(deck) -> list[str]:
    return [slide.shapes.title.text for slide in deck.slides]


def _all_text(deck) -> str:
    """Every word on every slide: text boxes, tables and chart data (categories and values)."""
    texts = []
    for slide in deck.slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                texts.append(shape.text_frame.text)
            if shape.has_table:
                texts += [cell.text for row in shape.table.rows for cell in row.cells]
            if shape.has_chart:
                plot = shape.chart.plots[0]
                texts += [str(c) for c in plot.categories]
                texts += [f"{v}" for series in plot.series for v in series.values]
    return "\n".join(texts)


def _section(title: str) -> int:
    return max(i for i, prefix in enumerate(wording.SECTION_ORDER) if title.startswith(prefix))


@pytest.fixture(scope="module")
def seeded_pack(module_seeded_url, tmp_path_factory):
    """Both files for the seeded data's last meeting, written once through the command line."""
    folder = tmp_path_factory.mktemp("pack")
    for suffix in (".pptx", ".pdf"):
        assert (
            cli.main(
                [
                    "--database-url",
                    module_seeded_url,
                    "pack",
                    "--meeting",
                    MEETING,
                    "--out",
                    str(folder / f"pack{suffix}"),
                ]
            )
            == 0
        )
    return module_seeded_url, folder / "pack.pptx", folder / "pack.pdf"


def test_slides_follow_the_pack_order_and_every_section_is_there(seeded_pack):
    _, pptx, _ = seeded_pack
    deck = Presentation(str(pptx))
    assert (deck.slide_width, deck.slide_height) == (12192000, 6858000)  # 16:9
    titles = _titles(deck)
    order = [_section(t) for t in titles]
    assert order == sorted(order), titles
    assert set(order) == set(range(len(wording.SECTION_ORDER))), titles
    assert titles[0] == wording.cover_title() and titles[1] == wording.EXCEPTIONS
    assert [t for t in titles if t.startswith(f"{wording.EXCEPTION}:")] == [
        "Exception: Noise calls to service from the DS1 area",
        "Exception: WalkSafe Leeds app downloads",
    ]


def test_headline_charts_are_native_and_hold_exactly_the_kpi_values_to_the_cut_off(seeded_pack, capsys):
    url, pptx, _ = seeded_pack
    deck = Presentation(str(pptx))
    by_title = {slide.shapes.title.text: slide for slide in deck.slides}
    for code in HEADLINE:
        _, out, _ = _cli(capsys, url, "kpi", "values", code, "--json")
        monthly = [
            r["value"]
            for r in json.loads(out)
            if r["period_end"] <= CUTOFF.isoformat()
            and periods.is_calendar_month(date.fromisoformat(r["period_start"]), date.fromisoformat(r["period_end"]))
        ]
        slide = next(s for t, s in by_title.items() if t.startswith(wording.HEADLINE) and code_name(url, code) in t)
        charts = [shape.chart for shape in slide.shapes if shape.has_chart]
        assert len(charts) == 1, f"{code}: one native chart, not a picture"
        values = list(charts[0].plots[0].series[0].values)
        assert values == monthly, code
        assert [s.name for s in charts[0].plots[0].series][1:] == ["Mean", "Lower process limit", "Upper process limit"]
        assert not [shape for shape in slide.shapes if shape.shape_type == 13], "no pictures"  # 13: PICTURE


def code_name(url: str, code: str) -> str:
    return queries.kpi_catalogue(url).set_index("code").loc[code, "name"]


def test_the_illustrative_notice_is_on_the_cover_of_a_pack_with_illustrative_values(seeded_pack):
    _, pptx, pdf = seeded_pack
    cover = Presentation(str(pptx)).slides[0]
    assert wording.ILLUSTRATIVE_NOTICE in "\n".join(s.text_frame.text for s in cover.shapes if s.has_text_frame)
    pdftotext = _tool("pdftotext")
    words = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "ILLUSTRATIVE" in words


def test_a_pack_of_real_values_only_has_no_illustrative_notice(seeded_url, tmp_path, capsys):
    with db.get_engine(seeded_url).begin() as connection:
        for table in ("kpivalue", "crimemonthly", "crimecitymonthly"):
            connection.execute(text(f"DELETE FROM {table} WHERE illustrative"))
        versions.bump(connection)
    deck = Presentation(str(_pack(capsys, seeded_url, tmp_path / "real.pptx")))
    assert wording.ILLUSTRATIVE_NOTICE not in _all_text(deck)
    assert "ILLUSTRATIVE" not in _all_text(deck)


def test_the_pdf_holds_the_headline_figures_is_tagged_and_is_rendered_for_review(seeded_pack):
    url, _, pdf = seeded_pack
    pack = content.build(url, date.fromisoformat(MEETING))
    words = subprocess.run([_tool("pdftotext"), str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(words.split())
    for kpi in pack.headline:
        assert kpi.value in flat, kpi.code
    for heading in (wording.EXCEPTIONS, wording.SINCE, wording.ACTIONS, wording.SOURCES):
        assert heading in flat
    info = subprocess.run([_tool("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "Tagged:          yes" in info and "841.89 x 595.28" in info  # A4 landscape
    assert b"/Outlines" in pdf.read_bytes()  # bookmarks, one per section
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    backend = "postgresql" if url.startswith("postgresql") else "sqlite"
    subprocess.run([_tool("pdftoppm"), "-r", "50", "-png", str(pdf), str(ARTEFACTS / f"{backend}-page")], check=True)
    assert len(list(ARTEFACTS.glob(f"{backend}-page-*.png"))) >= 10


def _converted(pptx: Path, folder: Path) -> Path:
    """The PowerPoint as LibreOffice renders it, as PDF (its own profile in folder)."""
    result = subprocess.run(
        [
            _tool("soffice"),
            f"-env:UserInstallation=file://{folder}/profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(pptx),
        ],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr
    return folder / f"{pptx.stem}.pdf"


def test_libreoffice_converts_the_powerpoint_without_errors(seeded_pack, tmp_path):
    _, pptx, _ = seeded_pack
    converted = _converted(pptx, tmp_path)
    assert converted.is_file() and converted.stat().st_size > 10_000
    info = subprocess.run([_tool("pdfinfo"), str(converted)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert pages == len(Presentation(str(pptx)).slides)


def test_suppressed_ward_figures_show_only_as_hidden_marks(seeded_url, tmp_path, capsys):
    """One ward given three violent or sexual offences (and no other crime) in the map's 12 months: its count is
    primary-suppressed, and another ward must be hidden too (so Leeds minus the rest does not give it away); both
    show only as '<5' or '[c]'."""
    ward = "E05011394"
    violence = "Violence and sexual offences"
    with db.get_engine(seeded_url).begin() as connection:
        connection.execute(text("UPDATE crimemonthly SET count = 0 WHERE ward_code = :w"), {"w": ward})
        connection.execute(
            text("UPDATE crimemonthly SET count = 3 WHERE ward_code = :w AND month = :m AND crime_type = :t"),
            {"w": ward, "m": date(2024, 3, 1), "t": violence},
        )
        versions.bump(connection)
    measure = measures.get(seeded_url, content.WARD_MEASURE)
    period = measures.latest_period(seeded_url, measure, CUTOFF)
    assert period == periods.parse("fy:2023")  # all crime holds a sensitive type: by ward, financial years only
    table = measures.ward_table(seeded_url, measure.id, period, measures.RATE).wards
    hidden = table[table["suppressed"].astype(bool)]
    assert ward in set(hidden["ward_code"]) and len(hidden) >= 2
    deck = Presentation(str(_pack(capsys, seeded_url, tmp_path / "hidden.pptx")))
    ward_slide = next(s for s in deck.slides if s.shapes.title.text.startswith(wording.WARD_MAP))
    labels = {shape.name.split(": ")[0]: shape.name.split(": ")[1] for shape in ward_slide.shapes if ": " in shape.name}
    for row in hidden.to_dict(orient="records"):
        assert labels[row["ward_name"]] in ("<5", "[c]"), row["ward_name"]
    everything = _all_text(deck)
    for row in hidden.to_dict(orient="records"):
        name = "\n".join(wording.ward_lines(row["ward_name"]))
        assert f"{name}\n<5" in everything or f"{name}\n[c]" in everything


def test_reports_actions_and_decisions_are_in_the_pack(seeded_url, tmp_path, capsys):
    acting, day = roles.operator("tester"), date.fromisoformat(MEETING)
    meeting_records.set_report(seeded_url, acting, "DS1_CALLS", day, "Calls rose after the summer.", submit=True)
    meeting_records.add_action(seeded_url, acting, date(2024, 9, 19), "lead@leeds.test", day, "Review the noise rota")
    meeting_records.add_decision(seeded_url, acting, day, "Fund a second noise officer")
    deck = Presentation(str(_pack(capsys, seeded_url, tmp_path / "meeting.pptx")))
    everything = _all_text(deck)
    assert "What is happening: Calls rose after the summer." in everything
    assert "No report: the priority lead has not submitted an exception report." in everything  # WalkSafe's
    assert "Review the noise rota" in everything and "Fund a second noise officer" in everything


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--meeting", "2024-11-25", "--out", "{tmp}/x.pptx"], "the nearest are 2024-07-18, 2024-09-19, 2024-11-21"),
        (["--meeting", "25/11/2024", "--out", "{tmp}/x.pptx"], "YYYY-MM-DD"),
        (["--meeting", MEETING, "--out", "{tmp}/x.docx"], "written as .pptx (PowerPoint) or .pdf"),
        (["--meeting", MEETING, "--out", "{tmp}/missing/x.pdf"], "does not exist"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(shared_seeded_url, tmp_path, capsys, argv, message):
    code, out, err = _cli(capsys, shared_seeded_url, "pack", *[a.format(tmp=tmp_path) for a in argv])
    assert code == 1 and out == "" and len(err.strip().splitlines()) == 1 and message in err, err
    assert list(tmp_path.iterdir()) == []


def test_a_failed_write_leaves_no_half_written_pack(shared_seeded_url, tmp_path, monkeypatch):
    target = tmp_path / "pack.pdf"
    target.write_bytes(b"last meeting's pack")

    def refuse(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "replace", refuse)
    with pytest.raises(ValueError, match="No space left on device"):
        files.write(shared_seeded_url, date.fromisoformat(MEETING), target)
    assert target.read_bytes() == b"last meeting's pack" and [p.name for p in tmp_path.iterdir()] == ["pack.pdf"]


def _words(prefix: str, limit: int) -> str:
    """Prose of distinct words filling limit characters exactly (every word can be looked for in the output)."""
    words, length, step = [], -1, len(prefix) + 5
    while length + step <= limit:
        words.append(f"{prefix}{len(words):04d}")
        length += step
    prose = " ".join(words)
    return prose + "x" * (limit - len(prose))


def test_every_text_field_at_its_limit_is_in_both_formats_in_full(seeded_url, tmp_path, capsys):
    """An action of 1,000 characters (or 50 short lines) once made the PDF fail: long cells continue across pages."""
    acting, day = roles.operator("tester"), date.fromisoformat(MEETING)
    limits = meeting_records
    report = {
        part: _words(letter, limits.REPORT_LIMIT)
        for part, letter in (("happening", "h"), ("doing", "d"), ("help", "k"))
    }
    meeting_records.set_report(
        seeded_url, acting, "DS1_CALLS", day, report["happening"], report["doing"], None, report["help"], submit=True
    )
    prose = _words("a", limits.ACTION_LIMIT)
    lines = "\n".join(f"line{n:02d}" for n in range(50))
    for body in (prose, lines):
        action = meeting_records.add_action(seeded_url, acting, date(2024, 9, 19), "lead@leeds.test", day, body)
        meeting_records.update_action(seeded_url, acting, action, note=_words("n", limits.NOTE_LIMIT))
    meeting_records.add_decision(seeded_url, acting, day, _words("c", limits.DECISION_LIMIT))
    typed = [w for t in (*report.values(), prose, lines, _words("c", limits.DECISION_LIMIT)) for w in t.split()]

    deck = _all_text(Presentation(str(_pack(capsys, seeded_url, tmp_path / "full.pptx"))))
    pdf = _pack(capsys, seeded_url, tmp_path / "full.pdf")
    words = set(
        subprocess.run([_tool("pdftotext"), str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split()
    )
    missing = [w for w in typed if w not in words]
    assert missing == [], f"{len(missing)} of {len(typed)} typed words are not in the PDF: {missing[:20]}"
    assert [w for w in typed if w not in deck] == []


def test_no_change_is_called_significant_before_24_months_are_loaded(shared_seeded_url):
    """With crime from April 2021, the pack for 20 May 2021 once said "+1,658,200% ... (significant increase)"."""
    first = date(2021, 5, 20)
    assert first in set(queries.meetings(shared_seeded_url)["meeting_date"])  # the demo's first meeting
    early = content.build(shared_seeded_url, first)
    assert crime_module.NOT_ENOUGH_MONTHS in early.crime_verdict and "%" not in early.crime_verdict
    assert {row[3] for row in early.crime_rows[1:]} == {""}
    assert {row[4] for row in early.crime_rows[1:]} == {crime_module.NOT_ENOUGH_MONTHS}
    assert not early.ward_title.lower().startswith(wording.WARD_MAP.lower())

    later = content.build(shared_seeded_url, date.fromisoformat(MEETING))
    assert "% on the 12 months before" in later.crime_verdict
    assert crime_module.NOT_ENOUGH_MONTHS not in {row[4] for row in later.crime_rows[1:]}


LANGUAGES = {  # a few words in the languages of Leeds's larger communities, and two the base font already has
    "Urdu": "\u0627\u0631\u062f\u0648 \u0632\u0628\u0627\u0646",
    "Punjabi": "\u0a2a\u0a70\u0a1c\u0a3e\u0a2c\u0a40 \u0a2d\u0a3e\u0a36\u0a3e",
    "Bengali": "\u09ac\u09be\u0982\u09b2\u09be \u09ad\u09be\u09b7\u09be",
    "Hindi": "\u0939\u093f\u0928\u094d\u0926\u0940 \u092d\u093e\u0937\u093e",
    "Polish": "za\u017c\u00f3\u0142\u0107 g\u0119\u015bl\u0105 ja\u017a\u0144",
    "Greek": "\u0395\u03bb\u03bb\u03b7\u03bd\u03b9\u03ba\u03ac",
    "Chinese": "\u4e2d\u6587\u6c49\u5b57",
}


def _squeezed(text: str) -> str:
    """Text without spaces or invisible direction marks (pdftotext adds both around shaped and right-to-left runs)."""
    return "".join(c for c in text if not c.isspace() and c not in "\u202a\u202b\u202c\u200e\u200f")


def test_every_script_of_a_decision_prints_and_what_cannot_is_marked_and_said(seeded_url, tmp_path, capsys, caplog):
    """Punjabi, Bengali, Hindi and Chinese once printed as blanks, said only by a raw fpdf2 line on stderr."""
    _tool("pdffonts")
    day = date.fromisoformat(MEETING)
    typed = " ".join(f"{language}: {words}." for language, words in LANGUAGES.items())
    meeting_records.add_decision(seeded_url, roles.operator("tester"), day, typed)
    meeting_records.add_decision(seeded_url, roles.operator("tester"), day, "Linear B \U00010000 is not printable")
    path = tmp_path / "languages.pdf"
    code, out, err = _cli(capsys, seeded_url, "pack", "--meeting", MEETING, "--out", str(path), "--json")
    assert code == 0, err
    words = _squeezed(subprocess.run([_tool("pdftotext"), str(path), "-"], capture_output=True, text=True).stdout)
    assert [language for language, sample in LANGUAGES.items() if _squeezed(sample) not in words] == []
    fonts = subprocess.run([_tool("pdffonts"), str(path)], capture_output=True, text=True, check=True).stdout
    assert [
        n for n in ("NotoSansGurmukhi", "NotoSansBengali", "NotoSansDevanagari", "NotoSansCJK") if n not in fonts
    ] == [], fonts
    assert "LinearB\u25a1isnotprintable" in words  # the character no font has is marked where it was
    notes = json.loads(out)["notes"]
    assert len(notes) == 1 and "1 character typed could not be printed" in notes[0] and "U+10000" in notes[0]
    assert not [r for r in caplog.records if "missing the following glyphs" in r.getMessage()]


def _word_boxes(pdf: Path) -> list[tuple[str, float, float, float]]:
    """Every word pdftotext finds, with its height and how far its bottom and right edge lie inside the page
    (negative: off the page)."""
    html = subprocess.run(
        [_tool("pdftotext"), "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    boxes = []
    for page in re.finditer(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', html, re.S):
        width, height = float(page[1]), float(page[2])
        for word in re.finditer(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', page[3]
        ):
            x0, y0, x1, y1 = (float(word[i]) for i in range(1, 5))
            boxes.append((word[5], y1 - y0, height - y1, width - x1))
    return boxes


def test_long_reports_commentary_and_decisions_continue_on_slides_at_a_readable_size(seeded_url, tmp_path, capsys):
    """A 4,000-character report once shrank to about 2 pt in LibreOffice and ran off the slide in PowerPoint."""
    acting, day = roles.operator("tester"), date.fromisoformat(MEETING)
    parts = {letter: _words(letter, meeting_records.REPORT_LIMIT) for letter in "hdk"}
    meeting_records.set_report(seeded_url, acting, "DS1_CALLS", day, parts["h"], parts["d"], None, parts["k"], True)
    commentary = _words("m", meeting_records.REPORT_LIMIT)  # on a KPI that is not off track: the priority's slide
    meeting_records.set_report(seeded_url, acting, "DS1_RESPONSE", day, commentary, "More to do", None, "", True)
    decisions = [_words(f"q{n}", meeting_records.DECISION_LIMIT) for n in range(3)]
    for n, body in enumerate(decisions):
        meeting_records.add_decision(seeded_url, acting, day, body, 1, f"Member {n}")
    pptx = _pack(capsys, seeded_url, tmp_path / "long.pptx")

    deck = Presentation(str(pptx))
    titles = _titles(deck)
    assert sum(t.startswith(f"{wording.EXCEPTION}:") and t.endswith("(continued)") for t in titles) >= 2
    assert any(t.startswith(f"{wording.PRIORITY} 1.") and t.endswith("(continued)") for t in titles)
    assert any(t == f"{wording.ACTIONS} (continued)" for t in titles)
    everything = _all_text(deck)
    assert "What is being done: More to do" in everything  # commentary carries every part, not only the first
    assert "priority 1. " in everything and "proposed by Member 2" in everything

    typed = [w for t in (*parts.values(), commentary, *decisions) for w in t.split()]
    boxes = _word_boxes(_converted(pptx, tmp_path))
    found = {word: (size, below, right) for word, size, below, right in boxes}
    assert [w for w in typed if w not in found] == []
    assert min(found[w][0] for w in typed) >= 10  # points: readable projected (2 pt before)
    assert min(min(found[w][1], found[w][2]) for w in typed) >= 0  # nothing runs off a slide


def test_ward_names_are_whole_and_tables_name_kpis_in_words(seeded_pack):
    """The hex map cut 10 of 33 ward names ("Calverley & Fars…"); the matrix and sources led with codes; the
    exceptions had no chart until pages later."""
    url, pptx, pdf = seeded_pack
    names = queries.wards(url)["name"].tolist()
    deck = Presentation(str(pptx))
    ward_slide = next(s for s in deck.slides if s.shapes.title.text.startswith(wording.WARD_MAP))
    labels = [" ".join(p.text for p in s.text_frame.paragraphs[:-1]) for s in ward_slide.shapes if s.has_text_frame]
    assert [n for n in names if n not in labels] == []
    pages = subprocess.run([_tool("pdftotext"), str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    map_page = next(p for p in pages.split("\f") if p.lstrip().startswith(wording.WARD_MAP))
    assert "\u2026" not in map_page
    assert [n for n in names if not all(part in map_page for part in wording.ward_lines(n))] == []

    catalogue = queries.kpi_catalogue(url)
    matrix = next(s for s in deck.slides if s.shapes.title.text == wording.MATRIX)
    cells = next(s for s in matrix.shapes if s.has_table).table
    text = "\n".join(c.text for row in cells.rows for c in row.cells)
    assert [code for code in catalogue["code"] if code in text] == []
    assert sum(name in text for name in catalogue["name"]) == len(catalogue)
    sources = next(s for s in deck.slides if s.shapes.title.text == wording.SOURCES)
    first = [row.cells[0].text for row in next(s for s in sources.shapes if s.has_table).table.rows][1:]
    assert all(any(cell.startswith(name) for name in catalogue["name"]) for cell in first)

    exceptions = [s for s in deck.slides if s.shapes.title.text.startswith(f"{wording.EXCEPTION}: ")]
    assert exceptions and all(any(shape.has_chart for shape in s.shapes) for s in exceptions)


def test_a_pack_gets_the_umasks_mode_and_killed_runs_leave_nothing_behind(shared_seeded_url, tmp_path):
    """Packs were written 0600 whatever the umask (mkstemp's mode survived the rename), and a killed run's
    .pack.pptx.XXXX.part stayed for ever."""
    stale, fresh = tmp_path / ".pack.pptx.abc123.part", tmp_path / ".pack.pptx.def456.part"
    for part in (stale, fresh):
        part.write_bytes(b"half a pack")
    two_hours_ago = time.time() - 7200
    os.utime(stale, (two_hours_ago, two_hours_ago))
    before = os.umask(0o022)
    try:
        path, _ = files.write(shared_seeded_url, date.fromisoformat(MEETING), tmp_path / "pack.pptx")
    finally:
        os.umask(before)
    assert path.stat().st_mode & 0o777 == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == [fresh.name, "pack.pptx"]  # a run still writing is kept
    path.chmod(0o640)
    files.write(shared_seeded_url, date.fromisoformat(MEETING), path)
    assert path.stat().st_mode & 0o777 == 0o640  # a pack written over keeps the mode it was given
