"""Filling the assessment tables (social skills, Rosenberg, observations, GAS, attendance, survey)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence

from ..spec import lists as L
from .world import (
    _COMMENTS,
    _GAS_GOALS,
    _PATHWAYS,
    AUTHORITY,
    SESSION,
    SESSION_END,
    SESSION_START,
    Intervention,
    Pupil,
    School,
    Timescale,
    _clip,
    _initials,
    _weekdays,
)
from .writer import ValueWriter

# ---------------------------------------------------------------- assessments (project and standalone)


def fill_social_skills(w: ValueWriter, rng: random.Random, pupils: Sequence[Pupil], pre: dt.date,
                       post: dt.date, assessor: str, standalone: bool = False) -> list[tuple[int, int]]:
    """Pre and post answers for every pupil; returns each pupil's (pre total, post total)."""
    totals = []
    for p, pupil in enumerate(pupils):
        if standalone:
            w.grid_pupil("social_skills", p, pupil.ref)
        sums = []
        for occasion, level in (("Pre", pupil.skill), ("Post", pupil.skill + pupil.skill_gain)):
            w.grid("social_skills", p, occasion, "date", pre if occasion == "Pre" else post)
            w.grid("social_skills", p, occasion, "by", _initials(assessor))
            s = 0
            for item in range(1, 16):
                x = _clip(level + rng.uniform(-1.0, 1.0), 0, 4)
                w.grid("social_skills", p, occasion, item, x)
                s += x
            sums.append(s)
        totals.append((sums[0], sums[1]))
    return totals


def fill_rosenberg(w: ValueWriter, rng: random.Random, pupils: Sequence[Pupil], pre: dt.date, post: dt.date,
                   assessor: str, standalone: bool = False) -> list[tuple[int, int]]:
    totals = []
    for p, pupil in enumerate(pupils):
        if standalone:
            w.grid_pupil("rosenberg", p, pupil.ref)
        sums = []
        for occasion, level in (("Pre", pupil.esteem), ("Post", pupil.esteem + pupil.esteem_gain)):
            w.grid("rosenberg", p, occasion, "date", pre if occasion == "Pre" else post)
            w.grid("rosenberg", p, occasion, "by", _initials(assessor))
            s = 0
            for item in range(1, 11):
                score = _clip(level + rng.uniform(-0.9, 0.9), 0, 3)  # 3 = most positive
                positive = 3 - score if item in L.ROSENBERG_REVERSED else score
                w.grid("rosenberg", p, occasion, item, L.ROSENBERG_RESPONSES[3 - positive])
                s += score
            sums.append(s)
        totals.append((sums[0], sums[1]))
    return totals


def fill_observations(w: ValueWriter, rng: random.Random, pupils: Sequence[Pupil], dates: Sequence[dt.date],
                      staff: Sequence[str], iv: Intervention) -> None:
    rows = len(w.layout.tables["observations"].rows)
    per_session = len(pupils) + len(pupils) // 2
    observed = sorted(set(range(0, len(dates), max(1, len(dates) // 3))))
    while len(observed) * per_session > rows:
        observed = observed[:-1]
    r = 0
    for s in observed:
        t = s / max(1, len(dates) - 1)
        minute = 0
        for k in range(per_session):
            p = k % len(pupils)
            pupil = pupils[p]
            level = _clip(pupil.leuven_start + (pupil.leuven_end - pupil.leuven_start) * t
                          + rng.uniform(-0.7, 0.7), 1, 5)
            minute += rng.randint(3, 8)
            w.row("observations", r, obs_date=dates[s], time=f"{10 + minute // 60:02d}:{minute % 60:02d}",
                  pupil_ref=pupil.ref, staff=rng.choice(staff), location=iv.location,
                  others_present=f"{len(pupils) - 1} pupils, 1 adult", playing_with=iv.resource,
                  social_mode=L.SOCIAL_MODE[min(3, max(0, level - 2 + rng.randint(0, 1)))],
                  resource_use=L.RESOURCE_USE[0 if level >= 3 or rng.random() < 0.5 else 1],
                  verbalising=L.VERBALISING[rng.choice((1, 2, 2)) if level >= 3 else rng.choice((0, 3))],
                  same_resource=rng.choice(L.YES_NO), different_resources=rng.choice(L.YES_NO),
                  engaged_pupil="Yes" if level >= 3 else "No", sought_adult=rng.choice(L.YES_NO),
                  leuven=level, comments=rng.choice(_COMMENTS), next_session=rng.choice(_PATHWAYS))
            r += 1


def fill_gas(w: ValueWriter, rng: random.Random, pupils: Sequence[Pupil], referral: dt.date, review: dt.date,
             jst: str) -> None:
    w.field("jst", jst)
    w.field("gas_rho", 0.3)
    chosen = [p for p in pupils if rng.random() < 0.6] or [pupils[0]]
    r = 0
    for pupil in chosen:
        goals = rng.sample(_GAS_GOALS, rng.randint(2, 4))
        weighted = rng.random() < 0.5
        for g, goal in enumerate(goals, start=1):
            baseline = rng.choice((-1, -1, -1, -1, -2, -0.5))
            w.row("goals", r, child_ref=pupil.ref, referral_date=referral, goal_no=g, goal=goal,
                  weight=rng.randint(1, 3) if weighted else 1, baseline=baseline,
                  baseline_date=referral + dt.timedelta(days=14),
                  review=rng.choice((-1, 0, 0, 1, 1, 2)), review_date=review,
                  child_views=rng.choice(("Yes", "Yes", "No")), parent_views=rng.choice(("Yes", "No")))
            r += 1


def fill_attendance(w: ValueWriter, rng: random.Random, pupils: Sequence[Pupil], ts: Timescale) -> None:
    before = (SESSION_START, ts.start - dt.timedelta(days=1))
    after = (ts.start, min(SESSION_END, ts.end + dt.timedelta(days=28)))
    w.field("before_from", before[0])
    w.field("before_to", before[1])
    w.field("after_from", after[0])
    w.field("after_to", after[1])
    pos_before, pos_after = 2 * _weekdays(*before), 2 * _weekdays(*after)
    for r, pupil in enumerate(pupils):
        rate_after = min(1.0, pupil.attendance + pupil.attendance_gain)
        w.row("attendance", r, pupil_ref=pupil.ref, possible_before=pos_before,
              attended_before=_clip(pos_before * pupil.attendance + rng.uniform(-2, 2), 0, pos_before),
              possible_after=pos_after,
              attended_after=_clip(pos_after * rate_after + rng.uniform(-2, 2), 0, pos_after))


def fill_survey(w: ValueWriter, rng: random.Random, n: int | None = None) -> None:
    n = rng.randint(8, 15) if n is None else n
    for r in range(n):
        mood = rng.random()
        answers = {}
        for q in range(1, len(L.SURVEY_STATEMENTS) + 1):
            x = _clip(mood * 2.2 + rng.uniform(-0.8, 0.9) - 0.2, 0, 4)
            answers[f"q{q}"] = L.AGREEMENT[x]
        w.row("survey", r, respondent=f"R{r + 1:02d}",
              role=rng.choice(("Class teacher", "Class teacher", "Support for learning teacher", "Head teacher",
                               "Depute head teacher")), **answers)


def fill_details(w: ValueWriter, school: School, completed_by: str | None = None) -> None:
    w.field("school_name", school.name)
    w.field("seed_code", school.seed_code)
    w.field("local_authority", AUTHORITY)
    w.field("session", SESSION)
    if completed_by is not None and "completed_by" in w.layout.fields:
        w.field("completed_by", completed_by)


