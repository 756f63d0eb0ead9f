"""The authority-level figures of the dashboard, from the tidy tables (pure pandas, no files).

Every table here is ready to publish: counts below the threshold are suppressed (sipxl.consolidate.suppression)
and a mean, median or percentage is shown only where the count it rests on is shown. Pupils never appear.
"""

from __future__ import annotations

import datetime as dt
import math
import weakref
from dataclasses import dataclass, field

import pandas as pd

from ..spec import lists as L
from .suppression import SUPPRESSED, is_small, suppress, suppress_column
from .tidy import (
    ATTENDANCE,
    ATTENDANCE_PCT,
    GAS,
    GAS_T,
    ROSENBERG,
    ROSENBERG_TOTAL,
    SOCIAL_SKILLS,
    SOCIAL_SKILLS_TOTAL,
)

ALL = "All"
MODIFIED_Z_LIMIT = 3.5


@dataclass
class Table:
    """A published table: its title, columns and rows (values, or SUPPRESSED), and a note under it."""

    title: str
    columns: list[str]
    rows: list[list[object]]
    note: str = ""
    formats: dict[str, str] = field(default_factory=dict)  # column -> "pct", "num1", "int", "date", "rag"

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=self.columns)


def _num(x: object) -> float | None:
    if x is None or isinstance(x, str):
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


# ---------------------------------------------------------------- pre/post by group


def prepost_by(assessments: pd.DataFrame, instrument: str, measure: str, by: str, threshold: int,
               title: str, group_label: str, unit: str = "") -> Table:
    """Pupils with both a pre and a post score, per group: n, mean pre, mean post, mean change."""
    cols = [group_label, "Pupils (n)", f"Mean pre{unit}", f"Mean post{unit}", f"Mean change{unit}"]
    a = assessments[(assessments["instrument"] == instrument) & (assessments["measure"] == measure)]
    a = a[a["pre"].notna() & a["post"].notna()]
    pre, post = a["pre"].astype(float), a["post"].astype(float)
    scores = pd.DataFrame({"group": a[by].astype(object).fillna("(not given)").astype(str), "pre": pre, "post": post,
                           "change": post - pre})
    # one grouped pass for every group (a partnership figure has thousands of groups)
    by_group = scores.groupby("group", sort=True, observed=True).agg(n=("pre", "size"), pre=("pre", "mean"),
                                                      post=("post", "mean"), change=("change", "mean"))
    ns = [int(n) for n in by_group["n"]]
    hidden, total_hidden = suppress_column(ns, threshold, with_total=True)
    every = (len(scores), scores["pre"].mean(), scores["post"].mean(), scores["change"].mean())
    rows = []
    for g, (n, m_pre, m_post, m_change), h in [
            *zip(by_group.index, by_group[["n", "pre", "post", "change"]].itertuples(index=False, name=None),
                 hidden, strict=True), (ALL, every, total_hidden)]:
        if h:
            rows.append([g, SUPPRESSED, SUPPRESSED, SUPPRESSED, SUPPRESSED])
        elif n == 0:
            rows.append([g, 0, None, None, None])
        else:
            rows.append([g, int(n), float(m_pre), float(m_post), float(m_change)])
    return Table(title, cols, rows, formats={cols[1]: "int", cols[2]: "num1", cols[3]: "num1", cols[4]: "num1"})


# ---------------------------------------------------------------- Leuven over sessions


def leuven_by_session(sessions: pd.DataFrame, threshold: int) -> Table:
    cols = ["Session", "Observations (n)", "Mean engagement", "Median", "% at 4-5 (Engaged/Intense)"]
    s = sessions[(sessions["source"] == "Session log") & sessions["leuven"].notna()]
    numbers = sorted(int(x) for x in s["session_no"].dropna().unique())
    groups = [s[s["session_no"] == k]["leuven"].astype(float) for k in numbers]
    ns = [len(g) for g in groups]
    hidden, total_hidden = suppress_column(ns, threshold, with_total=True)
    rows = []
    for label, g, h in [*zip(numbers, groups, hidden, strict=True), (ALL, s["leuven"].astype(float), total_hidden)]:
        if h:
            rows.append([label, SUPPRESSED, SUPPRESSED, SUPPRESSED, SUPPRESSED])
        else:
            rows.append([label, len(g), float(g.mean()), float(g.median()), float(100 * (g >= 4).mean())])
    return Table("Leuven engagement over the sessions (Phase 4 session logs, all projects)", cols, rows,
                 note="Session 1 is each project's first logged session. 1 Disengaged, 2 Passive, 3 Intermittent, "
                      "4 Engaged, 5 Intense.",
                 formats={cols[1]: "int", cols[2]: "num2", cols[3]: "num1", cols[4]: "pct100"})


# ---------------------------------------------------------------- practitioner survey (seed 002 table)


