"""Pages as a teacher prints them: every template and the sheets the buttons write, rendered by LibreOffice.

One LibreOffice run renders the committed templates and a clean project after Score and Summary (run on real
xlwings books, their actions applied with tests/support/apply.py) to PDF; the text layer (pdftotext) and the page
count show what a printed page holds. The layout's own promises (page breaks never inside a question and its
answer box, a table or a scale; no page of a few orphan rows) are checked on the layout, and the PDF proves
LibreOffice printed exactly the pages the layout planned (an overflow would add a page). Every text cell of
every template and of the sheets the buttons write is found whole in the PDF's text layer, which holds only
what shows of a cell clipped by the next one (proved on copies with a column narrowed).
"""

from __future__ import annotations

import html
import math
import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import render_pdfs
from hypothesis import given
from hypothesis import strategies as st
from support.apply import apply_actions

import sipxl.excel.xlremote  # noqa: F401  (sets the xlwings environment before anything imports xlwings)
from sipxl.excel import buttons, pages
from sipxl.excel.payload import payload_from_xlsx
from sipxl.excel.xlremote import book_from_payload
from sipxl.io.build import build_template
from sipxl.sample import build_clean_project, clean_values, fill_project
from sipxl.spec import all_templates, layout_template
from sipxl.spec.layout import height, lines, report_slots
from sipxl.spec.model import Field, Heading, ItemGrid, PrintedTable, Table
from sipxl.spec.reports import ISSUES_WIDTHS, SCORES_SLOTS, SCORES_WIDTHS, SUMMARY_WIDTHS

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = {t.kind: t for t in all_templates()}
FOOTER = re.compile(r"^\s*(\S+\.xlsx)\s+(.*?)\s+Page (\d+) of (\d+)\s*$")


