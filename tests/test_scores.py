"""score_workbook on filled workbooks equals sipxl.scoring on the same inputs, and DESIGN.md's worked examples
come out of real workbooks exactly as they do from the scoring functions."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest

from sipxl import scoring
from sipxl.domain.scores import WorkbookScores, as_plain, scores_as_rows
from sipxl.engine import check_file
from sipxl.io.build import build_template
from sipxl.sample import build_clean, clean_values
from sipxl.spec import all_templates, get_template, layout_template
from sipxl.spec.lists import ACEL_ORGANISERS, ACEL_STAGES, AGREEMENT, ROSENBERG_RESPONSES, SURVEY_STATEMENTS


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    template, values = clean_values("sipp_project")
    path = build_template(template, tmp_path_factory.mktemp("p") / "p.xlsx", values=values)
    return layout_template(template), values, check_file(path)


def _grid_column(layout, values, grid: str, p: int, occ: str, n: int) -> list:
    place = layout.grids[grid]
    return [values.get((place.sheet, place.item_rows[i], place.columns[(p, occ)])) for i in range(1, n + 1)]


def _table_rows(layout, values, table: str) -> list[dict]:
    place = layout.tables[table]
    rows = []
    for r in place.rows:
        rec = {k: values.get((place.sheet, r, c)) for k, c in place.columns.items()}
        if any(v is not None for v in rec.values()):
            rows.append(rec)
    return rows


def _refs(layout, values) -> list[str]:
    return [r["pupil_ref"] for r in _table_rows(layout, values, "pupils")]


def test_social_skills_equals_scoring(project):
    layout, values, check = project
    refs = _refs(layout, values)
    got = check.scores.social_skills
    pre_totals, post_totals = [], []
    for p, ref in enumerate(refs):
        pre = scoring.score_social_skills(_grid_column(layout, values, "social_skills", p, "Pre", 15))
        post = scoring.score_social_skills(_grid_column(layout, values, "social_skills", p, "Post", 15))
        assert got.pupils[p].pupil == ref
        assert got.pupils[p].pre == pre and got.pupils[p].post == post
        assert got.pupils[p].change == scoring.change(pre.total, post.total)
        pre_totals.append(pre.total)
        post_totals.append(post.total)
    assert got.summary == scoring.pre_post_summary(refs, pre_totals, post_totals)
    assert got.summary.caution == scoring.CAUTION


def test_rosenberg_equals_scoring(project):
    layout, values, check = project
    refs = _refs(layout, values)
    got = check.scores.rosenberg
    for p, ref in enumerate(refs):
        pre = scoring.score_rosenberg(_grid_column(layout, values, "rosenberg", p, "Pre", 10))
        post = scoring.score_rosenberg(_grid_column(layout, values, "rosenberg", p, "Post", 10))
        assert (got.pupils[p].pupil, got.pupils[p].pre, got.pupils[p].post) == (ref, pre, post)


def test_leuven_equals_scoring(project):
    layout, values, check = project
    refs = _refs(layout, values)
    got = check.scores.leuven
    sessions = _table_rows(layout, values, "sessions")
    pairs = [(refs[k], s[f"leuven_{k + 1}"]) for s in sessions for k in range(6) if s[f"leuven_{k + 1}"] is not None]
    assert got.log_by_pupil == scoring.summarise_by(pairs)
    assert got.log_overall == scoring.summarise_leuven([x for _, x in pairs])
    by_session = scoring.summarise_by((s["session_date"], s[f"leuven_{k + 1}"]) for s in sessions for k in range(6))
    assert got.log_by_session == by_session
    obs = _table_rows(layout, values, "observations")
    assert got.observations_by_pupil == scoring.summarise_by((o["pupil_ref"], o["leuven"]) for o in obs)
    assert got.observations_by_session == scoring.summarise_by((o["obs_date"], o["leuven"]) for o in obs)


def test_gas_equals_scoring(project):
    layout, values, check = project
    got = check.scores.gas
    rho_place = layout.fields["gas_rho"]
    rho = values[(rho_place.sheet, rho_place.row, rho_place.col)]
    goals = _table_rows(layout, values, "goals")
    children = list(dict.fromkeys(g["child_ref"] for g in goals))
    assert got.rho == rho
    for child, score in zip(children, got.children, strict=True):
        mine = [(g["weight"], g["baseline"], g["review"]) for g in goals if g["child_ref"] == child]
        assert score.child == child
        assert score.score == scoring.score_gas_child(mine, rho)


def test_attendance_equals_scoring(project):
    layout, values, check = project
    got = check.scores.attendance
    for row, pupil in zip(_table_rows(layout, values, "attendance"), got.pupils, strict=True):
        before = scoring.attendance_pct(row["attended_before"], row["possible_before"])
        after = scoring.attendance_pct(row["attended_after"], row["possible_after"])
        assert (pupil.pupil, pupil.pct_before, pupil.pct_after) == (row["pupil_ref"], before, after)
        assert pupil.change_pp == pytest.approx(after - before)


def test_survey_equals_scoring(project):
    layout, values, check = project
    rows = _table_rows(layout, values, "survey")
    items = {text: [r[f"q{k + 1}"] for r in rows] for k, text in enumerate(SURVEY_STATEMENTS)}
    assert list(check.scores.survey.rows) == scoring.likert_table(items, AGREEMENT)
    assert check.scores.survey.n_respondents == len(rows)


def test_school_return_equals_scoring(tmp_path):
    template, values = clean_values("school_return")
    layout = layout_template(template)
    got = check_file(build_template(template, tmp_path / "r.xlsx", values=values)).scores.school_return
    place = layout.tables["acel"]
    fixed = template.sheet("acel").tables[0].fixed_rows
    rows = [{"stage": fixed[k][0], "organiser": fixed[k][1],
             **{c: values.get((place.sheet, r, j)) for c, j in place.columns.items()
                if c not in ("stage", "organiser")}}
            for k, r in enumerate(place.rows)]
    answered = [r for r in rows if any(r.get(f"assessed_q{q}") is not None for q in range(1, 6))]
    assert [(a.stage, a.organiser) for a in got.acel] == [(r["stage"], r["organiser"]) for r in answered]
    for a, r in zip(got.acel, answered, strict=True):
        q1 = scoring.pct_achieving(r["achieved_q1"], r["assessed_q1"])
        q5 = scoring.pct_achieving(r["achieved_q5"], r["assessed_q5"])
        assert a.pct_by_quintile[1] == q1 and a.pct_by_quintile[5] == q5
        assert a.gap_pp == scoring.poverty_gap_pp(q5, q1)
    roll_p, cases_p = layout.fields["roll"], layout.fields["exclusion_cases"]
    roll = values[(roll_p.sheet, roll_p.row, roll_p.col)]
    cases = values.get((cases_p.sheet, cases_p.row, cases_p.col))
    assert got.exclusions_per_1000 == scoring.exclusions_per_1000(cases, roll)
    att = layout.tables["attendance_simd"]
    expected = {k + 1: scoring.attendance_pct(values.get((att.sheet, r, att.columns["attended"])),
                                              values.get((att.sheet, r, att.columns["possible"])))
                for k, r in enumerate(att.rows)}
    assert got.attendance_by_quintile == expected


# ---------------------------------------------------------------- DESIGN.md's worked examples, from workbooks


def _details(layout) -> dict:
    out = {}
    for key, value in (("school_name", "Glenvale Primary"), ("seed_code", "1234567"),
                       ("local_authority", "Example Council"), ("session", "2025/26")):
        place = layout.fields[key]
        out[(place.sheet, place.row, place.col)] = value
    return out


def _items_for(total: int, n: int = 15) -> list[int]:
    items = [4] * (total // 4) + ([total % 4] if total % 4 else [])
    return items + [0] * (n - len(items))


def test_design_pre_post_example_from_a_workbook(tmp_path):
    template = get_template("social_skills")
    layout = layout_template(template)
    place = layout.grids["social_skills"]
    pre, post = [22, 30, 18, 35, 27], [31, 34, 25, 36, 35]
    values = _details(layout)
    for p, (a, b) in enumerate(zip(pre, post, strict=True)):
        values[("social_skills", place.pupil_row, place.columns[(p, "Pre")])] = f"SIP-{p + 1}"
        for occ, total in (("Pre", a), ("Post", b)):
            for n, x in enumerate(_items_for(total), start=1):
                values[("social_skills", place.item_rows[n], place.columns[(p, occ)])] = x
    check = check_file(build_template(template, tmp_path / "ss.xlsx", values=values))
    assert check.issues == []
    s = check.scores.social_skills.summary
    assert [p.change for p in check.scores.social_skills.pupils] == [9, 4, 7, 1, 8]
    assert s.mean_change == pytest.approx(5.8)
    assert s.d_z == pytest.approx(1.7731, abs=1e-4)
    assert s.d_av == pytest.approx(1.0456, abs=1e-4)
    assert s.g_av == pytest.approx(0.8365, abs=1e-4)
    assert s.wilcoxon_note and "5 or fewer" in s.wilcoxon_note
    assert "regression to the mean" in s.caution


def test_design_gas_example_from_a_workbook(tmp_path):
    template = get_template("gas")
    layout = layout_template(template)
    place = layout.tables["goals"]
    values = _details(layout)
    rho = layout.fields["gas_rho"]
    values[(rho.sheet, rho.row, rho.col)] = 0.3
    for k, review in enumerate((0, 0, 1, -1)):
        row = place.first_row + k
        for col, v in (("child_ref", "SIP-G1"), ("goal_no", k + 1), ("goal", f"Goal {k + 1}"), ("weight", 1),
                       ("baseline", -1), ("review", review)):
            values[("gas", row, place.columns[col])] = v
    check = check_file(build_template(template, tmp_path / "gas.xlsx", values=values))
    assert check.issues == []
    child = check.scores.gas.children[0].score
    assert child.baseline_t == pytest.approx(35.4905, abs=1e-4)
    assert child.review_t == pytest.approx(50.0, abs=1e-9)
    assert child.change == pytest.approx(14.5095, abs=1e-4)


def test_design_leuven_example_from_a_workbook(tmp_path):
    template = get_template("observation")
    layout = layout_template(template)
    place = layout.tables["observations"]
    values = _details(layout)
    scans = [[3, 4, 2], [5, 4, 4], [2, 2, 3], [4, 5, 5], [3, 3, 4], [1, 2, 2]]
    row = place.first_row
    for p, levels in enumerate(scans):
        for s, level in enumerate(levels):
            for col, v in (("obs_date", dt.date(2026, 1, 12 + s)), ("pupil_ref", f"SIP-{p + 1}"), ("leuven", level)):
                values[("observation", row, place.columns[col])] = v
            row += 1
    check = check_file(build_template(template, tmp_path / "obs.xlsx", values=values))
    assert check.issues == []
    overall = check.scores.leuven.observations_overall
    assert overall.n == 18
    assert overall.mean == pytest.approx(3.222, abs=1e-3)
    assert overall.pct_engaged == pytest.approx(44.4, abs=0.05)
    assert check.scores.leuven.observations_by_pupil["SIP-2"].median == 4


def test_design_rosenberg_from_a_workbook(tmp_path):
    template = get_template("rosenberg")
    layout = layout_template(template)
    place = layout.grids["rosenberg"]
    values = _details(layout)
    answers = ["Agree"] * 10  # positive items score 2, reversed items 1 -> 5*2 + 5*1 = 15
    values[("rosenberg", place.pupil_row, place.columns[(0, "Pre")])] = "SIP-R1"
    for n, a in enumerate(answers, start=1):
        values[("rosenberg", place.item_rows[n], place.columns[(0, "Pre")])] = a
    values[("rosenberg", place.item_rows[1], place.columns[(0, "Post")])] = ROSENBERG_RESPONSES[0]
    check = check_file(build_template(template, tmp_path / "r.xlsx", values=values))
    pupil = check.scores.rosenberg.pupils[0]
    assert pupil.pre == scoring.score_rosenberg(answers) == scoring.RosenbergScore(15, 10, False)
    assert pupil.post.total is None and pupil.post.answered == 1  # incomplete: no total (and P013 says so)
    assert [i.code for i in check.issues] == ["SIPXL-P013"]


def test_unusable_answers_are_left_out_of_scores(tmp_path):
    template, values = clean_values("social_skills")
    layout = layout_template(template)
    place = layout.grids["social_skills"]
    values = dict(values)
    values[("social_skills", place.item_rows[3], place.columns[(0, "Pre")])] = 7
    check = check_file(build_template(template, tmp_path / "ss.xlsx", values=values))
    pupil = check.scores.social_skills.pupils[0]
    assert pupil.pre.total is None and pupil.pre.answered == 14 and pupil.change is None
    assert check.scores.social_skills.summary.n_paired == 5


# ---------------------------------------------------------------- shape of the results


@pytest.mark.parametrize("kind", [t.kind for t in all_templates()])
def test_scores_are_plain_frozen_values(tmp_path, kind):
    check = check_file(build_clean(kind, tmp_path / f"{kind}.xlsx"))
    scores = check.scores
    assert isinstance(scores, WorkbookScores) and scores.kind == kind
    assert scores.instruments
    with pytest.raises(dataclasses.FrozenInstanceError):
        scores.kind = "other"  # type: ignore[misc]
    json.dumps(as_plain(scores))
    rows = scores_as_rows(scores)
    assert rows and all(set(r) == {"file", "kind", "instrument", "subject", "occasion", "measure", "value"}
                        for r in rows)
    assert all(r["value"] is None or isinstance(r["value"], int | float | str | bool) for r in rows)


def test_rows_carry_the_scores(project):
    _, _, check = project
    rows = scores_as_rows(check.scores)
    p0 = check.scores.social_skills.pupils[0]
    totals = {(r["occasion"]): r["value"] for r in rows
              if r["instrument"] == "social_skills" and r["subject"] == p0.pupil and r["measure"] == "total"}
    assert totals == {"Pre": p0.pre.total, "Post": p0.post.total}
    gas = [r for r in rows if r["instrument"] == "gas" and r["measure"] == "t"]
    assert {r["occasion"] for r in gas} == {"Baseline", "Review"}


def test_empty_workbook_has_no_scores(tmp_path):
    check = check_file(build_template(get_template("sipp_project"), tmp_path / "blank.xlsx"))
    assert check.scores.instruments == ()
    assert scores_as_rows(check.scores) == []


def test_acel_rows_keep_stage_order(tmp_path):
    check = check_file(build_clean("school_return", tmp_path / "r.xlsx"))
    order = [(s, o) for s in ACEL_STAGES for o in ACEL_ORGANISERS]
    got = [(a.stage, a.organiser) for a in check.scores.school_return.acel]
    assert got == [x for x in order if x in got]


def test_scores_never_read_from_formula_caches(tmp_path):
    """Scores come from the answers: a workbook whose totals were never calculated scores the same."""
    check = check_file(build_clean("social_skills", tmp_path / "ss.xlsx"))
    assert check.content.cached == {}
    assert check.scores.social_skills.pupils[0].pre.total is not None
    assert isinstance(Path(check.file), Path)