NOT_SHOWN = "Not shown"
SURVEY_RULE = ("Practitioner survey (anonymous staff opinions, not pupil data): a statement is shown when at least "
               "{t} practitioners answered it, with every answer's percentage; below {t} answers the whole "
               "statement is not shown. Pupil counts follow the pupil rule (c).")


def survey_table(survey: pd.DataFrame, threshold: int) -> Table:
    """Statements as rows, the five answers as % of those who answered, N per statement.

    Staff opinions are not counts of pupils: a statement answered by fewer than `threshold` practitioners is not
    shown at all, otherwise every answer's percentage is (see SURVEY_RULE). "Not shown" holds the percentage not
    published, so each row's published percentages and "Not shown" add up to 100."""
    cols = ["Working together has...", *L.AGREEMENT, NOT_SHOWN, "N"]
    answered = survey[survey["answer"].notna()]
    counts = answered.groupby(["item_no", "answer"], observed=True).size()
    rows = []
    for k, statement in enumerate(L.SURVEY_STATEMENTS, start=1):
        per = [int(counts.get((k, a), 0)) for a in L.AGREEMENT]
        n = sum(per)
        row: list[object] = [f"...{statement}"]
        if is_small(n, threshold):
            row += [SUPPRESSED] * len(L.AGREEMENT) + [100.0, SUPPRESSED]
        elif n == 0:
            row += [None] * len(L.AGREEMENT) + [None, 0]
        else:
            row += [100.0 * c / n for c in per] + [0.0, n]
        rows.append(row)
    return Table("Individuals' experiences of working together (practitioner survey)", cols, rows,
                 note="Percentages of the practitioners who answered each statement (N), as in the 2014 SIPP "
                      "evaluation table. " + SURVEY_RULE.format(t=threshold),
                 formats={**{a: "pct100" for a in L.AGREEMENT}, NOT_SHOWN: "pct100", "N": "int"})


def survey_agreement(survey: Table) -> tuple[float | None, int]:
    """% of the published answers that agree (completely or mostly), over every shown statement; and N answers."""
    agree = total = 0.0
    for row in survey.rows:
        n = row[-1]
        if not isinstance(n, int | float) or not n:
            continue
        agree += n * (row[1] + row[2]) / 100.0
        total += n
    return (100.0 * agree / total if total else None), int(total)


# ---------------------------------------------------------------- ACEL and the poverty-related gap


_ACEL_LAST: list[tuple[weakref.ref, pd.DataFrame]] = []  # the last table pivoted: four figures ask for it


def _acel(returns: pd.DataFrame) -> pd.DataFrame:
    """The ACEL counts, one row per school, stage, organiser and group, with both assessed and achieved."""
    if _ACEL_LAST and _ACEL_LAST[0][0]() is returns:
        return _ACEL_LAST[0][1]
    a = returns[returns["section"] == "ACEL"]
    if a.empty:
        wide = pd.DataFrame(columns=["seed_code", "stage", "organiser", "group", "assessed", "achieved"])
    else:
        wide = a.pivot_table(index=["seed_code", "stage", "organiser", "group"], columns="quantity", values="value",
                             aggfunc="sum", observed=True).reset_index()
        for q in ("assessed", "achieved"):
            if q not in wide:
                wide[q] = float("nan")
    wide = wide[wide["assessed"].notna() & wide["achieved"].notna()]
    _ACEL_LAST[:] = [(weakref.ref(returns), wide)]
    return wide


def _sums(w: pd.DataFrame, keys: list[str]) -> dict[object, tuple[float, float]]:
    """key -> (assessed, achieved) summed over the rows with that key: one grouped pass."""
    if w.empty:
        return {}
    summed = w.groupby(keys, sort=False, observed=True)[["assessed", "achieved"]].sum()
    return {k: (float(d), float(n)) for k, d, n in zip(summed.index, summed["assessed"], summed["achieved"],
                                                       strict=True)}


def _pct(sums: dict, key: object, threshold: int) -> object:
    """% achieving for one key, None with nobody assessed, suppressed below the threshold."""
    d, n = sums.get(key, (0.0, 0.0))
    if d == 0:
        return None
    return SUPPRESSED if d < threshold else 100.0 * n / d