def _pages(pdf: Path) -> list[tuple[str, str]]:
    """(sheet name from the footer, page text) of every page."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    out = []
    for page in text.split("\f"):
        body = [line for line in page.splitlines() if line.strip()]
        if not body:
            continue
        m = FOOTER.match(body[-1])
        assert m, f"{pdf.name}: a page without the footer (file, sheet, page): {body[-1]!r}"
        out.append((m.group(2), "\n".join(body[:-1])))
    return out


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


def _word_boxes(pdf: Path, only: str | None = None, width: list[float] | None = None) -> list[tuple[str, list[Word]]]:
    """(sheet name from the footer, the page's words with their boxes in points) of every page; where `only` is
    given, the PDF prints that one sheet, without a footer. `width`, if given, receives each page's width."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    xml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    out = []
    for size, page in re.findall(r'<page width="([\d.]+)"[^>]*>(.*?)</page>', xml, re.S):
        words = [Word(html.unescape(t), float(a), float(b), float(c), float(d)) for a, b, c, d, t in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', page)]
        if not words:
            continue
        if width is not None:
            width.append(float(size))
        if only is not None:
            out.append((only, words))
            continue
        bottom = max(w.y0 for w in words)  # the footer: file, sheet, "Page n of m"
        footer = sorted((w for w in words if abs(w.y0 - bottom) < 2), key=lambda w: w.x0)
        assert footer[0].text.endswith(".xlsx") and [w.text for w in footer[-4:-2]] == ["Page", footer[-3].text]
        middle = footer[1:-4]  # the file, the sheet, "Page n of m"
        out.append((" ".join(w.text for w in middle), [w for w in words if abs(w.y0 - bottom) >= 2]))
    return out


def _column_text(words: list[Word], x0: float, x1: float, top: float) -> str:
    """The words between x0 and x1 from `top` down, line by line, up to the first gap of more than a line."""
    lines: dict[float, list[Word]] = {}
    for w in words:
        if x0 - 1 <= w.x0 and w.x1 <= x1 + 1 and w.y0 > top:
            lines.setdefault(round(w.y0), []).append(w)
    out, last = [], top
    for y in sorted(lines):
        if y - last > 20:
            break
        out += [w.text for w in sorted(lines[y], key=lambda w: w.x0)]
        last = y
    return " ".join(out)


def _metric_fonts() -> None:
    """Skip unless Arial and Calibri print as their metric twins (Liberation Sans, Carlito): with another font
    LibreOffice's columns come out wider than Excel's and the pages would not be Excel's."""
    if shutil.which("fc-match") is None:
        pytest.skip("fontconfig (fc-match) is not installed")
    for font, twin in (("Arial", "Liberation Sans"), ("Calibri", "Carlito")):
        got = subprocess.run(["fc-match", "-f", "%{family}", font], capture_output=True, text=True).stdout
        if twin not in got:
            pytest.skip(f"{font} prints as {got!r}: install fonts-liberation and fonts-crosextra-carlito")


NARROW = 12.0  # column A's width in the deliberately narrowed copies of the button-written sheets


def _narrowed(src: Path, dst: Path) -> Path:
    """A copy of a scored workbook whose Scores and Summary sheets have column A narrowed (labels cut)."""
    import openpyxl

    wb = openpyxl.load_workbook(src)
    for name in ("Scores", "Summary"):
        wb[name].column_dimensions["A"].width = NARROW
    wb.save(dst)
    return dst


@pytest.fixture(scope="module")
def printed_pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every template, a clean project after Score and after Summary, and those two with column A narrowed on
    the Scores and Summary sheets, printed to PDF (by file stem)."""
    _metric_fonts()
    tmp = tmp_path_factory.mktemp("print")
    clean = build_clean_project(tmp / "clean.xlsx", seed=2026)
    for button in ("score", "summary"):
        book = book_from_payload(payload_from_xlsx(clean, client="VBA"))
        buttons.BUTTONS[button](book)
        apply_actions(clean, book.json()["actions"], tmp / f"after_{button}.xlsx", client="VBA")
    paths = [ROOT / "workbook_templates" / t.filename for t in TEMPLATES.values()]
    paths += [tmp / "after_score.xlsx", tmp / "after_summary.xlsx"]
    paths += [_narrowed(tmp / f"after_{button}.xlsx", tmp / f"narrow_{button}.xlsx") for button in ("score", "summary")]
    pdfs = render_pdfs(paths, tmp / "pdf")
    return {p.stem: pdf for p, pdf in zip(paths, pdfs, strict=True)}


@pytest.fixture(scope="module")
def rendered(printed_pdfs: dict[str, Path]) -> dict[str, list[tuple[str, str]]]:
    """Every template, and a clean project after Score and after Summary, as printed pages."""
    return {stem: _pages(pdf) for stem, pdf in printed_pdfs.items()}


@pytest.mark.libreoffice
@pytest.mark.parametrize("kind", sorted(TEMPLATES))
def test_each_sheet_prints_the_pages_its_layout_plans(rendered, kind: str) -> None:
    template = TEMPLATES[kind]
    layout = layout_template(template)
    printed = rendered[template.filename[:-5]]
    got: dict[str, int] = {}
    for sheet, _ in printed:
        got[sheet] = got.get(sheet, 0) + 1
    planned = {s.name: (1 if s.report else layout.sheets[s.code].print.pages) for s in template.sheets}
    assert got == planned


@pytest.mark.libreoffice
@pytest.mark.parametrize("kind", sorted(TEMPLATES))
def test_every_page_names_its_sheet_school_and_project_and_shows_no_hashes(rendered, kind: str) -> None:
    template = TEMPLATES[kind]
    layout = layout_template(template)
    first_page: dict[str, str] = {}
    for sheet_name, text in rendered[template.filename[:-5]]:
        sheet = next(s for s in template.sheets if s.name == sheet_name)
        assert "###" not in text, f"{kind} {sheet_name}: a number too wide for its column"
        if not sheet.report:
            assert "fill in on the" in text, f"{kind} {sheet_name}: a page without the school and project line"
        title = next(b.text for b in sheet.blocks if isinstance(b, Heading) and b.level == 1)
        setup = layout.sheets[sheet.code].print
        if sheet_name not in first_page or setup.long_table is None:
            assert title in text, f"{kind} {sheet_name}: a page without the sheet's title"
        else:  # a long table's later pages repeat its title and header
            table = next(t for t in sheet.tables if t.key == setup.long_table)
            assert table.title in text and table.columns[0].label.split()[0] in text
        first_page.setdefault(sheet_name, text)


@pytest.mark.libreoffice
def test_each_step_starts_a_page_and_the_leuven_scale_prints_as_five_columns(rendered) -> None:
    printed = rendered["sipp_project"]
    for sheet in TEMPLATES["sipp_project"].sheets:
        for block in sheet.blocks:
            if isinstance(block, Heading) and block.new_page:
                tops = ["\n".join(text.splitlines()[:4]) for name, text in printed if name == sheet.name]
                assert any(block.text in top for top in tops), f"{sheet.name}: '{block.text}' is not at a page top"
    form = "\n".join(text for name, text in printed if name == "Observation form")
    assert re.search(r"1 - Disengaged\s+2 - Passive\s+3 - Intermittent\s+4 - Engaged\s+5 - Intense", form)
    for words in ("Pupil:", "Staff member:", "Location:", "What is the pupil playing with?", "☐ On their own",
                  "Observation comments", "Learning pathway for next play session"):
        assert words in form


@pytest.mark.parametrize("kind", sorted(TEMPLATES))
def test_page_breaks_keep_questions_tables_and_scales_whole(kind: str) -> None:
    """A break never falls between a question and its answer box, inside a short table, a grid or a printed
    table; a long table breaks only between rows under its repeated header, never leaving a few orphan rows."""
    template = TEMPLATES[kind]
    layout = layout_template(template)
    for sheet in template.sheets:
        if sheet.report:  # its breaks are the places of the blocks the buttons write (the Scores tests below)
            continue
        lay = layout.sheets[sheet.code]
        setup = lay.print
        inside: set[int] = set()
        for block in sheet.blocks:
            if isinstance(block, Field) and layout.fields[block.key].question_row is not None:
                inside.add(layout.fields[block.key].row)
            elif isinstance(block, Table):
                place = layout.tables[block.key]
                if block.key == setup.long_table:
                    inside.update(range(place.title_row + 1, place.first_row + 3))
                    inside.update(range(place.last_row - 3, place.last_row + len(block.footer) + 1))
                    assert setup.titles == (place.title_row, place.header_row)
                else:
                    inside.update(range(place.title_row + 1, place.last_row + len(block.footer) + 1))
            elif isinstance(block, ItemGrid):
                place = layout.grids[block.key]
                inside.update(range(place.title_row + 1, (place.change_row or place.total_row) + 1))
            elif isinstance(block, PrintedTable):
                place = layout.printed[block.key]
                inside.update(range(place.title_row + 1, place.rows[-1][0] + 1))
        assert not inside & set(setup.breaks), f"{kind} {sheet.name}: a break inside a block"
        if setup.long_table:  # its last page holds at least as many of its rows as the page before
            place = layout.tables[setup.long_table]
            cuts = [b for b in setup.breaks if place.first_row < b <= place.last_row]
            if cuts:
                previous = max([b for b in setup.breaks if b < cuts[-1]] + [place.first_row])
                assert place.last_row + 1 - cuts[-1] >= cuts[-1] - previous
        starts = [0, *setup.breaks, lay.last_row]
        for a, b in zip(starts, starts[1:], strict=False):
            assert height(lay, a, b - 1) > 0


def _cut_cells(rows: list[list], widths: tuple[float, ...]) -> list[str]:
    """Cells whose text is wider than their column while the next cell holds something (so it is cut)."""
    out = []
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if v is None or v == "":
                continue
            nxt = row[c + 1] if c + 1 < len(row) else None
            shown = f"{v:.2f}" if isinstance(v, float) else str(v)
            if nxt not in (None, "") and lines(shown, widths[c], bold=True) > 1:
                out.append(f"row {r + 1} col {c + 1}: {shown!r}")
    return out


@pytest.mark.libreoffice
def test_scores_and_summary_print_whole_on_fixed_widths(rendered, tmp_path: Path) -> None:
    score_pages = [text for name, text in rendered["after_score"] if name == "Scores"]
    summary_pages = [text for name, text in rendered["after_summary"] if name == "Summary"]
    assert len(summary_pages) == 1, "the Summary prints on one page"
    assert score_pages
    for text in score_pages + summary_pages:
        assert "###" not in text
    for text in score_pages:
        assert "Scores:" in text  # the title rows repeat on every page
    scores = "\n".join(score_pages)
    for words in ("Average change", "Size of the change", "For a psychologist: technical statistics",
                  "Hedges' g_av"):
        assert words in scores
    assert scores.index("Average change") < scores.index("For a psychologist") < scores.index("Hedges' g_av")
    summary = summary_pages[0]
    assert re.search(r"Participant\s+Before /60\s+After /60\s+Difference", summary)
    assert "Have the SMART outcomes been achieved?" in summary


@pytest.mark.parametrize("seed", [7, 2026])
def test_scores_and_summary_cells_fit_their_fixed_columns(tmp_path: Path, seed: int) -> None:
    from sipxl.engine import check_file

    fc = check_file(build_clean_project(tmp_path / "clean.xlsx", seed=seed))
    checked = pages.Checked(None, fc.content, fc.issues, fc.scores)
    scores, summary = pages.scores_page(checked), pages.summary_page(checked)
    assert not scores.fit and not summary.fit, "fixed widths: no autofit"
    assert _cut_cells(scores.rows, SCORES_WIDTHS) == []
    assert _cut_cells(summary.rows, SUMMARY_WIDTHS) == []
    counts = [f for f in scores.formats if f[4] == "0"]
    assert counts, "counts are shown as whole numbers"


@pytest.mark.parametrize("kind", sorted(TEMPLATES))
def test_long_tables_and_grids_keep_their_header_and_label_column_on_screen(kind: str) -> None:
    import openpyxl

    template = TEMPLATES[kind]
    layout = layout_template(template)
    wb = openpyxl.load_workbook(ROOT / "workbook_templates" / template.filename)
    for sheet in template.sheets:
        ws = wb[sheet.name]
        for grid in sheet.grids:
            place = layout.grids[grid.key]
            assert ws.freeze_panes == f"C{place.occasion_row + 2}", f"{kind} {sheet.name}: {ws.freeze_panes}"
        if not sheet.grids and any(t.rows >= 8 for t in sheet.tables):
            place = next(layout.tables[t.key] for t in sheet.tables if t.rows >= 8)
            if height(layout.sheets[sheet.code], 0, place.header_row) <= 220:
                assert ws.freeze_panes and ws.freeze_panes.endswith(str(place.header_row + 2)), \
                    f"{kind} {sheet.name}: {ws.freeze_panes}"


#: Seed 000, Appendix 2 (Playful Pedagogy observation sheet): the Leuven scale's five descriptors, word for word.
SEED_LEUVEN = (
    "Shows no interest in the play or the resources. May not interact with adults, peers or resources at all (or "
    "very minimal). May move away from the activity.",
    "Shows some interest in play and/ or resources. May or may not interact with adults or peers. Will show some "
    "interest in the resources. May appear unfocussed on the play. May only be engaged in the task for 30 seconds "
    "– 1 minute.",
    "Shows some interest in play and/ or resources. May interact with adults or peers. Will show interest in "
    "resources. May appear focused on the play. Will engage in task consistently for at least 1 minute.",
    "Shows interest in play and/ or resources. May interact with adults or peers. Will show interest in resources. "
    "Appears focused on play. Will engage in task consistently for at least half the time (2-3 minutes).",
    "Consistently engaged in the play for most of the activity time (4-5 minutes). Will show interest in "
    "resources. May interact with adults or peers. Focused on the play.",
)


@pytest.mark.libreoffice
@pytest.mark.parametrize(("stem", "expected"), [("sipp_project", 3), ("observation", 2)])
def test_the_leuven_scale_prints_the_seeds_descriptors_in_full(printed_pdfs, stem: str, expected: int) -> None:
    """Under each of the five levels, under each log and on the printable form, the seed's descriptor word for
    word."""
    scales = 0
    for sheet, words in _word_boxes(printed_pdfs[stem]):
        heads = [(w, words[k + 2]) for k, w in enumerate(words[:-2])
                 if w.text in "12345" and len(w.text) == 1 and words[k + 1].text == "-"
                 and words[k + 2].text in ("Disengaged", "Passive", "Intermittent", "Engaged", "Intense")]
        if len(heads) != 5:
            continue
        scales += 1
        heads.sort(key=lambda h: h[0].x0)
        starts = [w.x0 for w, _ in heads] + [max(w.x1 for w in words) + 1]
        for k, (number, _) in enumerate(heads):
            got = _column_text(words, starts[k], starts[k + 1] - 2, number.y1)
            assert got == SEED_LEUVEN[k], f"{stem} {sheet}: level {k + 1} prints {got!r}"
    assert scales == expected, f"{stem}: the scale is printed under each log and on the form ({scales} found)"


# ---------------------------------------------------------------- the Scores sheet: a page break before each block


def _largest_project(seed: int) -> tuple[object, dict]:
    """A project workbook at the template's limits: every GAS row a different child, every observation row a
    different pupil (each copied from the sample's first row), 40 survey respondents."""
    import random

    from sipxl.sample.assessments import fill_survey
    from sipxl.sample.writer import ValueWriter

    template, values = clean_values("sipp_project", seed)
    w = ValueWriter(template)
    w.values = dict(values)
    for table, ref, prefix in (("goals", "child_ref", "SIP-GAS"), ("observations", "pupil_ref", "SIP-OBS")):
        place = w.layout.tables[table]
        first = {key: values.get((place.sheet, place.first_row, c)) for key, c in place.columns.items()}
        for r in range(len(place.rows)):
            w.row(table, r, **{**first, ref: f"{prefix}-{r + 1:02d}", **({"goal_no": 1} if table == "goals" else {})})
    fill_survey(w, random.Random(seed), 40)
    return template, w.values


def _small_project(seed: int) -> tuple[object, dict]:
    import random

    from sipxl.sample.workbooks import _small_partnership

    rng = random.Random(seed)
    w = fill_project(rng, _small_partnership(rng), n_pupils=4)
    return w.template, w.values


SCORE_SIZES = {
    "project_4": lambda: _small_project(5),
    "project_6": lambda: clean_values("sipp_project", 7),
    "project_largest": lambda: _largest_project(11),
    "gas": lambda: clean_values("gas", 3),
    "social_skills": lambda: clean_values("social_skills", 3),
    "school_return": lambda: clean_values("school_return", 3),
}


def _scored_page(template, values, tmp: Path) -> pages.Page:
    from sipxl.engine import check_file

    fc = check_file(build_template(template, tmp / "w.xlsx", values=values))
    return pages.scores_page(pages.Checked(None, fc.content, fc.issues, fc.scores))


@pytest.mark.parametrize("size", sorted(SCORE_SIZES))
def test_scores_blocks_each_start_a_place_and_fit_it(size: str, tmp_path: Path) -> None:
    template, values = SCORE_SIZES[size]()
    lay = layout_template(template).sheets["scores"]
    slots = report_slots(lay)
    assert lay.print.breaks == tuple(slots.start(k) for k in range(1, SCORES_SLOTS))
    page = _scored_page(template, values, tmp_path)
    used = math.ceil((len(page.rows) - slots.first) / slots.rows)
    assert 1 <= used <= SCORES_SLOTS, f"{size}: {used} places, the template has {SCORES_SLOTS}"
    titles = [page.rows[slots.start(k)][0] for k in range(used)]
    heads = {r for r0, c0, r1, c1, colour in page.fills if c0 == 0 for r in range(r0, r1 + 1)}
    for k, title in enumerate(titles):
        assert slots.start(k) in heads and isinstance(title, str), f"{size}: place {k + 1} starts with {title!r}"
    continued = [t for t in titles if t.endswith("(continued)")]
    if size == "project_largest":  # 50 children and 60 observed pupils cannot fit a page: they continue
        assert any(t.startswith(pages.SCORE_TITLES["gas"]) for t in continued)
        assert any(t.startswith(pages.SCORE_TITLES["leuven"]) for t in continued)
    else:  # within the register's 6 pupils every block fits its page
        assert continued == [], f"{size}: {continued}"
        assert len(titles) == len(set(titles))


def _block(draw) -> pages.Page:
    """A block of tables (header "H<t>", rows "T<t>-<k>"), lines of text and blank rows, every row unique."""
    page = pages.Page(2)
    page.heading("Block")
    lines = 0
    for t in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(["table", "text", "blank"]))
        if kind == "table":
            page.table((f"H{t}", "n"), [[f"T{t}-{k}", k] for k in range(draw(st.integers(0, 40)))], formats=("0",))
        elif kind == "text":
            for _ in range(draw(st.integers(1, 4))):
                lines += 1
                page.add(f"line {lines}")
        else:
            page.blank()
    return page


@given(data=st.data(), size=st.integers(8, 45))
def test_a_block_is_cut_only_where_it_may_be_and_loses_nothing(data, size: int) -> None:
    block = _block(data.draw)
    parts = pages.split_block(block, size)
    flat = [row for part in parts for row in part]
    assert all(len(part) <= size for part in parts)
    assert parts[0][0].values[0] == "Block"
    # each cut falls where the block may be cut (a blank row or between two rows of a table), unless a run longer
    # than a page leaves no such row; a table cut between its rows continues under its header
    position = {tuple(r): k for k, r in enumerate(block.rows) if any(v is not None for v in r)}
    seen = {tuple(r.values) for r in parts[0]}
    for k in range(1, len(parts)):
        assert parts[k][0].values[0] == "Block (continued)"
        i = max(position[tuple(r.values)] for r in parts[k - 1] if tuple(r.values) in position)
        j = min(position[key] for key in map(tuple, (r.values for r in parts[k][1:]))
                if key in position and key not in seen)
        window = range(i - len(parts[k - 1]) + 4, i + 1)
        assert any(c in block.breakable for c in range(i + 1, j + 1)) or not any(
            c in block.breakable for c in window), f"cut between rows {i} and {j}"
        if block.rows[j][0].startswith("T") and block.rows[i][0] is not None and \
                block.rows[i][0].split("-")[0] == block.rows[j][0].split("-")[0]:
            assert parts[k][1].values[0] == "H" + block.rows[j][0].split("-")[0][1:], "a table under its header"
        seen |= {tuple(r.values) for r in parts[k]}
    # nothing lost, nothing doubled but the continued titles and repeated headers
    seen, kept = set(), []  # type: ignore[assignment]
    for row in flat:
        key = tuple(row.values)
        if row.blank or row.values[0] == "Block (continued)" or key in seen:
            continue
        seen.add(key)
        kept.append(list(row.values))
    assert kept == [r for r in block.rows if any(v is not None for v in r)]


def _scores_xlsx_rows(path: Path) -> list[list]:
    import openpyxl

    ws = openpyxl.load_workbook(path)["Scores"]
    return [[c.value for c in row] for row in ws.iter_rows(min_row=1, max_row=ws.max_row, max_col=len(SCORES_WIDTHS))]


@pytest.mark.libreoffice
def test_scores_print_a_page_per_place_each_starting_with_a_block_title(tmp_path: Path) -> None:
    """Workbooks of different sizes, scored by the button through a client's payload, written and printed: the
    Scores sheet prints exactly one page per place the button filled, each page holds exactly that place's rows
    in order (so no block runs over a page break), and after the repeated title and running line each page
    starts with a block's title."""
    _metric_fonts()
    written = {}
    for size, make in SCORE_SIZES.items():
        template, values = make()
        src = build_template(template, tmp_path / f"{size}.xlsx", values=values)
        book = book_from_payload(payload_from_xlsx(src, client="VBA"))
        buttons.score(book)
        written[size] = tmp_path / f"scored_{size}.xlsx"
        apply_actions(src, book.json()["actions"], written[size], client="VBA")
    pdfs = render_pdfs(list(written.values()), tmp_path / "pdf")
    for (size, path), pdf in zip(written.items(), pdfs, strict=True):
        template = TEMPLATES[{"project_4": "sipp_project", "project_6": "sipp_project",
                              "project_largest": "sipp_project"}.get(size, size)]
        slots = report_slots(layout_template(template).sheets["scores"])
        rows = _scores_xlsx_rows(path)
        printed = [text for name, text in _pages(pdf) if name == "Scores"]
        used = math.ceil((len(rows) - slots.first) / slots.rows)
        assert len(printed) == used, f"{size}: {len(printed)} pages for {used} places"
        for k, text in enumerate(printed):
            lines = text.splitlines()[(3 if k == 0 else 2):]  # title and running line (and the stamp) repeat
            place = [r for r in rows[slots.start(k):slots.start(k + 1)] if any(v not in (None, "") for v in r)]
            assert len(lines) == len(place), f"{size} page {k + 1}: {len(lines)} lines for {len(place)} rows"
            for line, row in zip(lines, place, strict=True):
                assert line.strip().startswith(str(row[0]).strip()), f"{size} page {k + 1}: {line!r} for {row}"
            assert lines[0].strip() == rows[slots.start(k)][0], f"{size} page {k + 1} starts with {lines[0]!r}"
        assert _cut_labels(path, pdf, {"Scores"}) == [], size


# ---------------------------------------------------------------- labels printed whole, read from the PDF


def _squash(text: str) -> str:
    """Text without any white space (pdftotext may drop or add a space between glyphs), ligatures unfolded."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _cut_labels(xlsx: Path, pdf: Path, sheets: set[str] | None = None, only: str | None = None) -> list[str]:
    """The text cells of `xlsx` that do not print whole in `pdf` (which prints only the sheet `only`, if given:
    a sheet the buttons added has no footer to name it).

    LibreOffice prints a cell's text clipped at the next cell when that cell holds something, and the PDF's text
    layer holds only what shows ("Pupils with bot"). So each text must be found, whole, among the words of its
    sheet's pages as often as the cells that hold it (a shorter label inside a longer one counts in both).
    """
    import openpyxl
    from openpyxl.utils.cell import range_boundaries

    printed: dict[str, str] = {}
    raw = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for page in raw.split("\f"):  # in the order LibreOffice drew it: cell by cell, a wrapped cell's lines together
        lines = page.splitlines()
        footer = [k for k, line in enumerate(lines) if FOOTER.match(line)]
        if not footer and only is None:
            continue
        sheet = FOOTER.match(lines[footer[0]]).group(2) if footer else only
        if footer:
            del lines[footer[0]]
        printed[sheet] = printed.get(sheet, "") + "\x00" + _squash("".join(lines))
    widths: list[float] = []
    boxes = _word_boxes(pdf, only, widths)
    wb = openpyxl.load_workbook(xlsx)
    out = []
    for ws in wb.worksheets:
        if ws.sheet_state != "visible" or (sheets is not None and ws.title not in sheets):
            continue
        area = None
        if ws.print_area:
            area = range_boundaries(str(ws.print_area).split(",")[0].split("!")[-1].replace("$", ""))
        texts = []
        for row in ws.iter_rows():
            for cell in row:
                v = cell.value
                if not isinstance(v, str) or not v.strip() or v.startswith("="):
                    continue
                if area and not (area[0] <= cell.column <= area[2] and area[1] <= cell.row <= area[3]):
                    continue
                texts.append((cell.coordinate, _squash(v), v))
        page = printed.get(ws.title, "")
        for coordinate, text, shown in texts:
            needed = sum(other.count(text) for _, other, _ in texts)
            if page.count(text) < needed:
                out.append(f"{ws.title}!{coordinate}: {shown[:60]!r}")
        # Text run on past the last column a page prints is drawn whole there (clipped in the view, not in the
        # text layer) and again from before the left margin of the next page across: no word may lie outside the
        # margins.
        left, right = ws.page_margins.left * 72, ws.page_margins.right * 72
        for (sheet, words), size in zip(boxes, widths, strict=True):
            if sheet == ws.title:
                out += [f"{ws.title}: {w.text!r} outside the margins" for w in words
                        if w.x0 < left - 2 or w.x1 > size - right + 2]
    return out


@pytest.mark.libreoffice
@pytest.mark.parametrize("kind", sorted(TEMPLATES))
def test_every_label_of_a_template_prints_whole(printed_pdfs, kind: str) -> None:
    template = TEMPLATES[kind]
    stem = template.filename[:-5]
    assert _cut_labels(ROOT / "workbook_templates" / template.filename, printed_pdfs[stem]) == []


@pytest.mark.libreoffice
@pytest.mark.parametrize(("button", "sheet"), [("score", "Scores"), ("summary", "Summary")])
def test_every_label_the_buttons_write_prints_whole(printed_pdfs, tmp_path: Path, button: str, sheet: str) -> None:
    written = printed_pdfs[f"after_{button}"].parent.parent / f"after_{button}.xlsx"
    assert _cut_labels(written, printed_pdfs[f"after_{button}"], {sheet}) == []


@pytest.mark.libreoffice
@pytest.mark.parametrize(("button", "sheet", "label"), [
    ("score", "Scores", "Pupils with both scores"), ("summary", "Summary", "Size of the change")])
def test_the_label_check_fails_where_a_column_is_too_narrow(printed_pdfs, button: str, sheet: str,
                                                             label: str) -> None:
    """The same sheets with column A narrowed to 12: the check finds the labels cut by the next cell."""
    narrowed = printed_pdfs[f"narrow_{button}"].parent.parent / f"narrow_{button}.xlsx"
    cut = _cut_labels(narrowed, printed_pdfs[f"narrow_{button}"], {sheet})
    assert any(label in c for c in cut), cut
    whole = _cut_labels(narrowed.with_name(f"after_{button}.xlsx"), printed_pdfs[f"after_{button}"], {sheet})
    assert whole == []


# ---------------------------------------------------------------- older workbooks: the buttons add the sheets


def _addresses(layout) -> dict[tuple[str, int, int], tuple]:
    """Each answer cell of a layout by what it holds: a field, a table's row and column, a grid's cell."""
    out: dict[tuple[str, int, int], tuple] = {}
    for key, p in layout.fields.items():
        out[(p.sheet, p.row, p.col)] = ("field", key)
    for key, p in layout.tables.items():
        for i, row in enumerate(p.rows):
            for column, c in p.columns.items():
                out[(p.sheet, row, c)] = ("table", key, i, column)
    for key, g in layout.grids.items():
        rows = {**{("item", n): r for n, r in g.item_rows.items()}, ("date",): g.date_row, ("by",): g.by_row,
                ("pupil",): g.pupil_row}
        for what, r in rows.items():
            for (pupil, occasion), c in g.columns.items():
                out[(g.sheet, r, c)] = ("grid", key, what, pupil, occasion)
    return out


def _older(kind: str, version: str, seed: int) -> tuple[object, dict]:
    """A clean sample's answers in an earlier version's workbook, where that version had each cell."""
    from sipxl.spec.history import template_version

    template, values = clean_values(kind, seed)
    earlier = template_version(kind, version)
    where = {v: k for k, v in _addresses(layout_template(earlier)).items()}
    new = _addresses(layout_template(template))
    moved = {where[new[cell]]: value for cell, value in values.items() if cell in new and new[cell] in where}
    return earlier, moved


@pytest.mark.libreoffice
@pytest.mark.parametrize("client", ["VBA", "Office.js"])
def test_older_workbooks_get_scores_and_summary_sheets_that_print_whole(tmp_path: Path, client: str) -> None:
    """A 0.9 and a 1.0 workbook have no Scores or Summary sheet: the buttons add them with Excel's default column
    widths, autofit the columns to the cells another cell follows, and every label and number prints whole."""
    _metric_fonts()
    written = []
    for kind, version in (("sipp_project", "0.9"), ("sipp_project", "1.0"), ("gas", "1.0")):
        template, values = _older(kind, version, 2026)
        assert not any(s.report for s in template.sheets)
        src = build_template(template, tmp_path / f"{kind}_{version}.xlsx", values=values)
        for button in ("score", "summary"):
            book = book_from_payload(payload_from_xlsx(src, client=client))
            buttons.BUTTONS[button](book)
            actions = book.json()["actions"]
            assert "setAutofit" in {a["func"] for a in actions}
            out = tmp_path / f"{kind}_{version.replace('.', '_')}_{button}.xlsx"
            apply_actions(src, actions, out, client=client)
            written.append((out, "Scores" if button == "score" else "Summary"))
    alone = [_only_sheet(path, sheet) for path, sheet in written]
    pdfs = render_pdfs(alone, tmp_path / "pdf")
    for path, (_, sheet), pdf in zip(alone, written, pdfs, strict=True):
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
        assert ("Scores:" if sheet == "Scores" else "Project summary:") in text, f"{path.name}: {sheet} did not print"
        assert "###" not in text, f"{path.name}: a number too wide for its column"
        assert _cut_labels(path, pdf, {sheet}, only=sheet) == [], path.name


def _only_sheet(path: Path, sheet: str) -> Path:
    """A copy of a workbook with only `sheet` (an added sheet prints without a footer naming it)."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    for ws in list(wb.worksheets):
        if ws.title != sheet:
            wb.remove(ws)
    out = path.with_name(path.stem + "_alone.xlsx")
    wb.save(out)
    return out


def _validated(src: Path, out: Path, client: str) -> list[dict]:
    book = book_from_payload(payload_from_xlsx(src, client=client))
    buttons.validate(book)
    actions = book.json()["actions"]
    apply_actions(src, actions, out, client=client)
    return actions


@pytest.mark.libreoffice
@pytest.mark.parametrize("client", ["VBA", "Office.js"])
def test_the_issues_sheet_prints_every_label_whole(tmp_path: Path, client: str) -> None:
    """Validate writes into the template's Issues sheet without autofitting it: its fixed columns fit a landscape
    page at 100 % (no shrinking) and wrap, so the longest message grows its row and prints whole (with rows
    autofitted as Excel autofits a row of wrapped text when a value is written); a second Validate with fewer issues
    leaves no text, link or colour of the first below its rows, and the columns still wrap."""
    import openpyxl

    _metric_fonts()
    template, values = clean_values("sipp_project", 2026)
    grid = layout_template(template).grids["social_skills"]
    bad = ("social_skills", grid.item_rows[5], grid.columns[(1, "Post")])
    values[bad] = "3 - mostly"  # a long message
    for k in (1, 2, 3):  # and more issues, which the second Validate no longer finds
        values[("social_skills", grid.item_rows[k], grid.columns[(2, "Post")])] = 9
    src = build_template(template, tmp_path / "faulty.xlsx", values=values)
    first = _validated(src, tmp_path / "validated.xlsx", client)
    assert "setAutofit" not in {a["func"] for a in first}, "the template's Issues sheet keeps its widths"
    ws = openpyxl.load_workbook(tmp_path / "validated.xlsx")["Issues"]
    widths = [ws.column_dimensions[chr(65 + c)].width for c in range(len(ISSUES_WIDTHS))]
    assert widths == pytest.approx([w + 0.71 for w in ISSUES_WIDTHS], abs=0.01)  # xlsxwriter adds the padding
    problem = pages.ISSUE_HEADER.index("Problem") + 1
    rows = [r for r in range(pages.ISSUES_FIRST_ROW + 2, ws.max_row + 1) if ws.cell(r, 1).value]
    assert len(rows) >= 4 and max(len(str(ws.cell(r, problem).value)) for r in rows) > 100
    assert all(ws.cell(r, problem).alignment.wrap_text for r in rows)
    assert ws.freeze_panes == f"A{pages.ISSUES_FIRST_ROW + 2}"
    alone = _only_sheet(tmp_path / "validated.xlsx", "Issues")
    [pdf] = render_pdfs([alone], tmp_path / "pdf")
    assert _cut_labels(alone, pdf, {"Issues"}, only="Issues") == []
    [(_, words)] = _word_boxes(pdf, "Issues")
    footer = max(w.y0 for w in words)
    small = {w.text for w in words if w.y0 < footer - 2 and w.y1 - w.y0 < 13}
    assert not small, f"printed smaller than Calibri 11 at 100 % (shrunk to fit the page?): {sorted(small)[:5]}"
    # fewer issues: the rows below are emptied of their text, links and colours; the columns still wrap
    wb = openpyxl.load_workbook(tmp_path / "validated.xlsx")
    for k in (1, 2, 3):
        wb["Social Skills"].cell(grid.item_rows[k] + 1, grid.columns[(2, "Post")] + 1).value = 3
    wb.save(tmp_path / "fewer.xlsx")
    _validated(tmp_path / "fewer.xlsx", tmp_path / "again.xlsx", client)
    ws = openpyxl.load_workbook(tmp_path / "again.xlsx")["Issues"]
    now = [r for r in range(pages.ISSUES_FIRST_ROW + 2, ws.max_row + 1) if ws.cell(r, 1).value]
    assert 1 <= len(now) < len(rows) and now == list(range(now[0], now[0] + len(now)))
    for r in range(now[-1] + 1, rows[-1] + 1):
        assert all(ws.cell(r, c).value is None for c in range(1, 8)), f"row {r} kept the last Validate's text"
        assert ws.cell(r, 3).hyperlink is None and ws.cell(r, 1).fill.fgColor.rgb in ("00000000", "FFFFFFFF")
    assert all(ws.cell(r, problem).alignment.wrap_text for r in now)


def test_validate_autofits_the_issues_sheet_it_adds_to_an_older_workbook(tmp_path: Path) -> None:
    """A 1.1 workbook has no Issues sheet of its own: Validate adds it and autofits its columns, as before."""
    template, values = _older("sipp_project", "1.1", 2026)
    assert "issues" not in {s.code for s in template.sheets}
    grid = layout_template(template).grids["social_skills"]
    values[("social_skills", grid.item_rows[5], grid.columns[(1, "Post")])] = "3 - mostly"
    src = build_template(template, tmp_path / "old.xlsx", values=values)
    actions = _validated(src, tmp_path / "validated.xlsx", "VBA")
    funcs = [a["func"] for a in actions]
    assert "addSheet" in funcs and "setAutofit" in funcs
