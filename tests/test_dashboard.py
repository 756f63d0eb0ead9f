"""The dashboard tells the truth: each defect found by a QIO's testing is checked on the workbook's data or on
its chart XML (the sample authority, consolidated for real)."""

from __future__ import annotations

import html
import re
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from sipxl.consolidate import AuthorityConfig, consolidate, write_outputs
from sipxl.consolidate.analysis import SIMD12, acel_by_quintile, stretch_aims
from sipxl.consolidate.dashboard import MAX_CHART_PX
from sipxl.consolidate.suppression import SUPPRESSED

EMU_PER_PX = 9525


@pytest.fixture(scope="module")
def dashboards(sample_authority, tmp_path_factory):
    """The sample consolidated twice: with the usual threshold, and with one so high most groups are hidden."""
    out = {}
    for name, threshold in (("usual", 5), ("strict", 12)):
        folder = tmp_path_factory.mktemp(name)
        cons = consolidate([sample_authority], folder, AuthorityConfig(name="Test", threshold=threshold), jobs=1)
        write_outputs(cons, folder)
        out[name] = folder / "dashboard.xlsx"
    return out


def _parts(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n).decode("utf-8") for n in z.namelist() if n.endswith((".xml", ".rels"))}


def _charts_by_sheet(parts: dict[str, str]) -> dict[str, list[tuple[int, int, str]]]:
    """sheet name -> [(anchor row, height in px, chart xml)]."""
    wb = parts["xl/workbook.xml"]
    rels = parts["xl/_rels/workbook.xml.rels"]
    target = dict(re.findall(r'Id="(rId\d+)"[^>]*Target="([^"]+)"', rels))
    target.update({k: v for v, k in re.findall(r'Target="([^"]+)"[^>]*Id="(rId\d+)"', rels)})
    out: dict[str, list] = {}
    for name, rid in re.findall(r'<sheet name="([^"]+)" sheetId="\d+"(?: state="hidden")? r:id="(rId\d+)"', wb):
        sheet_path = "xl/" + target[rid].lstrip("/").removeprefix("xl/")
        srels = parts.get(sheet_path.replace("worksheets/", "worksheets/_rels/") + ".rels", "")
        drawing = re.search(r'Target="\.\./drawings/(drawing\d+\.xml)"', srels)
        if not drawing:
            continue
        dxml = parts[f"xl/drawings/{drawing.group(1)}"]
        drels = parts[f"xl/drawings/_rels/{drawing.group(1)}.rels"]
        charts = dict(re.findall(r'Id="(rId\d+)"[^>]*Target="\.\./charts/(chart\d+\.xml)"', drels))
        charts.update({k: v for v, k in re.findall(r'Target="\.\./charts/(chart\d+\.xml)"[^>]*Id="(rId\d+)"', drels)})
        name = html.unescape(name)
        anchors = r"<xdr:oneCellAnchor>.*?</xdr:oneCellAnchor>|<xdr:twoCellAnchor.*?</xdr:twoCellAnchor>"
        for anchor in re.findall(anchors, dxml, re.S):
            row = int(re.search(r"<xdr:from>.*?<xdr:row>(\d+)</xdr:row>", anchor, re.S).group(1))
            ext = re.search(r'<xdr:ext cx="\d+" cy="(\d+)"', anchor) or re.search(r'<a:ext cx="\d+" cy="(\d+)"', anchor)
            rid = re.search(r'r:id="(rId\d+)"', anchor).group(1)
            out.setdefault(name, []).append((row, int(ext.group(1)) // EMU_PER_PX,
                                             parts[f"xl/charts/{charts[rid]}"]))
    return out


def _categories(chart_xml: str) -> list[str]:
    cat = re.search(r"<c:cat>.*?</c:cat>", chart_xml, re.S)
    return re.findall(r"<c:v>([^<]*)</c:v>", cat.group(0)) if cat else []


def _series_names(chart_xml: str) -> list[str]:
    return re.findall(r"<c:tx><c:strRef><c:f>[^<]*</c:f><c:strCache><c:ptCount val=\"1\"/><c:pt idx=\"0\"><c:v>"
                      r"([^<]*)</c:v>", chart_xml)


def _title(chart_xml: str) -> str:
    return "".join(re.findall(r"<a:t>([^<]*)</a:t>", chart_xml.split("</c:title>")[0]))