def acel_by_quintile(returns: pd.DataFrame, threshold: int) -> tuple[Table, dict[str, float | None]]:
    """Pupils assessed and achieving (all stages and organisers) per SIMD quintile, with the gap."""
    by_group = _sums(_acel(returns), ["group"])
    groups = [f"Q{q}" for q in L.SIMD_QUINTILES]
    ach = [by_group.get(g, (0.0, 0.0))[1] for g in groups]
    ass = [by_group.get(g, (0.0, 0.0))[0] for g in groups]
    counts = [[a, s - a] for a, s in zip(ach, ass, strict=True)]
    hidden = suppress(counts, threshold, row_totals=True, col_totals=True)
    cols = ["SIMD quintile", "Assessed (n)", "Achieving (n)", "% achieving"]
    rows, pct = [], {}
    for k, g in enumerate(groups):
        shown = not (hidden.cells[k][0] or hidden.cells[k][1] or hidden.row_totals[k])
        p = 100.0 * ach[k] / ass[k] if shown and ass[k] else None
        pct[g] = p
        label = f"Quintile {g[1]}" + (" (most deprived)" if g == "Q1" else " (least deprived)" if g == "Q5" else "")
        rows.append([label, SUPPRESSED if hidden.row_totals[k] else ass[k],
                     SUPPRESSED if hidden.cells[k][0] else ach[k], SUPPRESSED if p is None and ass[k] else p])
    rows.append(_simd12_row(ach, ass, hidden, threshold, pct))
    total_a, total_s = sum(ach), sum(ass)
    pct[ALL] = 100.0 * total_a / total_s if total_s else None
    rows.append([ALL, SUPPRESSED if hidden.grand_total else total_s,
                 SUPPRESSED if hidden.col_totals[0] else total_a, pct[ALL]])
    gap = None if pct["Q1"] is None or pct["Q5"] is None else pct["Q5"] - pct["Q1"]
    pct["gap"] = gap
    return Table("Achievement of CfE levels by SIMD quintile (all stages and organisers)", cols, rows,
                 note=f"Poverty-related gap (% in quintile 5 − % in quintile 1): "
                      f"{'not shown' if gap is None else f'{gap:.1f} percentage points'}.",
                 formats={cols[1]: "int", cols[2]: "int", cols[3]: "pct100"}), pct


SIMD12 = "SIMD 1/2 (Q1+Q2)"


def _simd12_row(ach: list[float], ass: list[float], hidden, threshold: int, pct: dict) -> list[object]:
    """Quintiles 1 and 2 together, published only where it gives no hidden count back: a combined cell is shown
    when both its parts are, or when both are hidden and the rest of its column hides none or at least two
    others (one other would then follow from the column's total); the combined row shows all or nothing."""
    def combined(j: int | None, value: float) -> bool:
        parts = [hidden.row_totals[0], hidden.row_totals[1]] if j is None else [hidden.cells[0][j], hidden.cells[1][j]]
        others = sum(hidden.row_totals[2:]) if j is None else sum(r[j] for r in hidden.cells[2:])
        return parts[0] != parts[1] or (all(parts) and others == 1) or is_small(value, threshold)

    a, s = ach[0] + ach[1], ass[0] + ass[1]
    hide = [combined(0, a), combined(1, s - a), combined(None, s)]
    shown = not any(hide)
    hide_a, hide_s = (hide[0], hide[2]) if shown or all(hide) else (True, True)
    p = 100.0 * a / s if shown and s else None
    pct[SIMD12] = p
    return [SIMD12, SUPPRESSED if hide_s else s, SUPPRESSED if hide_a else a, SUPPRESSED if p is None and s else p]


def acel_by_stage(returns: pd.DataFrame, threshold: int) -> Table:
    w = _acel(returns)
    by_stage, by_group = _sums(w, ["stage", "organiser"]), _sums(w, ["stage", "organiser", "group"])
    cols = ["Stage", "Organiser", "Assessed (n)", "% achieving (all)", "% Q1", "% Q5", "Gap (pp)"]
    rows = []
    for stage in L.ACEL_STAGES:
        for org in L.ACEL_ORGANISERS:
            if (stage, org) not in by_stage:
                continue
            n = by_stage[(stage, org)][0]
            p1, p5 = _pct(by_group, (stage, org, "Q1"), threshold), _pct(by_group, (stage, org, "Q5"), threshold)
            gap = p5 - p1 if isinstance(p1, float) and isinstance(p5, float) else (
                SUPPRESSED if SUPPRESSED in (p1, p5) else None)
            rows.append([stage, org, SUPPRESSED if is_small(n, threshold) else n,
                         _pct(by_stage, (stage, org), threshold), p1, p5, gap])
    return Table("Achievement of CfE levels by stage and organiser, with the poverty-related gap", cols, rows,
                 note="A percentage is not shown where fewer than the threshold were assessed.",
                 formats={"Assessed (n)": "int", "% achieving (all)": "pct100", "% Q1": "pct100", "% Q5": "pct100",
                          "Gap (pp)": "num1"})


MIN_SCHOOLS = 3
STRETCH_COLUMNS = ["Measure", "Group", "Schools compared", "Mean current (%)", "Mean stretch aim (%)",
                   "Mean now (%)", "Change since current (pp)", "Still to go to aim (pp)", "Note"]


def _joined(first: pd.Series, second: pd.Series) -> pd.Series | pd.Categorical:
    """"first second" for each row, e.g. "P1 Reading" from the stage and the organiser: made from the columns'
    categories (a few dozen texts) rather than row by row (hundreds of thousands at a large authority)."""
    if isinstance(first.dtype, pd.CategoricalDtype) and isinstance(second.dtype, pd.CategoricalDtype):
        a, b = first.cat.categories, second.cat.categories
        names = [f"{x} {y}" for x in a for y in b]
        if len(set(names)) == len(names) and not (first.isna().any() or second.isna().any()):
            codes = first.cat.codes.to_numpy().astype("int64") * len(b) + second.cat.codes.to_numpy()
            return pd.Categorical.from_codes(codes, categories=pd.Index(names, dtype=str))
    return first.astype(str) + " " + second.astype(str)


