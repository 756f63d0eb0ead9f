"""A synthetic local authority of filled-in sipxl workbooks, for tests, demonstrations and benchmarks.

Everything is invented: the council ("Loch Ard Council"), its schools and their 7-digit SEED codes
(all beginning 99), the staff (clearly fictional names) and the pupils, who appear only by pseudonymous
references such as ``SIP-GLP-01``. Everything is derived from the seed (``random.Random(seed)``) and the
fixed 2025/26 session, never from the clock, so the same seed always gives byte-identical files.

`generate_authority` writes one SIPP project workbook per School Improvement Partnership and one school
data return per school into a folder tree, injects realistic mistakes into a share of the project
workbooks, and records every file and every injected mistake in ``sample_manifest.json``.

`clean_values` / `build_clean` / `build_clean_project` build one clean filled workbook of any template
kind (what the template tests recalculate with LibreOffice).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .io.build import build_template
from .spec import get_template, layout_template
from .spec import lists as L
from .spec.layout import a1
from .spec.model import Template

__all__ = [
    "AUTHORITY", "SESSION", "MISTAKES", "MANIFEST", "School", "Partnership", "ValueWriter",
    "generate_authority", "make_schools", "fill_project", "fill_school_return", "clean_values", "build_clean",
    "build_clean_project",
]

AUTHORITY = "Loch Ard Council"
SESSION = "2025/26"
SUBMISSION_START = dt.date(2026, 6, 1)  # returns arrive through June 2026; the example deadline is 26 June
SESSION_START = dt.date(2025, 8, 18)
SESSION_END = dt.date(2026, 6, 26)
HOLIDAYS = (  # invented but typical Scottish school holidays in 2025/26
    (dt.date(2025, 10, 13), dt.date(2025, 10, 24)),
    (dt.date(2025, 12, 22), dt.date(2026, 1, 2)),
    (dt.date(2026, 2, 16), dt.date(2026, 2, 17)),
    (dt.date(2026, 3, 30), dt.date(2026, 4, 10)),
)
MANIFEST = "sample_manifest.json"

# Stable names of the mistakes a sample project workbook may carry (see _inject).
MISTAKES = (
    "score_out_of_range",
    "missing_post_assessment",
    "text_in_number_cell",
    "renamed_sheet",
    "name_as_pupil_ref",
    "duplicate_pupil_ref",
    "session_outside_timescale",
    "trailing_space_choice",
)

Values = dict[tuple[str, int, int], object]

# ---------------------------------------------------------------- invented vocabulary

_PLACE_START = ("Aird", "Bal", "Ben", "Clach", "Craig", "Dal", "Drum", "Dun", "Glen", "Inver", "Kil", "Kin",
                "Lag", "Letter", "Strath", "Tor", "Auchen", "Bracken", "Corrie", "Fern")
_PLACE_END = ("brae", "more", "hallow", "lochy", "burn", "muir", "field", "vale", "haugh", "mount", "ross",
              "dyke", "side", "bank", "lea", "wick")
_STAFF_FIRST = ("Aileen", "Bruce", "Catriona", "Donald", "Euan", "Fiona", "Gillian", "Hamish", "Iona",
                "Kirsty", "Lorna", "Morag", "Niall", "Ruaridh", "Shona", "Tam")
_STAFF_LAST = ("Ardtally", "Brackwood", "Corrieglen", "Dunmorven", "Fernlaw", "Glenquhar", "Inchbrae",
               "Kilvarrie", "Lagmorie", "Strathwell", "Torrance-Moy", "Auchterbrig")
# Invented first name + common surname: what a teacher typing a name instead of a reference produces.
_NAME_FIRST = ("Jamie", "Robyn", "Callum", "Isla", "Rory", "Eilidh", "Skye", "Lewis", "Ava", "Finlay")
_NAME_LAST = ("Smith", "Brown", "Wilson", "Campbell", "Stewart", "Thomson", "Robertson", "Murray")


@dataclass(frozen=True)
class Intervention:
    title: str
    focus: str
    activity: str
    resource: str
    location: str
    evidence: str
    group: str


INTERVENTIONS = (
    Intervention("Lego Therapy", "social communication and co-operative play",
                 "building Lego models in the roles of engineer, supplier and builder", "Lego bricks",
                 "Nurture room", "LeGoff (2004) and Owens et al. (2008) report gains in social interaction "
                 "when children build Lego models together in defined roles.",
                 "pupils with low social skills scores who find unstructured play difficult"),
    Intervention("Nurture group", "emotional wellbeing and readiness to learn",
                 "a structured nurture breakfast, circle time and a shared task", "board games",
                 "Nurture base", "Nurture groups based on the six nurture principles improve social, emotional "
                 "and behavioural outcomes (Education Scotland, Applying Nurture as a Whole School Approach).",
                 "pupils whose engagement and attendance have fallen since the start of the session"),
    Intervention("Paired reading", "reading fluency, confidence and engagement with books",
                 "reading in pairs with an older pupil as tutor using the pause, prompt, praise routine",
                 "levelled readers", "Library", "Paired reading with cross-age tutors improves reading "
                 "fluency and self-esteem for both tutor and tutee (Topping, 2001).",
                 "pupils in the lowest 20% for reading who are reluctant to read aloud"),
    Intervention("Playful pedagogy", "engagement and language through play",
                 "free-flow play with open-ended resources and adult modelling of language",
                 "loose parts", "Play area", "Play-based learning supports language and self-regulation in "
                 "the early stages (Realising the Ambition, 2020).",
                 "pupils with low engagement scores during play-based learning"),
    Intervention("Lunchtime games club", "turn taking, friendships and participation",
                 "small-group board and playground games with explicit teaching of game rules",
                 "board games", "Games hall", "Structured lunchtime clubs reduce playground conflict and "
                 "increase peer interaction for vulnerable pupils.",
                 "pupils with few friendships who are often involved in playground incidents"),
    Intervention("Outdoor learning", "confidence, team work and attendance",
                 "weekly outdoor challenges in the school grounds and local woodland", "den-building kit",
                 "School garden", "Outdoor learning is associated with better wellbeing, engagement and "
                 "attendance (Learning for Sustainability Scotland).",
                 "pupils with low attendance and low self-esteem"),
)

_FACTORS = (
    ("Positive staff/pupil relationships with the class teacher", "School/class", "Strength/positive"),
    ("Small group support available in the nurture base", "School/class", "Strength/positive"),
    ("Large class size limits individual attention", "School/class", "Pressure/negative"),
    ("Unstructured times (break and lunch) lead to conflict", "School/class", "Pressure/negative"),
    ("Parents keen to support learning at home", "Parent", "Strength/positive"),
    ("Limited parental engagement with the school", "Parent", "Pressure/negative"),
    ("Family pressures affecting routines and attendance", "Parent", "Pressure/negative"),
    ("Strong interest in construction and building activities", "Pupil", "Strength/positive"),
    ("Low confidence when speaking in a group", "Pupil", "Pressure/negative"),
    ("Difficulty accepting losing in games", "Pupil", "Pressure/negative"),
    ("Motivated by praise and responsibility", "Pupil", "Strength/positive"),
    ("Low aspirations for the future", "Pupil", "Pressure/negative"),
)
_FACTOR_TESTS = ("Pupil questionnaire", "Class observation", "Discussion with parents", "Attendance records",
                 "Social Skills Pupil Assessment", "Focus group with pupils", "Review of tracking data")
_COMMENTS = (
    "Took a turn without prompting.", "Asked a peer for a piece.", "Needed reminders to wait for a turn.",
    "Explained the model to the group.", "Moved away from the group for a few minutes.",
    "Laughed and shared the task with a partner.", "Followed the visual instructions independently.",
    "Accepted not being first with support.", "Commented on what a peer was building.",
)
_PATHWAYS = (
    "Introduce a new role.", "Model asking for help.", "Practise turn taking with a timer.",
    "Give more responsibility in the group.", "Reduce adult prompts.", "Pair with a more confident peer.",
)
_SESSION_NOTES = (
    "Good session, pupils settled quickly.", "Group needed support to share resources.",
    "Pupils used the role cards well.", "Short session due to assembly.", "Noticeable increase in talk.",
    "One pupil found the change of room difficult.", "Pupils planned the model together.",
)
_GAS_GOALS = (
    "Will join a group activity at break time", "Will attend school on time each day",
    "Will tell an adult when feeling upset", "Will complete a short task independently",
    "Will take part in a class discussion", "Will use a calm-down strategy when angry",
    "Will bring the correct equipment each day",
)
_ACTIONS = (
    ("Agree target group and gather baseline data", "Class teachers", "Before start"),
    ("Complete Social Skills Pupil Assessment (pre)", "Class teachers", "Week 1"),
    ("Share plan with parents and carers", "Head teachers", "Week 1"),
    ("Deliver weekly sessions", "Support for learning teachers", "Weekly"),
    ("Record Leuven engagement each session", "Support for learning teachers", "Weekly"),
    ("Joint observation across the partnership", "Depute head teachers", "Mid-point"),
    ("Partnership meeting to review progress", "All staff", "Mid-point"),
    ("Complete post assessments", "Class teachers", "Final week"),
    ("Analyse results and write evaluation", "All staff", "After end"),
)


# ---------------------------------------------------------------- schools and partnerships


@dataclass(frozen=True)
class School:
    name: str
    seed_code: str
    sector: str  # "Primary" or "Secondary"
    initials: str
    roll: int
    quintile_weights: tuple[float, ...]  # share of the roll in SIMD quintiles 1-5


@dataclass
class Partnership:
    number: int
    name: str
    schools: list[School]
    intervention: Intervention
    folder: str = ""


def make_schools(rng: random.Random, n: int) -> list[School]:
    """`n` invented schools with unique names, initials and 7-digit SEED codes starting 99."""
    places = [a + b for a in _PLACE_START for b in _PLACE_END]
    rng.shuffle(places)
    codes = rng.sample(range(10_000, 100_000), n)
    schools, used = [], set()
    for k in range(n):
        place = places[k % len(places)] + ("" if k < len(places) else f" {k // len(places) + 1}")
        secondary = rng.random() < 0.18
        sector = "Secondary" if secondary else "Primary"
        name = f"{place} {'Academy' if secondary else 'Primary School'}"
        letter = "A" if secondary else "P"
        initials = place[:2].upper() + letter
        j = 2
        while initials in used:
            initials = (place[0] + place[j % len(place)]).upper() + letter + (str(j) if j >= len(place) else "")
            j += 1
        used.add(initials)
        deprivation = rng.random()  # 0 = affluent catchment, 1 = most deprived
        raw = [max(0.02, 1 + (2 - q) * (deprivation - 0.5) * 0.9 + rng.uniform(-0.15, 0.15)) for q in range(5)]
        if rng.random() < 0.25:  # some catchments have nobody in one quintile
            raw[0 if deprivation < 0.5 else 4] = 0.0
        total = sum(raw)
        roll = rng.randint(600, 1400) if secondary else rng.randint(120, 450)
        schools.append(School(name, f"99{codes[k]:05d}", sector, initials, roll,
                              tuple(round(x / total, 3) for x in raw)))
    return schools


def make_partnerships(rng: random.Random, schools: list[School]) -> list[Partnership]:
    ordered = sorted(schools, key=lambda s: (s.sector, s.name))
    out: list[Partnership] = []
    k = 0
    while k < len(ordered):
        left = len(ordered) - k
        size = left if left <= 3 else 2 if left == 4 else rng.choice((2, 3))
        group = ordered[k:k + size]
        k += size
        lead = group[0].name.split()[0]
        p = Partnership(len(out) + 1, f"{lead} Learning Partnership", group, rng.choice(INTERVENTIONS))
        p.folder = f"P{p.number:02d} {p.name}"
        out.append(p)
    return out


# ---------------------------------------------------------------- writing values where the layout says


class ValueWriter:
    """Collects {(sheet code, row, col): value} for `build_template`, addressed by the specification's keys."""

    def __init__(self, template: Template) -> None:
        self.template = template
        self.layout = layout_template(template)
        self.values: Values = {}
        self.pupils: list[Pupil] = []  # the simulated pupils behind the values (project samples)
        self.timescale: Timescale | None = None

    def _put(self, sheet: str, row: int, col: int, value: object) -> tuple[str, int, int]:
        key = (sheet, row, col)
        if value is None or value == "":
            self.values.pop(key, None)
        else:
            self.values[key] = value
        return key

    def field(self, key: str, value: object) -> tuple[str, int, int]:
        place = self.layout.fields[key]
        return self._put(place.sheet, place.row, place.col, value)

    def table_cell(self, table: str, row: int, column: str) -> tuple[str, int, int]:
        place = self.layout.tables[table]
        if not 0 <= row < len(place.rows):
            raise IndexError(f"table {table!r} has {len(place.rows)} rows, not {row + 1}")
        return place.sheet, place.first_row + row, place.columns[column]

    def cell(self, table: str, row: int, column: str, value: object) -> tuple[str, int, int]:
        return self._put(*self.table_cell(table, row, column), value)

    def row(self, table: str, row: int, **values: object) -> None:
        for column, value in values.items():
            self.cell(table, row, column, value)

    def grid_cell(self, grid: str, pupil: int, occasion: str, item: int | str) -> tuple[str, int, int]:
        """`item` is an item number, or "date" / "by" for the date assessed and who assessed."""
        place = self.layout.grids[grid]
        row = {"date": place.date_row, "by": place.by_row}.get(item) if isinstance(item, str) else None
        row = place.item_rows[item] if row is None else row
        return place.sheet, row, place.columns[(pupil, occasion)]

    def grid(self, grid: str, pupil: int, occasion: str, item: int | str, value: object) -> tuple[str, int, int]:
        return self._put(*self.grid_cell(grid, pupil, occasion, item), value)

    def grid_pupil(self, grid: str, pupil: int, ref: str) -> None:
        place = self.layout.grids[grid]
        self._put(place.sheet, place.pupil_row, place.columns[(pupil, "Pre")], ref)


