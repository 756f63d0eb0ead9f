"""One wrong value in many cells is shown once on the Issues sheet, root cause first (sipxl.domain.issue_groups)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from sipxl.domain.issue_groups import group_issues, source_sheets
from sipxl.engine import check_file
from sipxl.excel.pages import ISSUE_HEADER, ISSUES_FIRST_ROW, Checked, issues_page
from sipxl.io.build import build_template
from sipxl.issues import CATALOGUE, issue
from sipxl.sample import clean_values
from sipxl.spec import layout_template

SHEETS = ("Pupils", "Phase 4", "Observation", "Attendance")
issues_strategy = st.lists(st.builds(
    lambda code, sheet, row, value: issue(code, sheet=sheet, cell=f"'{sheet}'!A{row}" if row else "", value=value),
    st.sampled_from(sorted(CATALOGUE)[:12]), st.sampled_from(SHEETS), st.integers(0, 30),
    st.sampled_from(["", "John Smith", " john  smith ", "SIP-A1", "7"])), max_size=40)


@given(issues_strategy, st.sets(st.sampled_from(SHEETS), max_size=2))
def test_every_issue_is_in_exactly_one_group_root_first(issues, sources):
    groups = group_issues(issues, sources)
    flat = [i for g in groups for i in g.issues]
    assert sorted(map(id, flat)) == sorted(map(id, issues))
    for g in groups:
        if len(g.issues) > 1:
            assert len({(i.code, " ".join(i.value.split()).casefold()) for i in g.issues}) == 1
            assert all(i.cell and i.value.strip() for i in g.issues)
        if any(i.sheet in sources for i in g.issues):
            assert g.root.sheet in sources
    position = {id(i): k for k, i in enumerate(issues)}
    firsts = [min(position[id(i)] for i in g.issues) for g in groups]
    assert firsts == sorted(firsts)


def test_a_name_on_the_register_copied_into_many_cells_is_listed_once_root_first(tmp_path: Path) -> None:
    template, values = clean_values("sipp_project", 2026)
    layout = layout_template(template)
    reg = layout.tables["pupils"]
    ref_cell = ("pupils", reg.first_row, reg.columns["pupil_ref"])
    old = values[ref_cell]
    copies = [k for k, v in values.items() if v == old and k != ref_cell]
    assert len(copies) >= 3, "the sample should use the pupil's reference on other sheets"
    for k in (ref_cell, *copies):
        values[k] = "John Smith"
    path = build_template(template, tmp_path / "p.xlsx", values=values)
    checked = check_file(path)
    named = [i for i in checked.issues if i.code == "SIPXL-P007"]
    assert len(named) == len(copies) + 1
    assert "Pupils" in source_sheets(template, checked.content.sheet_names)

    page = issues_page(checked.issues, Checked(None, checked.content, checked.issues))
    rows = page.rows[ISSUES_FIRST_ROW + 1:]
    col = {h: k for k, h in enumerate(ISSUE_HEADER)}
    mine = [r for r in rows if r[col["Code"]] == "SIPXL-P007"]
    assert mine[0][col["Cell"]].startswith("Pupils!")  # root cause first
    assert "looks like a person's name" in mine[0][col["Problem"]]
    assert sum("looks like a person's name" in r[col["Problem"]] for r in mine) == 1  # said once
    assert all(r[col["Problem"]].startswith("The same value as " + mine[0][col["Cell"]]) for r in mine[1:])
    assert all("Pupils sheet first" in r[col["What to do"]] for r in mine[1:])
    assert len(mine) == len(named)  # every cell listed (and linked)
    assert [r[col["Code"]] for r in rows].index("SIPXL-P007") == rows.index(mine[0])
    assert all(rows[rows.index(mine[0]) + k] is m for k, m in enumerate(mine))  # together