def school_now(returns: pd.DataFrame) -> pd.DataFrame:
    """Each school's own figure now, per stretch measure and group, from the counts it returned this session:
    ACEL % achieving (by stage and organiser), attendance %, exclusions per 1,000; the gap is Q5 − Q1 in
    percentage points. Columns seed_code, measure, group, now."""
    parts = []
    w = _acel(returns)
    w = w[w["assessed"].notna() & w["achieved"].notna()]
    if not w.empty:
        w = w.assign(measure=_joined(w["stage"], w["organiser"]))
        counts = ["assessed", "achieved"]
        by_group = w.groupby(["seed_code", "measure", "group"], observed=True)[counts].sum().reset_index()
        every = w.groupby(["seed_code", "measure"], observed=True)[counts].sum().reset_index()
        every["group"] = "All"
        parts.append(pd.concat([by_group, every]).rename(columns={"assessed": "d", "achieved": "x"}))
    a = returns[returns["section"] == "Attendance"]
    if not a.empty:
        att = a.pivot_table(index=["seed_code", "group"], columns="quantity", values="value",
                            aggfunc="sum", observed=True).reset_index()
        if {"possible", "attended"} <= set(att.columns):
            every = att.groupby("seed_code", observed=True)[["possible", "attended"]].sum().reset_index()
            every["group"] = "All"
            att = pd.concat([att, every]).rename(columns={"possible": "d", "attended": "x"})
            parts.append(att.assign(measure="Attendance"))
    e = returns[returns["section"] == "Exclusions"]
    if not e.empty:
        ex = e.pivot_table(index="seed_code", columns="quantity", values="value", aggfunc="sum",
                           observed=True).reset_index()
        if {"roll", "exclusion cases"} <= set(ex.columns):
            ex = ex.rename(columns={"roll": "d", "exclusion cases": "x"})
            ex["x"] = ex["x"] * 10  # per 1,000 rather than per 100
            parts.append(ex.assign(measure="Exclusions per 1000", group="All"))
    if not parts:
        return pd.DataFrame(columns=["seed_code", "measure", "group", "now"])
    f = pd.concat([p[["seed_code", "measure", "group", "d", "x"]] for p in parts], ignore_index=True)
    f = f[f["d"] > 0]
    f = f.assign(now=100.0 * f["x"] / f["d"])
    named = {"All": "All pupils", "Q1": "SIMD quintile 1", "Q5": "SIMD quintile 5"}
    f = f[f["group"].isin(named)].assign(group=lambda x: x["group"].map(named))
    out = f[["seed_code", "measure", "group", "now"]]
    q = out.pivot_table(index=["seed_code", "measure"], columns="group", values="now", observed=True).reset_index()
    if {"SIMD quintile 1", "SIMD quintile 5"} <= set(q.columns):
        gap = q.assign(now=q["SIMD quintile 5"] - q["SIMD quintile 1"])[["seed_code", "measure", "now"]]
        gap = gap[gap["now"].notna()].assign(group=L.STRETCH_GROUPS[3])
        out = pd.concat([out, gap[["seed_code", "measure", "group", "now"]]], ignore_index=True)
    return out.astype({"seed_code": str})


def stretch_aims(returns: pd.DataFrame, threshold: int) -> Table:
    """Per stretch measure and group, over the schools that set an aim AND returned the counts to say where
    they are now (the same schools on every column): their mean current value, mean aim and mean now, the
    change since current and what is still to go, in percentage points. Fewer than 3 schools is flagged."""
    s = returns[returns["section"] == "Stretch aim"]
    cols = STRETCH_COLUMNS
    rows: list[list[object]] = []
    note = ("Like with like: each row uses only the schools that set that aim and returned this session's "
            "counts for it; every mean is of those schools' own figures (each school counts once). Change and "
            "still to go are in percentage points (for exclusions: per 1,000). Exclusions and attendance "
            "aims use the school's roll and attendance counts.")
    if s.empty:
        return Table("Progress to stretch aims", cols, rows, note=note)
    wide = _aims(returns)  # each school's aims with its figures now, as the school profile has them
    same = wide[wide["current"].notna() & wide["aim"].notna() & wide["now"].notna()]
    stats = same.groupby(["measure", "group"], observed=True).agg(
        n=("seed_code", "nunique"), current=("current", "mean"), aim=("aim", "mean"), now=("now", "mean"))
    order = {m: k for k, m in enumerate(L.STRETCH_MEASURES)}
    gorder = {g: k for k, g in enumerate(L.STRETCH_GROUPS)}
    keys = sorted({(m, g) for m, g in zip(wide["measure"], wide["group"], strict=True)},
                  key=lambda mg: (order.get(mg[0], 99), gorder.get(mg[1], 99), str(mg)))
    for measure, group in keys:
        if (measure, group) not in stats.index:
            rows.append([measure, group, 0, None, None, None, None, None, "No school has both an aim and "
                         "this session's counts"])
            continue
        r = stats.loc[(measure, group)]
        n = int(r["n"])
        rows.append([measure, group, n, float(r["current"]), float(r["aim"]), float(r["now"]),
                     float(r["now"] - r["current"]), float(r["aim"] - r["now"]),
                     f"Fewer than {MIN_SCHOOLS} schools: read with care" if n < MIN_SCHOOLS else ""])
    return Table("Progress to stretch aims", cols, rows, note=note,
                 formats={c: "num1" for c in cols[3:8]} | {cols[2]: "int"})