# ---------------------------------------------------------------- the simulated pupils and sessions


@dataclass
class Pupil:
    ref: str
    school: School
    stage: str
    skill: float  # social skills level 0-4 before the intervention
    skill_gain: float
    leuven_start: float
    leuven_end: float
    esteem: float  # 0-3
    esteem_gain: float
    attendance: float  # before; after is higher by attendance_gain
    attendance_gain: float
    extra: dict = field(default_factory=dict)


def _clip(x: float, lo: int, hi: int) -> int:
    return max(lo, min(hi, round(x)))


def _in_holiday(d: dt.date) -> bool:
    return any(a <= d <= b for a, b in HOLIDAYS)


def _weekdays(a: dt.date, b: dt.date) -> int:
    return sum(1 for k in range((b - a).days + 1)
               if (a + dt.timedelta(k)).weekday() < 5 and not _in_holiday(a + dt.timedelta(k)))


def _staff_name(rng: random.Random, used: set[str]) -> str:
    while True:
        name = f"{rng.choice(('Mrs', 'Ms', 'Mr', 'Miss', 'Dr'))} {rng.choice(_STAFF_FIRST)} {rng.choice(_STAFF_LAST)}"
        if name not in used:
            used.add(name)
            return name


def _initials(name: str) -> str:
    """What a teacher writes in a narrow "Completed by" cell: "Mrs Aileen Fernlaw" -> "AF"."""
    return "".join(part[0] for part in name.split()[1:])


