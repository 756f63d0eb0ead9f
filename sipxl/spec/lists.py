"""Closed lists and fixed wording, taken from the seed documents (see shared/seeds/README.md)."""

STAGES = ("P1", "P2", "P3", "P4", "P5", "P6", "P7", "S1", "S2", "S3", "S4", "S5", "S6")
SEX = ("Female", "Male", "Not disclosed")
YES_NO = ("Yes", "No")
ACHIEVED = ("Yes", "Partly", "No")

# Seed 000, "Key features": the five areas of achievement a SMART outcome targets.
OUTCOME_AREAS = ("Attendance", "Attainment", "Exclusion/inclusion", "Engagement", "Participation")

# Seed 001, Phase 2 factor table.
FACTOR_LEVELS = ("School/class", "Parent", "Pupil")
FACTOR_KINDS = ("Strength/positive", "Pressure/negative")

MEASURES = (
    "Social Skills Pupil Assessment",
    "Leuven engagement",
    "Goal Attainment Scaling",
    "Rosenberg self-esteem",
    "Attendance",
    "Other",
)

# The measures a project's Phase 5 results table takes typed scores for: the Social Skills totals come by formula.
OTHER_MEASURES = tuple(m for m in MEASURES if m != "Social Skills Pupil Assessment")

# Why a pupil has no post assessment (turns the missing post assessment into a note).
NO_POST_REASONS = ("Left school", "Long absence", "Withdrawn from the intervention")

# The assessment sheets a project may use, by sheet code, as the Project sheet asks about them.
MEASURE_SHEETS = (
    ("social_skills", "Social Skills Pupil Assessment"),
    ("observation", "Playful Pedagogy observation (Leuven)"),
    ("gas", "Goal Attainment Scaling"),
    ("rosenberg", "Rosenberg self-esteem"),
    ("attendance", "Attendance before and after"),
    ("survey", "Practitioner survey"),
)

STAFF_ROLES = (
    "Class teacher",
    "Support for learning teacher",
    "Head teacher",
    "Depute head teacher",
    "Educational psychologist",
    "Quality Improvement Officer",
    "Education Development Officer",
    "Other",
)
SECTORS = ("Early learning", "Primary", "Secondary", "Special")
PARTNER_ROLES = ("Lead school", "Partner school", "Authority", "Other partner")

# Seed 000, Social Skills Pupil Assessment: 15 items, 0-4.
SOCIAL_SKILLS_SCALE = (
    "Can do this independently, in a range of contexts: 0 = never, 1 = rarely, 2 = sometimes, "
    "3 = mostly, 4 = all occasions."
)
SOCIAL_SKILLS_ITEMS = (
    ("Social Conversation", "Can look towards/in the direction of the person who is talking"),
    ("Social Conversation", "Can express my personal thoughts/experiences/events"),
    ("Social Conversation", "Can take a listening turn - no interruptions"),
    ("Social Conversation",
     "Can take a talking turn e.g. asking a relevant question to someone or responding to a question"),
    ("Social Conversation", "Can maintain an appropriate conversation by remaining on topic"),
    ("Social Play", "Can take a turn in a game"),
    ("Social Play", "Can follow the rules"),
    ("Social Play", "Can play co-operatively / share resources with others"),
    ("Social Play", "Can be a good team player (e.g. participate, try my best, encourage and congratulate others)"),
    ("Social Play", "Can accept losing / not being first"),
    ("Learning", "Can give my attention to a task for a set period of time"),
    ("Learning", "Can work co-operatively with others"),
    ("Learning", "Can follow familiar routines, including managing my belongings"),
    ("Learning", "Can accept making mistakes can provide opportunities for learning"),
    ("Learning", "Can identify when I need help and seek support appropriately"),
)
SOCIAL_SKILLS_WORDS = ("never", "rarely", "sometimes", "mostly", "all occasions")