# ---------------------------------------------------------------- outliers in school returns


def modified_z(values: list[float]) -> list[float | None]:
    """Iglewicz and Hoaglin's modified z-score: 0.6745 (x − median) / MAD; where MAD is 0, the mean absolute
    deviation × 1.253314 stands in for it; None for every value when both are 0 (all equal) or n < 3."""
    if len(values) < 3:
        return [None] * len(values)
    s = pd.Series(values, dtype=float)
    med = float(s.median())
    mad = float((s - med).abs().median())
    if mad > 0:
        return [0.6745 * (x - med) / mad for x in values]
    mean_ad = float((s - med).abs().mean())
    if mean_ad > 0:
        return [(x - med) / (1.253314 * mean_ad) for x in values]
    return [None] * len(values)


def school_measures(returns: pd.DataFrame, names: dict[str, str], threshold: int) -> pd.DataFrame:
    """Per school: % achieving (ACEL, all), poverty-related gap, attendance %, exclusions per 1,000.
    A value resting on fewer than `threshold` pupils (or 1 to threshold-1 exclusions) is left out.
    Each quantity is summed for every school in one grouped pass; the loop only divides."""
    w = _acel(returns)
    acel = _sums(w.assign(seed=w["seed_code"].astype(str)), ["seed"])
    acel_q = _sums(w[w["group"].isin(["Q1", "Q5"])].assign(seed=lambda x: x["seed_code"].astype(str)),
                   ["seed", "group"])
    seeds = sorted({str(s) for s in returns["seed_code"].dropna().unique().tolist()})
    r = returns.loc[returns["seed_code"].notna() & returns["section"].isin(["Attendance", "Exclusions"]),
                    ["seed_code", "section", "quantity", "value"]]  # only what is summed: no copy of the rest
    r = r.assign(seed=r["seed_code"].astype(str), value=pd.to_numeric(r["value"], errors="coerce"))
    att = r[r["section"] == "Attendance"]
    attendance = att.groupby(["seed", "quantity"], sort=False, observed=True)["value"].sum().to_dict()
    ex = r[r["section"] == "Exclusions"]
    # the first roll and the first number of cases each school returned
    firsts = {q: dict(zip(part["seed"], part["value"], strict=True))
              for q in ("roll", "exclusion cases")
              for part in [ex[ex["quantity"] == q].drop_duplicates("seed", keep="first")]}
    out = []
    for seed in seeds:
        row = {"seed_code": seed, "school": names.get(seed, "")}
        d, n = acel.get(seed, (0.0, 0.0))
        row["% achieving CfE levels"] = 100.0 * n / d if d >= threshold else None
        (d1, n1), (d5, n5) = acel_q.get((seed, "Q1"), (0.0, 0.0)), acel_q.get((seed, "Q5"), (0.0, 0.0))
        row["Poverty-related gap (pp)"] = 100.0 * n5 / d5 - 100.0 * n1 / d1 \
            if d1 >= threshold and d5 >= threshold else None
        pos, got = float(attendance.get((seed, "possible"), 0.0)), float(attendance.get((seed, "attended"), 0.0))
        row["Attendance %"] = 100.0 * got / pos if pos else None
        roll, cases = firsts["roll"].get(seed), firsts["exclusion cases"].get(seed)
        if roll is not None and cases is not None and float(roll) > 0 and not is_small(float(cases), threshold):
            row["Exclusions per 1,000"] = 1000.0 * float(cases) / float(roll)
        else:
            row["Exclusions per 1,000"] = None
        out.append(row)
    return pd.DataFrame(out, columns=["seed_code", "school", *OUTLIER_MEASURES])


OUTLIER_MEASURES = ("% achieving CfE levels", "Poverty-related gap (pp)", "Attendance %", "Exclusions per 1,000")