def test_survey_chart_is_on_a_0_to_100_axis_with_a_not_shown_segment(dashboards):
    for path in dashboards.values():
        parts = _parts(path)
        assert not any('grouping val="percentStacked"' in x for n, x in parts.items() if "charts/" in n)
        (_, _, chart), = _charts_by_sheet(parts)["Survey"]
        assert 'grouping val="stacked"' in chart
        assert _series_names(chart)[-1] == "Not shown"
        assert '<c:max val="100"/>' in chart and '<c:min val="0"/>' in chart
        # what is plotted per statement adds up to 100: published answers plus what is not shown
        ws = openpyxl.load_workbook(path)["ChartData"]
        values = [[c for c in row] for row in ws.iter_rows(values_only=True)]
        header = next(k for k, r in enumerate(values) if r[0] == "category" and "Not shown" in r)
        for r in values[header + 1:header + 6]:
            assert sum(v or 0 for v in r[1:7]) == pytest.approx(100.0)


def test_suppression_never_erases_the_picture(dashboards):
    wb = openpyxl.load_workbook(dashboards["strict"])
    gas = [r for r in wb["GAS"].iter_rows(values_only=True) if r[1] and str(r[1]).endswith("Joint Support Team")
           and r[2] is not None]
    assert sum(SUPPRESSED in r for r in gas) >= len(gas) - 1 >= 2  # (almost) every team hidden at this threshold
    charts = _charts_by_sheet(_parts(dashboards["strict"]))
    for sheet in ("GAS", "Social skills", "Self-esteem & attendance", "Attainment"):
        for _, _, chart in charts[sheet]:
            cats = _categories(chart)
            assert cats, (sheet, _title(chart))
            if "stage and organiser" not in _title(chart):
                assert cats[0].startswith("All (authority)"), (sheet, cats)
    # a footnote says how many groups the chart leaves out
    notes = [c for r in wb["GAS"].iter_rows(values_only=True) for c in r if isinstance(c, str)
             and c.startswith("Not shown in the chart:")]
    assert notes and re.search(r"\d+ of \d+ groups", notes[-1])


def test_every_chart_shows_its_n_and_fits_a_printed_page(dashboards):
    parts = _parts(dashboards["usual"])
    charts = _charts_by_sheet(parts)
    assert sum(len(v) for v in charts.values()) >= 10
    wb = parts["xl/workbook.xml"]
    names = [html.unescape(n) for n in re.findall(r'<sheet name="([^"]+)"', wb)]
    for k, name in enumerate(names, start=1):
        sheet_xml = parts[f"xl/worksheets/sheet{k}.xml"]
        breaks = {int(b) for b in re.findall(r'<brk id="(\d+)"', sheet_xml)}
        for row, height, chart in charts.get(name, []):
            assert re.search(r"\bn = [\d,]+ ", _title(chart)), _title(chart)
            assert all(re.search(r"\((?:n|N)=", c) for c in _categories(chart) if "Completeness" not in _title(chart))
            assert height <= MAX_CHART_PX
            assert row <= 4 or row in breaks, (name, row, breaks)  # a chart starts a page: never cut in two


def test_tables_have_filters_frozen_headers_and_titles_clear_of_subtitles(dashboards):
    parts = _parts(dashboards["usual"])
    names = [html.unescape(n) for n in re.findall(r'<sheet name="([^"]+)"', parts["xl/workbook.xml"])]
    tables = [n for n in parts if re.fullmatch(r"xl/tables/table\d+\.xml", n)]
    assert len(tables) >= 15
    assert all("<autoFilter" in parts[n] for n in tables)
    for k, name in enumerate(names, start=1):
        if name == "ChartData":
            continue
        xml = parts[f"xl/worksheets/sheet{k}.xml"]
        assert "<tablePart " in xml, name
        assert 'state="frozen"' in xml, name
        assert re.search(r'<row r="1"[^>]* ht="2\d', xml), name  # the 16 pt title has its own tall row


def test_overview_headline_of_outcomes_with_n_and_links(dashboards):
    ws = openpyxl.load_workbook(dashboards["usual"])["Overview"]
    rows = list(ws.iter_rows(min_row=1, max_row=20))
    head = next(k for k, r in enumerate(rows) if r[1].value == "Outcome")
    body = rows[head + 1:head + 8]
    outcomes = [r[1].value for r in body]
    for word in ("Social skills", "Engagement", "Goal Attainment", "Attendance", "survey", "gap"):
        assert any(word in o for o in outcomes), word
    for r in body:
        assert r[6].hyperlink is not None and r[6].hyperlink.location.split("!")[0].strip("'") in \
            ws.parent.sheetnames
        assert isinstance(r[3].value, int | float) or r[3].value == SUPPRESSED


