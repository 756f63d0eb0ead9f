"""Whole workbooks: the SIPP project, the school data return, and one clean workbook of any kind."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from ..io.build import build_template
from ..spec import get_template
from ..spec import lists as L
from ..spec.model import Template
from .assessments import (
    fill_attendance,
    fill_details,
    fill_gas,
    fill_observations,
    fill_rosenberg,
    fill_social_skills,
    fill_survey,
)
from .world import (
    _ACTIONS,
    _FACTOR_TESTS,
    _FACTORS,
    _PATHWAYS,
    _SESSION_NOTES,
    AUTHORITY,
    INTERVENTIONS,
    SESSION,
    Partnership,
    School,
    _clip,
    _make_pupils,
    _sentence,
    _staff_name,
    _timescale,
    make_schools,
)
from .writer import Values, ValueWriter

# ---------------------------------------------------------------- the project workbook


def fill_project(rng: random.Random, partnership: Partnership, n_pupils: int | None = None) -> ValueWriter:
    """Every part of a SIPP project workbook filled in, clean, for one partnership."""
    w = ValueWriter(get_template("sipp_project"))
    iv = partnership.intervention
    schools = partnership.schools
    lead = schools[0]
    ts = _timescale(rng)
    pupils = _make_pupils(rng, schools, n_pupils or rng.randint(4, 6))
    used: set[str] = set()
    staff = [(_staff_name(rng, used), s, role) for s in schools
             for role in ("Class teacher", "Support for learning teacher")]
    staff += [(_staff_name(rng, used), lead, "Depute head teacher"),
              (_staff_name(rng, used), None, "Educational psychologist")]
    teachers = [s[0] for s in staff if s[2] == "Class teacher"]
    support = [s[0] for s in staff if s[2] == "Support for learning teacher"]

    # Project
    w.field("project_title", f"{iv.title} for {iv.focus}")
    w.field("intervention", iv.title)
    w.field("local_authority", AUTHORITY)
    w.field("session", SESSION)
    w.field("lead_school", lead.name)
    w.field("seed_code", lead.seed_code)
    w.field("partnership", partnership.name)
    for r, s in enumerate(schools):
        w.row("schools", r, school=s.name, seed_code=s.seed_code, authority=AUTHORITY, sector=s.sector,
              role="Lead school" if r == 0 else "Partner school")
    w.row("schools", len(schools), school=f"{AUTHORITY} Psychological Service", authority=AUTHORITY,
          role="Authority")
    for r, (name, school, role) in enumerate(staff):
        w.row("staff", r, name=name, school=school.initials if school else "Authority", role=role)

    # Pupils
    for r, p in enumerate(pupils):
        decile = rng.choice((1, 1, 2, 2, 3, 4, 5, 7))
        p.extra["decile"] = decile
        reason = rng.choice(("SIMD 1-2 and lowest 20% in social skills", "Lowest performing 20% in reading",
                             "Low engagement in class", "Attendance below 90%", "Looked after at home; "
                             "low confidence", "Few friendships; ASN"))
        w.row("pupils", r, pupil_ref=p.ref, school=p.school.name, stage=p.stage,
              sex=rng.choice(("Female", "Male", "Male")), simd_decile=decile,
              looked_after=rng.choice(("No", "No", "No", "Yes")), asn=rng.choice(("Yes", "No")),
              eal=rng.choice(("No", "No", "Yes")), fsm="Yes" if decile <= 2 or rng.random() < 0.3 else "No",
              reason=reason)

    stages = sorted({p.stage for p in pupils}, key=L.STAGES.index)
    names = " and ".join(s.name for s in schools)
    # Phase 1
    w.field("target_group", _sentence(
        f"{len(pupils)} {'/'.join(stages)} pupils across {names}:", iv.group + "."))
    w.field("rationale", _sentence(
        "Tracking data and staff observation identified these learners.",
        f"{sum(p.extra['decile'] <= 2 for p in pupils)} live in SIMD deciles 1-2;",
        "all scored in the lowest 20% of their class on the Social Skills Pupil Assessment or engagement."))
    outcomes = [
        ("Engagement", f"By {ts.end:%B %Y}, each pupil's mean Leuven engagement in sessions will rise to 4 or "
                       "above.", "Leuven engagement", "Mean engagement 4+"),
        ("Participation", f"By {ts.end:%B %Y}, each pupil's Social Skills total will increase by at least 5 "
                          "points.", "Social Skills Pupil Assessment", "Total up by 5 points"),
        ("Attendance", "Attendance of the target group will improve by 2 percentage points.", "Attendance",
         "+2 pp"),
        ("Attainment", "Pupils will show greater confidence in class, measured by the Rosenberg scale.",
         "Rosenberg self-esteem", "Total up by 3 points"),
    ]
    outcomes = outcomes[:rng.randint(2, 4)]
    for r, (area, text, measure, target) in enumerate(outcomes):
        w.row("smart_outcomes", r, area=area, outcome=text, measure=measure, target=target,
              by_date=ts.end + dt.timedelta(days=14))

    # Phase 2
    factors = rng.sample(_FACTORS, rng.randint(4, 8))
    for r, (factor, level, kind) in enumerate(factors):
        w.row("factors", r, factor=factor, level=level, kind=kind, test=rng.choice(_FACTOR_TESTS),
              confirmed=rng.choice(("Yes", "Yes", "No")))
    strengths = [f for f in factors if f[2].startswith("Strength")]
    pressures = [f for f in factors if f[2].startswith("Pressure")]
    w.field("confirmed_strengths", "; ".join(f[0] for f in strengths) + "." if strengths else "None confirmed.")
    w.field("confirmed_pressures", "; ".join(f[0] for f in pressures) + "." if pressures else "None confirmed.")

    # Phase 3
    w.field("evidence_review", iv.evidence)
    w.field("interventions", _sentence(f"{iv.title}:", iv.activity + ",", f"targeting {iv.focus}."))
    w.field("build_on_strengths", "Use the pupils' interests and the positive relationships with staff; "
                                  "give each pupil a role with responsibility.")
    w.field("weak_evidence", "Evidence for transfer of skills from small groups to the playground is limited.")
    questions = (
        f"Does {iv.title.lower()} improve the {iv.focus} of the target group?",
        "Does engagement in sessions carry over into the classroom?",
        "How do pupils from different schools work together in a shared group?",
    )
    for r, q in enumerate(questions[:rng.randint(1, 3)]):
        w.cell("research_questions", r, "question", q)
    w.field("plan", _sentence(f"Weekly {iv.title.lower()} sessions:", iv.activity + ",",
                              f"in the {iv.location.lower()} of {lead.name}."))
    w.field("start_date", ts.start)
    w.field("end_date", ts.end)
    w.field("sessions_planned", ts.planned)
    w.field("session_length", rng.choice(("45 minutes a week", "1 hour a week", "40 minutes a week")))
    w.field("who_involved", "Support for learning teachers from each school, with class teachers, the "
                            "educational psychologist and the target group.")
    w.field("evaluation", "Short term: Social Skills Pupil Assessment pre and post, Leuven engagement each "
                          "session. Long term: attendance and class observation next term.")
    w.field("control_group", rng.choice(("No", "No", "Yes")))
    for r, (task, by, when) in enumerate(_ACTIONS[:rng.randint(5, len(_ACTIONS))]):
        w.row("action_plan", r, task=task, by_whom=by, when=when, where=rng.choice((lead.name, "Each school")),
              notes=rng.choice(("", "Cover agreed", "Resources ordered", "Dates in calendar")))

    # Phase 4 session log
    for r, day in enumerate(ts.sessions):
        t = r / max(1, len(ts.sessions) - 1)
        absent = [k for k in range(len(pupils)) if rng.random() < 0.08]
        w.row("sessions", r, session_date=day, notes=rng.choice(_SESSION_NOTES), pathway=rng.choice(_PATHWAYS),
              attended=f"All {len(pupils)} pupils" if not absent else f"{len(pupils) - len(absent)} pupils, "
              f"{len(absent)} absent")
        for k, p in enumerate(pupils):
            if k not in absent:
                level = _clip(p.leuven_start + (p.leuven_end - p.leuven_start) * t + rng.uniform(-0.6, 0.6), 1, 5)
                w.cell("sessions", r, f"leuven_{k + 1}", level)

    # Assessments
    pre, post = ts.start - dt.timedelta(days=rng.randint(3, 10)), ts.end + dt.timedelta(days=rng.randint(2, 10))
    ss = fill_social_skills(w, rng, pupils, pre, post, rng.choice(teachers))
    rs = fill_rosenberg(w, rng, pupils, pre, post, rng.choice(teachers))
    fill_observations(w, rng, pupils, ts.sessions, support, iv)
    fill_gas(w, rng, pupils, ts.start - dt.timedelta(days=21), post, f"{partnership.name} Joint Support Team")
    fill_attendance(w, rng, pupils, ts)
    fill_survey(w, rng)

    # Phase 5: the Social Skills totals come by formula; the other measures are typed
    for r, (p, (a, b)) in enumerate(zip(pupils, rs, strict=True)):
        w.row("results", r, pupil_ref=p.ref, measure="Rosenberg self-esteem", pre=a, post=b, out_of=30)
    mean_change = sum(b - a for a, b in ss) / len(ss)
    w.field("impact", _sentence(
        f"The mean Social Skills total rose by {mean_change:.1f} points out of 60.",
        "Engagement in sessions rose for most pupils and staff saw more turn taking in class."))
    for r in range(len(outcomes)):
        w.row("smart_achieved", r, achieved=rng.choice(("Yes", "Yes", "Partly", "No")),
              evidence=rng.choice(("See the results table.", "Leuven scores from the session log.",
                                   "Attendance records for the period.", "Teacher observation.")))
    w.field("smart_narrative", "Most SMART outcomes were achieved; transfer to the playground needs more time.")
    w.field("learned", "Short, structured sessions with clear roles helped the pupils to communicate.")
    w.field("went_well", "Pupils looked forward to meeting the pupils from the partner school each week.")
    w.field("not_so_well", "Too much adult structure in some sessions reduced pupils' own talk.")
    w.field("done_better", "Plan time for staff from both schools to observe each other's sessions.")
    w.field("next_steps", f"Continue {iv.title.lower()} next term and share the approach across the partnership.")
    w.pupils, w.timescale = pupils, ts
    return w


# ---------------------------------------------------------------- the school data return


def fill_school_return(rng: random.Random, school: School) -> ValueWriter:
    w = ValueWriter(get_template("school_return"))
    fill_details(w, school)
    stages = ("S3",) if school.sector == "Secondary" else ("P1", "P4", "P7")
    cohort = school.roll / (6 if school.sector == "Secondary" else 7)
    base = rng.uniform(0.55, 0.72)  # % achieving in quintile 1
    gap = rng.uniform(0.08, 0.25)  # extra in quintile 5
    offsets = {"Reading": 0.02, "Writing": -0.05, "Listening and talking": 0.08, "Numeracy": -0.02}
    stage_offset = {"P1": 0.06, "P4": 0.0, "P7": -0.02, "S3": 0.08}
    for r, (stage, organiser) in enumerate((s, o) for s in L.ACEL_STAGES for o in L.ACEL_ORGANISERS):
        if stage not in stages:
            continue
        for q in L.SIMD_QUINTILES:
            n = round(cohort * school.quintile_weights[q - 1] * rng.uniform(0.9, 1.1))
            p = min(0.98, base + gap * (q - 1) / 4 + offsets[organiser] + stage_offset[stage])
            achieved = sum(rng.random() < p for _ in range(n))
            w.cell("acel", r, f"assessed_q{q}", n)
            w.cell("acel", r, f"achieved_q{q}", achieved)
    for q in L.SIMD_QUINTILES:
        pupils = round(school.roll * school.quintile_weights[q - 1])
        if pupils == 0:
            continue
        possible = pupils * 2 * 185
        rate = 0.87 + 0.02 * (q - 1) + rng.uniform(-0.015, 0.015)
        w.row("attendance_simd", q - 1, possible=possible, attended=round(possible * rate))
    w.field("roll", school.roll)
    w.field("exclusion_cases", rng.randint(4, 30) if school.sector == "Secondary" else rng.randint(0, 6))
    aims = [("Attendance", "All pupils", 91.5, 93.0), ("Attendance", "SIMD quintile 1", 88.0, 91.0)]
    for stage in stages:
        organiser = rng.choice(L.ACEL_ORGANISERS)
        cur = round(100 * (base + gap / 2), 1)
        aims.append((f"{stage} {organiser}", "All pupils", cur, min(100.0, cur + 5)))
        aims.append((f"{stage} {organiser}", "Poverty-related gap (pp)", round(100 * gap, 1),
                     round(100 * gap / 2, 1)))
    for r, (measure, group, current, aim) in enumerate(aims[:8]):
        w.row("stretch_aims", r, measure=measure, group=group, current=current, aim=aim, by_session="2026/27")
    return w


# ---------------------------------------------------------------- clean single workbooks


def _small_partnership(rng: random.Random) -> Partnership:
    schools = [s for s in make_schools(rng, 6) if s.sector == "Primary"][:2]
    while len(schools) < 2:
        schools = [s for s in make_schools(rng, 6) if s.sector == "Primary"][:2]
    p = Partnership(1, f"{schools[0].name.split()[0]} Learning Partnership", schools, rng.choice(INTERVENTIONS))
    p.folder = f"P01 {p.name}"
    return p


def clean_values(kind: str, seed: int = 2026) -> tuple[Template, Values]:
    """The template of `kind` and the values a careful teacher would type into it (no mistakes)."""
    rng = random.Random(seed)
    if kind == "sipp_project":
        w = fill_project(rng, _small_partnership(rng), n_pupils=6)
        return w.template, w.values
    if kind == "school_return":
        school = make_schools(rng, 1)[0]
        return get_template(kind), fill_school_return(rng, school).values
    partnership = _small_partnership(rng)
    school = partnership.schools[0]
    w = ValueWriter(get_template(kind))
    used: set[str] = set()
    assessor = _staff_name(rng, used)
    fill_details(w, school, assessor)
    pupils = _make_pupils(rng, [school], 6)
    ts = _timescale(rng)
    pre, post = ts.start - dt.timedelta(days=7), ts.end + dt.timedelta(days=7)
    if kind == "social_skills":
        fill_social_skills(w, rng, pupils, pre, post, assessor, standalone=True)
    elif kind == "rosenberg":
        fill_rosenberg(w, rng, pupils, pre, post, assessor, standalone=True)
    elif kind == "observation":
        fill_observations(w, rng, pupils, ts.sessions, [assessor, _staff_name(rng, used)],
                          partnership.intervention)
    elif kind == "gas":
        fill_gas(w, rng, pupils, pre - dt.timedelta(days=14), post, f"{school.name.split()[0]} LC-JST")
    elif kind == "attendance":
        fill_attendance(w, rng, pupils, ts)
    elif kind == "survey":
        fill_survey(w, rng, 12)
    else:
        raise KeyError(f"no sample filler for template kind {kind!r}")
    return w.template, w.values


def build_clean(kind: str, path: Path, seed: int = 2026) -> Path:
    """Build one clean, fully filled workbook of `kind` at `path`."""
    template, values = clean_values(kind, seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    return build_template(template, path, values=values)


def build_clean_project(path: Path, seed: int = 2026) -> Path:
    return build_clean("sipp_project", path, seed)