def outliers(measures: pd.DataFrame) -> Table:
    cols = ["School", "SEED code", "Measure", "Value", "Authority median", "Modified z (M)"]
    rows = []
    for m in OUTLIER_MEASURES:
        part = measures[measures[m].notna()]
        values = [float(x) for x in part[m]]
        zs = modified_z(values)
        med = float(pd.Series(values).median()) if values else None
        for school, seed, value, z in zip(part["school"].tolist(), part["seed_code"].tolist(), values, zs,
                                          strict=True):
            if z is not None and abs(z) > MODIFIED_Z_LIMIT:
                rows.append([school, seed, m, value, med, z])
    rows.sort(key=lambda r: (-abs(r[5]), r[2], r[1]))
    return Table("Outliers in the school returns (|M| > 3.5)", cols, rows,
                 note="Modified z-score M = 0.6745 × (value − median) / median absolute deviation (Iglewicz and "
                      "Hoaglin). A value with |M| > 3.5 is worth checking with the school: a typing slip or a "
                      "real difference.",
                 formats={"Value": "num1", "Authority median": "num1", "Modified z (M)": "num2"})


# ---------------------------------------------------------------- what the dashboard shows


INSTRUMENTS = {
    "social_skills": (SOCIAL_SKILLS, SOCIAL_SKILLS_TOTAL),
    "rosenberg": (ROSENBERG, ROSENBERG_TOTAL),
    "attendance": (ATTENDANCE, ATTENDANCE_PCT),
    "gas": (GAS, GAS_T),
}


# ---------------------------------------------------------------- coverage, completeness, timeliness

RAG_GREEN, RAG_AMBER, RAG_RED = "Green", "Amber", "Red"
COVERAGE_UNKNOWN = "Unknown"


def rag_pct(p: float | None, green: float = 80.0, amber: float = 50.0) -> str:
    if p is None:
        return ""
    return RAG_GREEN if p >= green else RAG_AMBER if p >= amber else RAG_RED


_NO_FILES = dict.fromkeys(("accepted", "projects", "returns", "valid", "warnings", "errors", "rejected",
                           "phase1", "phase2", "phase3", "phase4", "phase5"), 0)


def _coverage_counts(files: pd.DataFrame) -> dict[str, dict[str, int]]:
    """Per school (SEED code): files by status, accepted projects and returns, projects with each phase."""
    accepted = files["status"].isin(["valid", "warnings", "errors"])
    projects = accepted & (files["kind"] == "sipp_project")
    flags = pd.DataFrame({
        "seed": files["seed_code"].astype(str),
        "accepted": accepted, "projects": projects,
        "returns": accepted & (files["kind"] == "school_return"),
        **{status: files["status"] == status for status in ("valid", "warnings", "errors", "rejected")},
        **{f"phase{k}": projects & files[f"phase{k}"].astype(bool) for k in range(1, 6)},
    })
    sums = flags.groupby("seed", sort=False, observed=True).sum()
    return {seed: {k: int(v) for k, v in row.items()} for seed, row in sums.to_dict("index").items()}


def coverage(files: pd.DataFrame, config, names: dict[str, str]) -> Table:
    """One row per school: what was expected and received, files by status, phases complete, RAG."""
    cols = ["SEED code", "School", "On the authority's list", "Projects expected", "Projects received",
            "School return", "Files accepted", "With warnings", "With errors", "Rejected",
            "Phase 1 %", "Phase 2 %", "Phase 3 %", "Phase 4 %", "Phase 5 %", "Completeness %", "Coverage"]
    expected = {s.seed_code: s for s in config.schools}
    seeds = sorted(set(expected) | {str(s) for s in files["seed_code"] if s})
    if (files["seed_code"] == "").any():
        seeds.append("")
    counts = _coverage_counts(files)
    rows = []
    for seed in seeds:
        c = counts.get(seed, _NO_FILES)
        school = expected.get(seed)
        n_expected = len(school.projects) if school and school.projects else None
        ret_expected = school.school_return if school else True
        has_return = c["returns"] > 0
        phases = [100.0 * c[f"phase{k}"] / c["projects"] if c["projects"] else None for k in range(1, 6)]
        known = [p for p in phases if p is not None]
        parts = known[:]
        if ret_expected:
            parts.append(100.0 if has_return else 0.0)
        if n_expected:
            parts.append(100.0 * min(c["projects"], n_expected) / n_expected)
        completeness = sum(parts) / len(parts) if parts else None
        bad = c["errors"] + c["rejected"]
        if not c["accepted"]:
            rag = RAG_RED
        elif (ret_expected and not has_return) or (n_expected and c["projects"] < n_expected) or bad:
            rag = RAG_AMBER
        else:
            rag = RAG_GREEN
        if not config.schools and rag != RAG_RED:
            rag = COVERAGE_UNKNOWN  # what was expected is not known: the school may be missing a return
        rows.append([seed or "(not known)", names.get(seed, "") if seed else "(files with no readable school)",
                     "Yes" if school else ("No" if config.schools else "—"), n_expected, c["projects"],
                     "Received" if has_return else ("Missing" if ret_expected else "Not expected"),
                     c["valid"], c["warnings"], c["errors"], c["rejected"], *phases, completeness, rag])
    note = "" if config.schools else ("No list of schools was given (the [[schools]] of authority.toml), so "
                                      "coverage is unknown: a school that sent nothing is not in this table. ")
    return Table("Coverage and completeness per school and phase", cols, rows,
                 note=note + "Phase %: share of the school's project workbooks with that phase filled in. "
                      "Completeness: the phases, the school return and the expected projects together. "
                      "Coverage: Green = everything expected received and readable; Amber = something missing or "
                      "with errors; "
                      "Red = nothing usable received; Unknown = no school list to say what was expected.",
                 formats={**{f"Phase {k} %": "pct100rag" for k in range(1, 6)}, "Completeness %": "pct100rag",
                          "Coverage": "rag"})