# Seed 000, Appendix 2: Playful Pedagogy observation sheet and the Leuven scale.
LEUVEN = (
    ("1", "Disengaged", "Shows no interest in the play or the resources. May not interact with adults, peers or "
     "resources at all (or very minimal). May move away from the activity."),
    ("2", "Passive", "Shows some interest in play and/ or resources. May or may not interact with adults or "
     "peers. Will show some interest in the resources. May appear unfocussed on the play. May only be engaged in "
     "the task for 30 seconds – 1 minute."),
    ("3", "Intermittent", "Shows some interest in play and/ or resources. May interact with adults or peers. "
     "Will show interest in resources. May appear focused on the play. Will engage in task consistently for at "
     "least 1 minute."),
    ("4", "Engaged", "Shows interest in play and/ or resources. May interact with adults or peers. Will show "
     "interest in resources. Appears focused on play. Will engage in task consistently for at least half the time "
     "(2-3 minutes)."),
    ("5", "Intense", "Consistently engaged in the play for most of the activity time (4-5 minutes). Will show "
     "interest in resources. May interact with adults or peers. Focused on the play."),
)
SOCIAL_MODE = ("On their own", "With an adult", "Near a child", "With a child")
RESOURCE_USE = ("Using the resource appropriately", "Using the resource out of context")
VERBALISING = (
    "Verbalising to themselves",
    "Verbalising to an adult",
    "Verbalising to another pupil",
    "Not verbalising",
)

# Seed 003 (Glasgow LC-JST): Goal Attainment Scaling, Kiresuk & Sherman levels.
GAS_LEVELS = ("-2", "-1", "-0.5", "0", "1", "2")
GAS_LEVEL_WORDS = (
    "-2 much less than expected (baseline is usually -1; -0.5 is counted as -1 in the scores)",
    "-1 somewhat less than expected",
    "0 expected level of achievement",
    "+1 somewhat more than expected",
    "+2 much more than expected",
)

# Rosenberg self-esteem scale: fixed wording and order (DESIGN.md scoring rules; items 2,5,6,8,9 reversed).
ROSENBERG_INSTRUCTION = (
    "Below is a list of statements dealing with your general feelings about yourself. "
    "Please choose how strongly you agree or disagree with each statement."
)
ROSENBERG_ITEMS = (
    "On the whole, I am satisfied with myself.",
    "At times I think I am no good at all.",
    "I feel that I have a number of good qualities.",
    "I am able to do things as well as most other people.",
    "I feel I do not have much to be proud of.",
    "I certainly feel useless at times.",
    "I feel that I'm a person of worth, at least on an equal plane with others.",
    "I wish I could have more respect for myself.",
    "All in all, I am inclined to feel that I am a failure.",
    "I take a positive attitude toward myself.",
)
ROSENBERG_RESPONSES = ("Strongly agree", "Agree", "Disagree", "Strongly disagree")
ROSENBERG_REVERSED = (2, 5, 6, 8, 9)

# Seed 002, "Individuals experiences of working together" (2014 evaluation table).
AGREEMENT = ("Completely agree", "Mostly agree", "Not sure either way", "Disagree", "Completely disagree")
SURVEY_STEM = "Working together has..."
SURVEY_STATEMENTS = (
    "left me with a desire to work collaboratively with colleagues",
    "encouraged networking with other colleagues",
    "increased my leadership opportunities",
    "encouraged me to try new ideas",
    "promoted my skills in practitioner enquiry",
)

# Seed 004 (Clackmannanshire): ACEL data by stage and SIMD, stretch aims, attendance.
ACEL_STAGES = ("P1", "P4", "P7", "S3")
ACEL_ORGANISERS = ("Reading", "Writing", "Listening and talking", "Numeracy")
SIMD_QUINTILES = (1, 2, 3, 4, 5)
STRETCH_MEASURES = tuple(f"{s} {o}" for s in ACEL_STAGES for o in ACEL_ORGANISERS) + (
    "Attendance",
    "Exclusions per 1000",
)
STRETCH_GROUPS = ("All pupils", "SIMD quintile 1", "SIMD quintile 5", "Poverty-related gap (pp)")