def _make_pupils(rng: random.Random, schools: Sequence[School], n: int) -> list[Pupil]:
    any_secondary = any(s.sector == "Secondary" for s in schools)
    primary_stages = ("P7",) if any_secondary else L.STAGES[rng.randint(1, 4):][:2]
    pupils = []
    counts: dict[str, int] = {}
    for k in range(n):
        school = schools[k % len(schools)]
        counts[school.seed_code] = counts.get(school.seed_code, 0) + 1
        stage = rng.choice(("S1", "S2") if school.sector == "Secondary" else primary_stages)
        pupils.append(Pupil(
            ref=f"SIP-{school.initials}-{counts[school.seed_code]:02d}", school=school, stage=stage,
            skill=rng.uniform(0.9, 2.4), skill_gain=rng.uniform(0.2, 1.1),
            leuven_start=rng.uniform(1.6, 3.0), leuven_end=rng.uniform(3.4, 4.8),
            esteem=rng.uniform(0.8, 1.8), esteem_gain=rng.uniform(0.1, 0.6),
            attendance=rng.uniform(0.78, 0.95), attendance_gain=rng.uniform(-0.01, 0.06),
        ))
    return pupils


@dataclass
class Timescale:
    start: dt.date
    end: dt.date
    sessions: list[dt.date]
    planned: int


