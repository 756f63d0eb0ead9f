"""The invented authority: its session and calendar, schools, partnerships, staff and pupils."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..spec import lists as L

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