def timeliness(files: pd.DataFrame, config, names: dict[str, str]) -> Table:
    cols = ["SEED code", "School", "Last submission", "Dated by", "Days after the deadline", "On time"]
    deadline = config.deadline
    acc = files[files["status"].isin(["valid", "warnings", "errors"])]
    expected = {s.seed_code for s in config.schools}
    seeds = sorted(expected | {str(s) for s in acc["seed_code"] if s})
    rows = []
    # Each school's last submission: sorted by date (undated last) and file, the last row per school.
    ordered = acc.assign(_seed=acc["seed_code"].astype(str),
                         _known=acc["date_used"].map(lambda d: isinstance(d, dt.date)),
                         _when=acc["date_used"].map(lambda d: d if isinstance(d, dt.date) else dt.date.min))
    ordered = ordered.sort_values(["_seed", "_known", "_when", "file"], kind="stable")
    last_of = {row["_seed"]: row for row in ordered.drop_duplicates("_seed", keep="last").to_dict("records")}
    for seed in seeds:
        last = last_of.get(seed)
        if last is None:
            rows.append([seed, names.get(seed, ""), None, "", None, RAG_RED])
            continue
        when = last["date_used"] if isinstance(last["date_used"], dt.date) else None
        days = (when - deadline).days if deadline and when else None
        rag = "" if days is None else RAG_GREEN if days <= 0 else RAG_AMBER if days <= 7 else RAG_RED
        rows.append([seed, names.get(seed, ""), when, last["date_source"],
                     max(days, 0) if days is not None else None, rag or ("Date unknown" if deadline else "")])
    title = "Timeliness against the deadline" + (f" ({deadline:%d/%m/%Y})" if deadline else " (no deadline set)")
    return Table(title, cols, rows,
                 note="A file is dated only by its 'Prepared for submission' stamp: a file's modified time says when "
                      "it was copied, not when the school sent it, so an unstamped file's date is unknown (never "
                      "late). Green = on time; Amber = up to 7 days late; Red = later, or nothing received.",
                 formats={"Last submission": "date", "Days after the deadline": "int", "On time": "rag"})


# ---------------------------------------------------------------- the headline outcomes


@dataclass(frozen=True)
class Outcome:
    measure: str
    value: float | None  # None: nothing to show, or not shown (suppressed)
    n: object  # what it rests on (int), SUPPRESSED, or None
    unit: str  # how to read the value and a change in it
    sheet: str  # where the detail is


def _all_row(t: Table) -> list[object] | None:
    return next((r for r in t.rows if r and r[0] == ALL), None)


def _shown(v: object) -> float | None:
    return None if v == SUPPRESSED else _num(v)


def outcomes(figs: dict) -> list[Outcome]:
    """The figures an authority leader reads first, each from the 'All' row of its own sheet's table."""
    out = []
    for key, measure, col, unit, sheet in (
            ("ss_intervention", "Social skills: mean change in total /60", "Mean change", "points", "Social skills"),
            ("leuven", "Engagement: mean Leuven level (1-5) in the sessions", "Mean engagement", "level",
             "Engagement"),
            ("gas", "Goal Attainment Scaling: mean change in T-score", "Mean change in T", "T points", "GAS"),
            ("attendance", "Attendance: mean change (percentage points)", "Mean change (pp)", "pp",
             "Self-esteem & attendance")):
        t = figs[key]
        row = _all_row(t)
        if row is None:
            out.append(Outcome(measure, None, None, unit, sheet))
            continue
        out.append(Outcome(measure, _shown(row[t.columns.index(col)]), row[1], unit, sheet))
    agree, answers = survey_agreement(figs["survey"])
    out.append(Outcome("Practitioner survey: % agreeing (completely or mostly)", agree, answers or None, "pp",
                       "Survey"))
    q = figs["acel_quintile"]
    row = _all_row(q)
    gap = figs.get("gap")
    out.append(Outcome("Attainment: poverty-related gap, Q5 − Q1 (percentage points)", gap,
                       row[1] if row else None, "pp", "Attainment"))
    out.append(Outcome("Attainment: % achieving expected CfE levels", _shown(row[3]) if row else None,
                       row[1] if row else None, "pp", "Attainment"))
    return out