def _timescale(rng: random.Random) -> Timescale:
    start = dt.date(2025, 9, 1) + dt.timedelta(weeks=rng.randint(0, 20))
    weekday = rng.randint(0, 4)
    day = start + dt.timedelta(days=weekday)
    sessions: list[dt.date] = []
    n = rng.randint(8, 12)
    while len(sessions) < n:
        if not _in_holiday(day):
            sessions.append(day)
        day += dt.timedelta(weeks=1)
    end = sessions[-1] + dt.timedelta(days=rng.randint(0, 4))
    return Timescale(start, end, sessions, n + rng.choice((0, 0, 1, 2)))


def _sentence(*parts: str) -> str:
    return " ".join(p.strip() for p in parts if p)


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

    # Phase 5
    r = 0
    for measure, out_of, totals in (("Social Skills Pupil Assessment", 60, ss), ("Rosenberg self-esteem", 30, rs)):
        for p, (a, b) in zip(pupils, totals, strict=True):
            w.row("results", r, pupil_ref=p.ref, measure=measure, pre=a, post=b, out_of=out_of)
            r += 1
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


# ---------------------------------------------------------------- mistakes


@dataclass
class _Mistake:
    name: str
    sheet: str
    cell: str
    value: object = None
    related: list[tuple[str, str]] = field(default_factory=list)  # other cells where the value was copied

    def as_json(self) -> dict:
        out = {"name": self.name, "sheet": self.sheet, "cell": self.cell}
        if self.value is not None:
            out["value"] = self.value if isinstance(self.value, (str, int, float)) else self.value.isoformat()
        if self.related:
            out["related"] = [{"sheet": s, "cell": c} for s, c in self.related]
        return out