def test_simd_1_2_beside_the_quintiles_and_never_gives_a_hidden_count_back():
    def returns(counts):
        return pd.DataFrame([("s", "ACEL", "P1", "Reading", f"Q{q}", quantity, v)
                             for q, (ass, ach) in counts.items() for quantity, v in (("assessed", ass),
                                                                                     ("achieved", ach))],
                            columns=["seed_code", "section", "stage", "organiser", "group", "quantity", "value"])

    table, pct = acel_by_quintile(returns({1: (40, 30), 2: (50, 35), 3: (60, 50), 4: (70, 60), 5: (80, 75)}), 5)
    row = next(r for r in table.rows if r[0] == SIMD12)
    assert row[1:3] == [90, 65] and row[3] == pytest.approx(100 * 65 / 90) == pct[SIMD12]
    # quintile 1 has 3 not achieving: Q1, Q2 (secondary) and Q5 are hidden; Q1+Q2 with the column's total would
    # give Q5 back, so it is not shown
    table, _ = acel_by_quintile(returns({1: (40, 37), 2: (50, 35), 3: (60, 50), 4: (70, 60), 5: (80, 75)}), 5)
    row = next(r for r in table.rows if r[0] == SIMD12)
    assert table.rows[4][2] == SUPPRESSED and row[2] == SUPPRESSED and row[3] == SUPPRESSED


def test_progress_to_aim_compares_the_same_schools_in_percentage_points():
    rows = []
    for seed, (ass, ach) in {"A": (100, 50), "B": (100, 60), "C": (100, 90), "D": (100, 95)}.items():
        for q in range(1, 6):
            rows += [(seed, "ACEL", "P1", "Reading", f"Q{q}", "assessed", ass / 5),
                     (seed, "ACEL", "P1", "Reading", f"Q{q}", "achieved", ach / 5)]
    # only A and B set an aim (from 45% and 55% to 65% and 75%); C and D, high achievers, did not
    for seed, cur, aim in (("A", 45.0, 65.0), ("B", 55.0, 75.0)):
        rows += [(seed, "Stretch aim", None, "P1 Reading", "All pupils", "current", cur),
                 (seed, "Stretch aim", None, "P1 Reading", "All pupils", "aim", aim)]
    frame = pd.DataFrame(rows, columns=["seed_code", "section", "stage", "organiser", "group", "quantity", "value"])
    t = stretch_aims(frame, 5)
    (row,) = [r for r in t.rows if r[0] == "P1 Reading" and r[1] == "All pupils"]
    got = dict(zip(t.columns, row, strict=True))
    assert got["Schools compared"] == 2
    assert got["Mean now (%)"] == pytest.approx(55.0)  # A and B only, not 73.75 over every school
    assert got["Change since current (pp)"] == pytest.approx(5.0)
    assert got["Still to go to aim (pp)"] == pytest.approx(15.0)
    assert "Fewer than 3 schools" in got["Note"]


def test_progress_to_aim_on_the_sample_is_plausible(dashboards):
    ws = openpyxl.load_workbook(dashboards["usual"])["Attainment"]
    rows = list(ws.iter_rows(values_only=True))
    head = next(k for k, r in enumerate(rows) if r[1] == "Measure" and r[2] == "Group")
    for r in rows[head + 1:]:
        if r[1] is None:
            break
        n, current, aim, now, change, to_go = r[3:9]
        if n:
            assert change == pytest.approx(now - current) and to_go == pytest.approx(aim - now)
            assert abs(change) < 100 and abs(to_go) < 100  # percentage points, never 201 %


def test_a_stricter_threshold_is_not_needed_for_staff_answers(dashboards):
    """Staff opinions follow their own rule: a statement answered by enough practitioners shows every answer."""
    ws = openpyxl.load_workbook(dashboards["strict"])["Survey"]
    rows = [r for r in ws.iter_rows(values_only=True) if r[1] and str(r[1]).startswith("...")]
    assert rows and all(SUPPRESSED not in r[2:7] for r in rows if isinstance(r[8], int | float) and r[8] >= 12)