# ---------------------------------------------------------------- one row per school


PROFILE_MEASURES = {"% achieving CfE levels": "% achieving", "Poverty-related gap (pp)": "Gap (pp)",
                    "Attendance %": "Attendance %", "Exclusions per 1,000": "Exclusions per 1,000"}
_AIM_OF = {"Attendance %": "Attendance", "Exclusions per 1,000": "Exclusions per 1000"}


_AIMS_LAST: list[tuple[weakref.ref, pd.DataFrame]] = []  # the last aims worked out: two figures ask for them


def _aims(returns: pd.DataFrame) -> pd.DataFrame:
    """Per school and stretch measure/group: current, aim and now (the school's own figures)."""
    if _AIMS_LAST and _AIMS_LAST[0][0]() is returns:
        return _AIMS_LAST[0][1]
    s = returns[returns["section"] == "Stretch aim"]
    if s.empty:
        return pd.DataFrame(columns=["seed_code", "measure", "group", "current", "aim", "now"])
    wide = s.pivot_table(index=["seed_code", "organiser", "group"], columns="quantity", values="value",
                         aggfunc="mean", observed=True).reset_index().rename(columns={"organiser": "measure"})
    for q in ("current", "aim"):
        if q not in wide:
            wide[q] = float("nan")
    wide = wide.astype({"seed_code": str}).merge(school_now(returns), on=["seed_code", "measure", "group"],
                                                 how="left")
    _AIMS_LAST[:] = [(weakref.ref(returns), wide)]
    return wide


def _lookup(s: pd.Series) -> dict:
    """`s` as a dict of its index to its values, as `s.get` finds them: a key held more than once gives None (get
    gives a Series there, which _num does not take for a number)."""
    out = dict(zip(s.index, s.tolist(), strict=True))
    if not s.index.is_unique:
        out.update(dict.fromkeys(s.index[s.index.duplicated()]))
    return out


def school_profile(measures: pd.DataFrame, returns: pd.DataFrame, previous: dict[str, dict] | None,
                   previous_name: str | None, coverage_rag: dict[str, str], names: dict[str, str]) -> Table:
    """One row per school a QIO can filter: each measure now, in the previous session and the change; the
    attendance and exclusions stretch aims; how many aims are set and how many are moving the right way."""
    prev_label = f"previous ({previous_name})" if previous_name else "previous"
    cols = ["SEED code", "School", "Coverage"]
    for short in PROFILE_MEASURES.values():
        cols += [f"{short}: now", f"{short}: {prev_label}", f"{short}: change"]
        if short in ("Attendance %", "Exclusions per 1,000"):
            cols.append(f"{short}: stretch aim")
    cols += ["Stretch aims set", "Aims moving towards the aim"]
    aims = _aims(returns)
    known = aims[aims["current"].notna() & aims["aim"].notna() & aims["now"].notna() & (aims["aim"] != aims["current"])]
    toward = ((known["now"] - known["current"]) * (known["aim"] - known["current"]) > 0)
    moving = toward.groupby(known["seed_code"], observed=True).sum() if not known.empty else pd.Series(dtype=int)
    n_set = aims[aims["aim"].notna()].groupby("seed_code", observed=True).size() if not aims.empty \
        else pd.Series(dtype=int)
    all_aims = aims[aims["group"] == "All pupils"].set_index(["seed_code", "measure"])["aim"] \
        if not aims.empty else pd.Series(dtype=float)
    moving, n_set, all_aims = _lookup(moving), _lookup(n_set), _lookup(all_aims)  # a Series' get, per school: slow
    previous = previous or {}
    rows = []
    records = {str(rec["seed_code"]): rec for rec in measures.to_dict("records")}
    for seed in sorted(set(records) | {s for s in coverage_rag if s and s[0].isdigit()}):
        rec = records.get(seed) or {"seed_code": seed, "school": names.get(seed, "")}
        before = previous.get(seed, {})
        row: list[object] = [seed, rec["school"], coverage_rag.get(seed, "")]
        for m in PROFILE_MEASURES:
            now, prev = _num(rec.get(m)), _num(before.get(m))
            row += [now, prev, now - prev if now is not None and prev is not None else None]
            if m in _AIM_OF:
                row.append(_num(all_aims.get((seed, _AIM_OF[m]))))
        row += [int(n_set.get(seed, 0)), int(moving.get(seed, 0))]
        rows.append(row)
    return Table("School profile: each school now, last session and its stretch aims", cols, rows,
                 note="One row per school (on the authority's list or with a file). A value resting on fewer "
                      "pupils than the threshold is blank. Aims moving towards the aim: the school's aims where its "
                      "figure now has moved from its current value in the direction of its aim.",
                 formats={**{c: "num1" for c in cols[3:-2]}, "Coverage": "rag", cols[-2]: "int", cols[-1]: "int"})