def _pupil_ref_cells(w: ValueWriter, ref: str) -> list[tuple[str, int, int]]:
    """Every typed cell (outside the register) that holds this pupil reference."""
    out = []
    for sheet in w.template.sheets:
        for table in sheet.tables:
            place = w.layout.tables[table.key]
            for col in table.columns:
                if col.identifies_pupil and table.key != "pupils":
                    for row in place.rows:
                        key = (place.sheet, row, place.columns[col.key])
                        if w.values.get(key) == ref:
                            out.append(key)
    return sorted(out)


def _inject(w: ValueWriter, rng: random.Random, name: str, touched: set[int],
            sheet_names: dict[str, str]) -> _Mistake | None:
    """Put one mistake into a filled project; `touched` holds the pupils already used by another mistake."""
    pupils, ts = w.pupils, w.timescale
    assert ts is not None
    free = [k for k in range(len(pupils)) if k not in touched]
    if not free:
        return None
    p = rng.choice(free)

    def here(key: tuple[str, int, int]) -> tuple[str, str]:
        return key[0], a1(key[1], key[2])

    if name == "score_out_of_range":
        touched.add(p)
        key = w.grid("social_skills", p, rng.choice(("Pre", "Post")), rng.randint(1, 15), rng.choice((5, 7)))
        return _Mistake(name, *here(key), w.values[key])
    if name == "missing_post_assessment":
        touched.add(p)
        for item in (*range(1, 16), "date", "by"):
            w.grid("social_skills", p, "Post", item, None)
        related = []
        place = w.layout.tables["results"]
        for row in place.rows:
            ref_key = (place.sheet, row, place.columns["pupil_ref"])
            measure_key = (place.sheet, row, place.columns["measure"])
            if w.values.get(ref_key) == pupils[p].ref and w.values.get(measure_key) == L.MEASURES[0]:
                related.append(w._put(place.sheet, row, place.columns["post"], None))
        return _Mistake(name, *here(w.grid_cell("social_skills", p, "Post", 1)),
                        related=[here(k) for k in related])
    if name == "text_in_number_cell":
        touched.add(p)
        if rng.random() < 0.5:
            item = rng.randint(1, 15)
            key = w.grid_cell("social_skills", p, "Pre", item)
            old = w.values[key]
            text = rng.choice((f"{old} - {L.SOCIAL_SKILLS_WORDS[old]}",
                               ("zero", "one", "two", "three", "four")[old]))  # type: ignore[index]
        else:
            place = w.layout.tables["sessions"]
            rows = [r for r in place.rows if (place.sheet, r, place.columns[f"leuven_{p + 1}"]) in w.values]
            key = (place.sheet, rng.choice(rows), place.columns[f"leuven_{p + 1}"])
            old = w.values[key]
            text = f"{old} - {L.LEUVEN[old - 1][1].lower()}"  # type: ignore[operator]
        w._put(*key, text)
        return _Mistake(name, *here(key), text)
    if name == "renamed_sheet":
        code, new = rng.choice((("phase2", "Phase 2 (draft)"), ("social_skills", "Social Skills (copy)"),
                                ("pupils", "Pupil list"), ("phase4", "Phase 4 sessions")))
        if code in sheet_names:
            return None
        sheet_names[code] = new
        return _Mistake(name, code, "A1", new)
    if name in ("name_as_pupil_ref", "duplicate_pupil_ref"):
        if name == "duplicate_pupil_ref":
            others = [k for k in free if k != p]
            if not others:
                return None
            other = rng.choice(others)
            touched.add(other)
            new = pupils[other].ref
        else:
            new = f"{rng.choice(_NAME_FIRST)} {rng.choice(_NAME_LAST)}"
        touched.add(p)
        related = _pupil_ref_cells(w, pupils[p].ref)
        for key in related:
            w._put(*key, new)
        key = w.cell("pupils", p, "pupil_ref", new)
        return _Mistake(name, *here(key), new, [here(k) for k in related])
    if name == "session_outside_timescale":
        place = w.layout.tables["sessions"]
        key = (place.sheet, place.first_row + len(ts.sessions) - 1, place.columns["session_date"])
        new = ts.end + dt.timedelta(days=rng.randint(21, 60))
        w._put(*key, new)
        return _Mistake(name, *here(key), new)
    if name == "trailing_space_choice":
        touched.add(p)
        key = w.table_cell("pupils", p, rng.choice(("looked_after", "asn", "eal", "fsm", "sex")))
        new = f"{w.values[key]} "
        w._put(*key, new)
        return _Mistake(name, *here(key), new)
    raise ValueError(f"unknown mistake {name!r}")


# ---------------------------------------------------------------- the authority


def _clear_previous(out_dir: Path) -> None:
    """Remove the files of an earlier sample run in `out_dir` (and only those)."""
    manifest = out_dir / MANIFEST
    if not manifest.exists():
        return
    try:
        files = [f["path"] for f in json.loads(manifest.read_text(encoding="utf-8")).get("files", [])]
    except (ValueError, AttributeError, TypeError):
        files = []
    for rel in files:
        path = out_dir / rel
        if path.is_file():
            path.unlink()
        parent = path.parent
        while parent != out_dir and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent
    manifest.unlink()


def _build_job(job: tuple[Template, Path, Values, dict[str, str] | None]) -> Path:
    template, path, values, sheet_names = job
    return build_template(template, path, values=values, sheet_names=sheet_names)


def generate_authority(out_dir: Path, schools: int = 36, seed: int = 2026, mistake_rate: float = 0.15,
                       workers: int | None = None, returns: bool = True) -> list[Path]:
    """Write a synthetic authority: one SIPP project per partnership, one data return per school.

    Layout: ``out_dir/P01 <partnership>/SIPP project 2025-26 - <lead school>.xlsx`` and
    ``out_dir/<SEED code> <school>/School return 2025-26.xlsx``, plus ``out_dir/sample_manifest.json``.
    A share `mistake_rate` of project workbooks (at least one when the rate is above 0) carries 1-2
    mistakes from `MISTAKES`, each recorded in the manifest with its sheet code and cell; where a mistaken
    pupil reference was also copied to other sheets, those cells are listed as `related`.
    Returns the workbook paths, sorted. Files of an earlier run in `out_dir` are replaced.
    Values are drawn in one process (so the output depends only on the seed); the workbooks are then
    written by `workers` processes (default: all cores when there are more than 40 files; 1 = serial).
    `returns=False` leaves out the school data returns (benchmarks of project workbooks alone).
    """
    if schools < 1:
        raise ValueError("an authority needs at least one school")
    if not 0 <= mistake_rate <= 1:
        raise ValueError("mistake_rate is a share between 0 and 1")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    _clear_previous(out_dir)
    rng = random.Random(seed)
    mistake_rng = random.Random(seed * 7919 + 17)
    all_schools = make_schools(rng, schools)
    partnerships = make_partnerships(rng, all_schools)
    n_mistaken = min(len(partnerships), max(1, round(mistake_rate * len(partnerships)))) if mistake_rate else 0
    mistaken = set(mistake_rng.sample(range(len(partnerships)), n_mistaken))
    deck: list[str] = []
    # When each file reached the authority, and whether Prepare for submission stamped it: deterministic,
    # around the sample's deadline (26/06/2026), a few late.
    dates_rng = random.Random(seed * 31 + 7)
    received: dict[Path, dt.datetime] = {}

    entries: list[dict] = []
    jobs: list[tuple[Template, Path, Values, dict[str, str] | None]] = []
    for k, partnership in enumerate(partnerships):
        w = fill_project(random.Random(rng.getrandbits(64)), partnership)
        sheet_names: dict[str, str] = {}
        mistakes: list[_Mistake] = []
        if k in mistaken:
            touched: set[int] = set()
            wanted = 2 if mistake_rng.random() < 0.4 else 1
            tries = 0
            while len(mistakes) < wanted and tries < 20:
                tries += 1
                if not deck:
                    deck = list(MISTAKES)
                    mistake_rng.shuffle(deck)
                name = deck.pop()
                if any(m.name == name for m in mistakes):
                    deck.insert(0, name)
                    continue
                m = _inject(w, mistake_rng, name, touched, sheet_names)
                if m is None:
                    deck.insert(0, name)
                else:
                    mistakes.append(m)
        lead = partnership.schools[0]
        rel = Path(partnership.folder) / f"SIPP project 2025-26 - {lead.name}.xlsx"
        day = SUBMISSION_START + dt.timedelta(days=dates_rng.randint(0, 30))
        if dates_rng.random() < 0.85:
            w.field("submitted_on", day)
            w.field("submitted_with", __version__)
        received[out_dir / rel] = dt.datetime.combine(day, dt.time(9)) + dt.timedelta(minutes=dates_rng.randint(0, 480))
        jobs.append((w.template, out_dir / rel, w.values, sheet_names or None))
        entries.append({"path": rel.as_posix(), "kind": "sipp_project", "seed_code": lead.seed_code,
                        "school": lead.name, "partnership": partnership.name,
                        "schools": [s.seed_code for s in partnership.schools],
                        "mistakes": sorted((m.as_json() for m in mistakes), key=lambda m: (m["sheet"], m["cell"]))})
    for school in all_schools if returns else []:
        w = fill_school_return(random.Random(rng.getrandbits(64)), school)
        rel = Path(f"{school.seed_code} {school.name}") / "School return 2025-26.xlsx"
        day = SUBMISSION_START + dt.timedelta(days=dates_rng.randint(0, 30))
        received[out_dir / rel] = dt.datetime.combine(day, dt.time(9)) + dt.timedelta(minutes=dates_rng.randint(0, 480))
        jobs.append((w.template, out_dir / rel, w.values, None))
        entries.append({"path": rel.as_posix(), "kind": "school_return", "seed_code": school.seed_code,
                        "school": school.name, "mistakes": []})
    for _, path, _, _ in jobs:
        path.parent.mkdir(parents=True, exist_ok=True)
    if workers is None:
        workers = min(os.cpu_count() or 1, 8) if len(jobs) > 40 else 1
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            files = list(pool.map(_build_job, jobs, chunksize=max(1, len(jobs) // (4 * workers))))
    else:
        files = [_build_job(job) for job in jobs]
    for path, when in received.items():
        os.utime(path, (when.timestamp(), when.timestamp()))
    entries.sort(key=lambda e: e["path"])
    manifest = {
        "authority": AUTHORITY, "session": SESSION, "seed": seed, "schools": schools,
        "mistake_rate": mistake_rate, "mistake_names": list(MISTAKES),
        "school_list": [{"seed_code": s.seed_code, "name": s.name, "sector": s.sector, "roll": s.roll}
                        for s in sorted(all_schools, key=lambda s: s.seed_code)],
        "files": entries,
    }
    (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
                                    encoding="utf-8")
    return sorted(files)
