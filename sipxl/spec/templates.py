"""Every sipxl template: the SIPP project workbook, the assessments, and the school data return.

The words come from the seed documents: phase forms and questions (seeds 000/001), the Social Skills
Pupil Assessment and Playful Pedagogy observation (000), the practitioner survey (002), Goal Attainment
Scaling (003) and authority data (004).
"""

from __future__ import annotations

from . import lists as L
from .model import (
    Column,
    Field,
    Footer,
    Guidance,
    Heading,
    Item,
    ItemGrid,
    PrintedTable,
    Rule,
    Sheet,
    Table,
    Template,
)
from .reports import issues_sheet, scores_sheet, summary_sheet
from .values import CHECK, xl_bad, xl_blank, xl_checked, xl_not_checked

#: 1.1: register of 6, measures used, Phase 5 Social Skills results by formula; 1.2: a pre-built Issues sheet
VERSION = "1.2"
#: The school data return; 1.2: the submission stamp on its Details sheet; 1.3: a pre-built Issues sheet
RETURN_VERSION = "1.3"
PUPILS = 6  # the target group is 4-6 learners; assessment sheets have a column pair per pupil
REGISTER_ROWS = PUPILS  # one register row per pupil column of the assessment sheets

TEXT = Rule("text")
REQ_TEXT = Rule("text", required=True)
LONG = Rule("long_text")
DATE = Rule("date")
YES_NO = Rule("choice", L.YES_NO)


def choice(values: tuple[str, ...], required: bool = False) -> Rule:
    return Rule("choice", values, required=required)


def pupil_ref_rule(in_project: bool, required: bool = False) -> Rule:
    return Rule("text", required=required, choices_from="pupils.pupil_ref" if in_project else None)


PUPIL_REF_HELP = (
    "A pseudonymous reference such as SIP-A1. Never a pupil's name or Scottish Candidate Number."
)

# ---------------------------------------------------------------- project and partnership


def help_sheet(title: str, fill_in: tuple[str, ...], send: str, stamped: str = "") -> Sheet:
    """A teacher's guide: what to fill in, what each SIPXL button does, how to fix an issue, how to send the
    file. The catalogue of issue codes is not here: it is docs/errors.md, for the authority."""
    blocks: list = [Heading(title), Heading("What to fill in", level=2)]
    blocks += [Guidance(line) for line in (*fill_in, TYPING_HELP)]
    blocks += [Heading("The SIPXL buttons (on the SIPXL tab of the ribbon)", level=2)]
    blocks += [Guidance(line) for line in BUTTONS_HELP]
    blocks += [Guidance(PREPARE_HELP.format(sheet=stamped) if stamped else PREPARE_ELSEWHERE)]
    blocks += [Heading("How to fix an issue", level=2), *(Guidance(line) for line in FIX_HELP)]
    blocks += [Heading("How to send the file", level=2), Guidance(send), Guidance(PROTECTION_HELP)]
    return Sheet("help", "Help", tuple(blocks), width=4, label_width=22)


TYPING_HELP = (
    "Type only in the white cells with a blue border. Grey cells are calculated: they show your totals in any "
    "spreadsheet program. Where a cell has a list, choose from it. Click a cell to see what it needs. Pupils "
    "appear only by a pseudonymous reference (for example SIP-A1), never by name or Scottish Candidate Number."
)
BUTTONS_HELP = (
    "Validate: checks every answer. Problems are listed on the Issues sheet, one row each, with a link to the "
    "cell; the cells are marked red (must fix) or amber (please check).",
    "Score: writes the Scores sheet: each pupil's scores before and after, the group's average change and the "
    "size of the change, and (at the end, for a psychologist) the technical statistics.",
    "Summary: writes the one-page Summary sheet: the results table (each participant before and after), the "
    "SMART outcomes achieved and a small before/after chart. Print it for a meeting.",
    "Check setup: says whether the SIPXL add-in and Python are working, and whether this is a sipxl workbook.",
)
PREPARE_HELP = ("Prepare for submission: checks the workbook; when nothing must be fixed, it stamps the date and "
                "the sipxl version on the {sheet} sheet, ready to send.")
PREPARE_ELSEWHERE = ("Prepare for submission: checks the workbook and says whether it is ready to send (this kind "
                     "of workbook has no stamp); Validate lists each problem.")
FIX_HELP = (
    "On the Issues sheet, click the cell reference to go to the cell, read 'Problem' and 'What to do', correct "
    "the answer and click Validate again. Fix the errors (red) first; warnings (amber) are worth a look.",
    "When one wrong value was copied into many cells (for example a pupil reference chosen from the list on "
    "several sheets), the Issues sheet shows it once, the first cell (usually on the Pupils sheet) first: "
    "correct it there, then choose it again from the list in the other cells.",
    "If a problem makes no sense, send the workbook and the Issues sheet to your authority's Quality "
    "Improvement Officer; every issue has a code they can look up.",
)
PROTECTION_HELP = (
    "The sheets are protected without a password so that the layout stays as sipxl reads it. Please do not "
    "rename, move or delete sheets, rows or columns. An authority officer can unprotect a sheet (Review > "
    "Unprotect Sheet, no password) to change its structure."
)
SEND_PROJECT = (
    "Click Prepare for submission. When it says the workbook is ready, save it (keep it as .xlsx, with your "
    "school's name in the file name) and send it to your authority's Quality Improvement Officer as they asked "
    "(e-mail or the shared folder). Do not send a copy with passwords or saved as .xls or PDF."
)
SEND_FORM = (
    "Click Validate and fix the errors, then save the workbook (keep it as .xlsx, with your school's name in "
    "the file name) and send it to your authority's Quality Improvement Officer as they asked."
)

PROJECT_HELP = (
    "This workbook holds one School Improvement Partnership project, phase by phase, as in the East "
    "Renfrewshire SIP methodology. Start with the Project sheet (title, school, SEED code, the measures the "
    "project uses, partners and staff) and the Pupils sheet (a reference for each of the 4-6 target learners; "
    "the other sheets take them from there).",
    "Phase 1: the target group, the rationale for selecting it and the SMART outcomes you expect. Phase 2: "
    "the factors that affect the group (strengths and pressures) and which you confirmed.",
    "Phase 3: the research, the intervention, the research questions, the dates and sessions, how it will be "
    "evaluated (which measures you use) and the action plan. Phase 4: a row for each session, with each "
    "pupil's engagement on the Leuven scale (1 Disengaged to 5 Intense; the scale is printed under the log).",
    "Phase 5: the impact, the results table, whether each SMART outcome was achieved, and your reflection and "
    "next steps.",
    "The assessment sheets: Social Skills (before and after), Observation (type up each observation; print "
    "the Observation form to fill in by hand during a session), GAS, Rosenberg, Attendance and Survey. Fill in "
    "only the measures your project uses; answer No on the Project sheet for the others.",
)


def project_sheet() -> Sheet:
    return Sheet("project", "Project", (
        Heading("School Improvement Partnership project"),
        Guidance("Project and partnership details. The lead school's SEED code identifies your return."),
        Field("project_title", "Project title", REQ_TEXT, "A short name for the project, e.g. Lego Therapy."),
        Field("intervention", "Intervention", TEXT, "The evidence-based intervention you are testing."),
        Field("local_authority", "Local authority", REQ_TEXT),
        Field("session", "Session", Rule("text", required=True), "The school session, e.g. 2025/26."),
        Field("lead_school", "Lead school", REQ_TEXT),
        Field("seed_code", "Lead school SEED code", Rule("text", required=True, digits=7),
              "The school's 7-digit SEED code."),
        Field("partnership", "Partnership name", TEXT, "The name of the School Improvement Partnership."),
        Heading("Measures used in this project", level=2),
        Guidance("Choose No for each assessment this project does not use: its sheet is then marked as not in "
                 "use, and sipxl neither checks nor counts it. A blank counts as Yes."),
        *(Field(measure_flag(code), label, YES_NO, "Does this project use this measure?")
          for code, label in L.MEASURE_SHEETS),
        Table("schools", "Schools and partners in the partnership", (
            Column("school", "School or partner", REQ_TEXT, width=34),
            Column("seed_code", "SEED code", Rule("text", digits=7), "The school's 7-digit SEED code.", width=12),
            Column("authority", "Local authority", TEXT, width=22),
            Column("sector", "Sector", choice(L.SECTORS), width=14),
            Column("role", "Role in the partnership", choice(L.PARTNER_ROLES), width=18),
        ), rows=6, row_key="school"),
        Table("staff", "Staff involved", (
            Column("name", "Staff member", REQ_TEXT, width=34),
            Column("school", "School", TEXT, width=12),
            Column("role", "Role", choice(L.STAFF_ROLES), width=22),
        ), rows=8, row_key="name"),
        *submission_stamp(),
    ), width=5)


def submission_stamp() -> tuple:
    """Where Prepare for submission stamps the date and sipxl's version (the consolidator dates a file by it)."""
    return (
        Heading("Submission", level=2),
        Field("submitted_on", "Prepared for submission on", Rule("date"),
              "Stamped by Prepare for submission.", system=True),
        Field("submitted_with", "Checked with sipxl version", TEXT,
              "Stamped by Prepare for submission.", system=True),
    )


NOT_IN_USE = "NOT IN USE in this project (Project sheet): not checked or counted"


def measure_flag(sheet_code: str) -> str:
    """The Project sheet's field saying whether the project uses the assessment on this sheet."""
    return f"uses_{sheet_code}"


def pupils_sheet() -> Sheet:
    d = "simd_decile"
    decile = Rule("integer", min=1, max=10)
    dref = f"{{c:{d}}}{{r}}"
    return Sheet("pupils", "Pupils", (
        Heading("Pupil register (target group)"),
        Guidance("The small group (4-6) of learners the intervention targets. " + PUPIL_REF_HELP
                 + " The other sheets take each pupil's reference from here."),
        Table("pupils", "Target learners", (
            Column("pupil_ref", "Pupil reference", Rule("text", required=True), PUPIL_REF_HELP, width=16,
                   identifies_pupil=True),
            Column("school", "School", Rule("text", required=True, choices_from="schools.school"), width=22),
            Column("stage", "Stage", choice(L.STAGES, True), width=8),
            Column("sex", "Sex", choice(L.SEX), width=12),
            Column(d, "SIMD decile", decile, "1 = most deprived 10%.", width=9),
            Column("simd_quintile", "SIMD quintile", Rule("integer", min=1, max=5), width=9, number_format="0",
                   formula=xl_checked(f'IF({xl_blank(dref)},"",ROUNDUP({dref}/2,0))', xl_bad(dref, decile))),
            Column("looked_after", "Looked after", YES_NO, width=9),
            Column("asn", "ASN", YES_NO, "Additional support needs.", width=7),
            Column("eal", "EAL", YES_NO, "English as an additional language.", width=7),
            Column("fsm", "FSM", YES_NO, "Registered for free school meals.", width=7),
            Column("reason", "Reason selected", TEXT,
                   "Why this learner was selected (SIMD, gender, LAC, ethnicity, lowest performing 20%).",
                   width=40),
            Column("no_post", "No post assessment because", choice(L.NO_POST_REASONS),
                   "Only if this pupil could not be assessed at the end: why.", width=16),
        ), rows=REGISTER_ROWS, row_key="pupil_ref"),
    ), landscape=True, width=11, label_width=16)


# ---------------------------------------------------------------- the five phases


def phase1_sheet() -> Sheet:
    return Sheet("phase1", "Phase 1", (
        Heading("Phase One: Performance Information Analysis and Outcome Focussed Planning"),
        Heading("Step One: Analyse pupil performance information", level=2, new_page=True),
        Guidance("Through analysis of pupil performance information identify a small group (4-6) of "
                 "vulnerable learners to target in order to improve outcomes (attendance, attainment, "
                 "exclusion/inclusion, engagement, participation)."),
        Field("target_group", "Target Group:", LONG),
        Field("number_of_pupils", "Number of pupils (from the Pupils sheet)", Rule("integer"),
              formula="{=SUM(--(LEN(TRIM({col:pupils.pupil_ref}))>0))}"),
        Field("rationale", "Detail the rationale for selection (SIMD, gender, LAC, ethnicity, lowest "
              "performing 20%):", LONG),
        Heading("Step Two: Identify SMART outcomes for the target group", level=2, new_page=True),
        Guidance("Following intervention, what improvements would you expect to see? It might be helpful to "
                 "review these outcomes following completion of phase 2."),
        Table("smart_outcomes", "Expected SMART outcomes (attendance, attainment, exclusion/inclusion, "
              "engagement, participation)", (
            Column("area", "Area", choice(L.OUTCOME_AREAS, True), width=20),
            Column("outcome", "Expected SMART outcome", REQ_TEXT, "Specific, measurable, achievable, "
                   "relevant and time-bound.", width=48),
            Column("measure", "Measure", choice(L.MEASURES, True), "How you will measure it.", width=24),
            Column("target", "Target", TEXT, "e.g. social skills total up by 5 points", width=20),
            Column("by_date", "By (date)", Rule("date", required=True), width=12),
        ), rows=6, row_key="outcome"),
    ), width=5, landscape=True)  # its tables are too wide to read in portrait


def phase2_sheet() -> Sheet:
    return Sheet("phase2", "Phase 2", (
        Heading("Phase Two: Exploring and Understanding the Target Group's Performance"),
        Heading("Step One: Explore the strengths of and pressures on your target group", level=2,
                new_page=True),
        Guidance("What are the factors that impact (positively/negatively) on this identified group of "
                 "learners? You may want to consider: school learning environment (expectations of pupils, "
                 "staff/pupil relationships, peer relations, quality and deployment of teaching and support "
                 "staff, pedagogy, parental engagement); parental factors (engagement with pupils' learning, "
                 "relationships with school staff, value for education, parental educational experiences, "
                 "health, parenting skills); pupil factors (SHANARRI, aspirations for future, motivation for "
                 "learning, physical, emotional/mental and cognitive health, involvement in their learning)."),
        Table("factors", "Factors impacting on performance", (
            Column("factor", "Factor impacting on performance", REQ_TEXT, width=34),
            Column("level", "Is the factor at the level of the school/class, parent or pupil",
                   choice(L.FACTOR_LEVELS, True), width=18),
            Column("kind", "Is the factor a strength/positive or pressure/negative factor",
                   choice(L.FACTOR_KINDS, True), width=18),
            Column("test", "What will you do to test the significance of the factor?", TEXT, width=40),
            Column("confirmed", "Is the factor confirmed?", YES_NO, width=12),
        ), rows=12, row_key="factor"),
        Heading("Step Two: Evaluating the significance of the factors identified", level=2, new_page=True),
        Guidance("Consider ways in which you can test (confirm/disprove) the significance of the factors "
                 "outlined (e.g. existing school information, research evidence, assessment, professional "
                 "enquiry, questionnaires, focus groups)."),
        Field("confirmed_strengths", "Confirmed strengths/positive factors:", LONG),
        Field("confirmed_pressures", "Confirmed pressures/negative factors:", LONG),
    ), width=5, landscape=True)  # its tables are too wide to read in portrait


def phase3_sheet() -> Sheet:
    return Sheet("phase3", "Phase 3", (
        Heading("Phase Three: Intervention and Evaluation Planning"),
        Heading("Step One: Identifying evidence based interventions through research/professional enquiry",
                level=2, new_page=True),
        Field("evidence_review", "Through professional enquiry and reviewing the research literature, explore "
              "relevant evidence based interventions.", LONG),
        Field("interventions", "What evidence based interventions could you implement to address the "
              "identified pressures of the target group?", LONG),
        Field("build_on_strengths", "What actions could you take to build on the identified strengths of the "
              "target group?", LONG),
        Field("weak_evidence", "Are there areas where the evidence base for improvement is weak?", LONG),
        Guidance("Helpful tips: multifaceted interventions tend to be the most successful (i.e. they target "
                 "child, family and school/class factors); consider other groups that are performing well "
                 "despite similar 'risk factors' and how you can learn from their success."),
        Heading("Step Two: Action Planning", level=2, new_page=True),
        Table("research_questions", "Research question/s (no more than 2 or 3)", (
            Column("question", "Research question", REQ_TEXT, "A clear, focused, concise and arguable "
                   "question around which to centre your research. One question per row.", width=34, span=True),
        ), rows=3, row_key="question"),
        Field("plan", "What are you going to do?", LONG),
        Field("start_date", "Start date", Rule("date", required=True), "When are you going to do it?"),
        Field("end_date", "End date", Rule("date", required=True), "How long are you going to do it for?"),
        Field("sessions_planned", "Number of sessions planned", Rule("integer", min=1, max=200)),
        Field("session_length", "Length of each session", TEXT, "e.g. 1 hour a week"),
        Field("who_involved", "Who is going to be involved?", LONG),
        Field("evaluation", "How will the intervention be evaluated in the short and long term?", LONG),
        Field("control_group", "Control/comparison group?", YES_NO,
              "Do you intend to have a control/comparison group (i.e. a group of pupils who have similar "
              "needs who do not receive the intervention but take part in the pre and post evaluation for "
              "comparison purposes)?"),
        Guidance("Reflective questions: What are the resource implications? Do you need to plan CLPL? What "
                 "might get in the way of the intervention being successful? Do you need to plan time for pre "
                 "and post information/data gathering and analysis?"),
        Table("action_plan", "Action plan", (
            Column("task", "List the actions/tasks needed to implement the intervention and evaluation",
                   REQ_TEXT, width=34),
            Column("by_whom", "By whom", TEXT, width=20),
            Column("when", "When", TEXT, width=16),
            Column("where", "Where", TEXT, width=18),
            Column("notes", "Notes/Comments", TEXT, width=30),
        ), rows=12, row_key="task"),
    ), width=5)


def leuven_scale(key: str) -> PrintedTable:
    """The Leuven Scale of Active Engagement as on the Playful Pedagogy form: five levels, a descriptor under each."""
    return PrintedTable(key, "Leuven Scale of Active Engagement", (
        tuple(f"{n} - {word}" for n, word, _ in L.LEUVEN),
        tuple(text for _, _, text in L.LEUVEN),
    ))


LEUVEN_LEVEL = Rule("integer", min=1, max=5)


def leuven_mean(cells: str, level: Rule) -> str:
    return xl_checked(f'IF(COUNT({cells})=0,"",AVERAGE({cells}))', xl_bad(cells, level))


def leuven_engaged(cells: str, level: Rule) -> str:
    return xl_checked(f'IF(COUNT({cells})=0,"",SUM(ISNUMBER({cells})*({cells}>=4))/COUNT({cells}))',
                      xl_bad(cells, level))


def phase4_sheet() -> Sheet:
    pupil_cols = tuple(
        Column(f"leuven_{k + 1}", f"Pupil {k + 1}", LEUVEN_LEVEL,
               "Leuven engagement for this pupil in this session, 1 Disengaged to 5 Intense.", width=9,
               header_formula=f'=IF({{at:pupils.pupil_ref.{k}}}="","Pupil {k + 1}",{{at:pupils.pupil_ref.{k}}})')
        for k in range(PUPILS)
    )
    first, last = "{c:leuven_1}{r}", f"{{c:leuven_{PUPILS}}}{{r}}"
    span = f"{first}:{last}"
    level = LEUVEN_LEVEL
    return Sheet("phase4", "Phase 4", (
        Heading("Phase Four: Action (Implement intervention)"),
        Guidance("Log each session: its date, who attended, each pupil's Leuven engagement (1-5), notes and "
                 "the learning pathway for the next session. Pupil columns follow the Pupils sheet."),
        Table("sessions", "Session log", (
            Column("session_date", "Date", Rule("date", required=True), width=11),
            Column("attended", "Who attended", TEXT, width=20),
            *pupil_cols,
            Column("session_mean", "Mean engagement", Rule("number"), width=11, number_format="0.00",
                   formula=leuven_mean(span, level)),
            Column("session_engaged", "% at 4-5", Rule("number"), width=9, number_format="0%",
                   formula=leuven_engaged(span, level)),
            Column("notes", "Notes", TEXT, width=28),
            Column("pathway", "Learning pathway for next session", TEXT, width=28),
        ), rows=30, row_key="session_date", footer=(
            Footer("Mean", tuple((f"leuven_{k + 1}", leuven_mean("{this}", level)) for k in range(PUPILS))),
            Footer("% at 4-5", tuple((f"leuven_{k + 1}", leuven_engaged("{this}", level)) for k in range(PUPILS)),
                   percent=True),
        )),
        leuven_scale("leuven_scale_log"),
    ), landscape=True, width=12, label_width=11)


def phase5_sheet() -> Sheet:
    return Sheet("phase5", "Phase 5", (
        Heading("Phase Five: Evaluation and Reflection"),
        Heading("Step One: Measuring impact and outcomes", level=2, new_page=True),
        Guidance("Following evaluation of the intervention (as planned in phase 3):"),
        Field("impact", "What impact has the intervention had?", LONG),
        Table("social_results", "Data results: Social Skills (from the Social Skills sheet)", (
            Column("pupil_ref", "Participant", TEXT, width=16,
                   formula='=IF(LEN(TRIM(INDEX({col:pupils.pupil_ref},{n})))=0,"",INDEX({col:pupils.pupil_ref},{n}))'),
            Column("pre", "Social skills score at beginning of intervention (/60)", Rule("number"), width=14,
                   number_format="0", formula="={total:social_skills.Pre}"),
            Column("post", "Social skills score at end of intervention (/60)", Rule("number"), width=14,
                   number_format="0", formula="={total:social_skills.Post}"),
            Column("difference", "Difference", Rule("number"), width=11, number_format="0",
                   formula=change_of("{c:pre}{r}", "{c:post}{r}")),
        ), rows=PUPILS),
        Table("results", "Data results: other measures", (
            Column("pupil_ref", "Participant", pupil_ref_rule(True, True), PUPIL_REF_HELP, width=16,
                   identifies_pupil=True),
            Column("measure", "Measure", choice(L.OTHER_MEASURES, True), width=26),
            Column("pre", "Score at beginning of intervention", Rule("number"), width=14),
            Column("post", "Score at end of intervention", Rule("number"), width=14),
            Column("out_of", "Out of", Rule("number", min=0), "e.g. 30 for the Rosenberg total", width=8),
            Column("difference", "Difference", Rule("number"), width=11, number_format="General",
                   formula=difference("{c:pre}{r}", "{c:post}{r}", Rule("number"))),
        ), rows=12, row_key="pupil_ref"),
        Table("smart_achieved", "Have the SMART outcomes been achieved?", (
            Column("outcome", "SMART outcome (from Phase 1)", TEXT, width=34, fixed=False,
                   formula='=IF(INDEX({col:smart_outcomes.outcome},{n})="","",INDEX({col:smart_outcomes.outcome},{n}))'),
            Column("achieved", "Achieved?", choice(L.ACHIEVED), width=12),
            Column("evidence", "Please describe", TEXT, width=14, span=True),
        ), rows=6, row_lines=3),
        Field("smart_narrative", "Have the SMART outcomes been achieved? Please describe.", LONG),
        Heading("Step Two: Critical Reflection", level=2, new_page=True),
        Field("learned", "What have you learned?", LONG),
        Field("went_well", "What went well?", LONG),
        Field("not_so_well", "What didn't work so well?", LONG),
        Field("done_better", "Is there anything that could have been done better?", LONG),
        Heading("Step Three: Planning for Improvement", level=2, new_page=True),
        Field("next_steps", "What are you going to do now?", LONG),
    ), width=6)


def difference(pre: str, post: str, rule: Rule) -> str:
    return xl_checked(f'IF(OR({xl_blank(pre)},{xl_blank(post)}),"",{post}-{pre})',
                      xl_bad(pre, rule), xl_bad(post, rule))


# ---------------------------------------------------------------- assessments


def social_skills_sheet(in_project: bool) -> Sheet:
    items = tuple(Item(i + 1, text, group) for i, (group, text) in enumerate(L.SOCIAL_SKILLS_ITEMS))
    return Sheet("social_skills", "Social Skills", (
        Heading("Social Skills Pupil Assessment"),
        Guidance(L.SOCIAL_SKILLS_SCALE + " Assess each pupil before (Pre) and after (Post) the intervention."),
        ItemGrid("social_skills", "Social Interaction", items, Rule("integer", min=0, max=4), PUPILS,
                 pupils_from_register=in_project, total_label="Total /60",
                 guidance="0 = never, 1 = rarely, 2 = sometimes, 3 = mostly, 4 = all occasions"),
    ), landscape=True)


def observation_sheet(in_project: bool) -> Sheet:
    return Sheet("observation", "Observation", (
        Heading("Playful Pedagogy – Observation Sheet"),
        Guidance("One row per observation of one pupil. Choose what the pupil was doing and their level of "
                 "engagement on the Leuven scale."),
        Table("observations", "Observations", (
            Column("obs_date", "Date", Rule("date", required=True), width=11),
            Column("time", "Time", TEXT, width=8),
            Column("pupil_ref", "Pupil", pupil_ref_rule(in_project, True), PUPIL_REF_HELP, width=12,
                   identifies_pupil=True),
            Column("staff", "Staff member", TEXT, width=14),
            Column("location", "Location", TEXT, width=12),
            Column("others_present", "Other pupils/staff present", TEXT, width=14),
            Column("playing_with", "What is the pupil playing with?", TEXT, width=16),
            Column("social_mode", "The pupil is playing", choice(L.SOCIAL_MODE), width=14),
            Column("resource_use", "Are they (resource)", choice(L.RESOURCE_USE), width=16),
            Column("verbalising", "Are they (verbalising)", choice(L.VERBALISING), width=16),
            Column("same_resource", "Played with the same resource throughout", YES_NO, width=10),
            Column("different_resources", "Played with different resources", YES_NO, width=10),
            Column("engaged_pupil", "Engaged with any other pupil", YES_NO, width=10),
            Column("sought_adult", "Sought adult attention", YES_NO, width=10),
            Column("leuven", "Level of engagement (1-5)", Rule("integer", min=1, max=5, required=True),
                   "1 Disengaged, 2 Passive, 3 Intermittent, 4 Engaged, 5 Intense", width=11),
            Column("comments", "Observation comments (child's actions/language)", TEXT, width=26),
            Column("next_session", "Learning pathway for next play session", TEXT, width=22),
        ), rows=60, row_key="pupil_ref", footer=(
            Footer("Mean engagement", (("leuven", leuven_mean("{this}", LEUVEN_LEVEL)),)),
            Footer("% at 4-5", (("leuven", leuven_engaged("{this}", LEUVEN_LEVEL)),), percent=True),
        )),
        leuven_scale("leuven_scale_obs"),
    ), landscape=True, label_width=11)


def observation_form_sheet() -> Sheet:
    """The Playful Pedagogy observation sheet (seed 000, appendix 2) to print and fill in by hand, one
    observation a page; the observations are then typed up on the Observation sheet."""
    def ticks(options: tuple[str, ...]) -> str:
        return "\n".join(f"☐ {o}" for o in options)

    return Sheet("observation_form", "Observation form", (
        Heading("Playful Pedagogy – Observation Sheet"),
        Guidance("Print this page for each observation and fill it in by hand; then type the observation up "
                 "as one row on the Observation sheet."),
        PrintedTable("form_who", "", (
            ("Pupil:", "Staff member:", "Time:", "Date:"),
            ("Location:", "Other pupils/staff present:"),
        ), header_rows=0, lines=(2, 2)),
        PrintedTable("form_play", "", (
            ("What is the pupil playing with?", "The pupil is playing:", "Are they:", "Are they:",
             "During the observation did the pupil:"),
            ("", ticks(L.SOCIAL_MODE), ticks(L.RESOURCE_USE), ticks(L.VERBALISING),
             ticks(("Play with the same resource throughout", "Play with different resources",
                    "Engage with any other pupil", "Seek adult attention"))),
        ), lines=(1, 5)),
        leuven_scale("leuven_scale_form"),
        PrintedTable("form_notes", "", (
            ("Observation comments (observation of child's actions/language)", "Level of engagement (1-5)",
             "Learning pathway for next play session"),
            ("", "", ""),
        ), lines=(1, 7)),
    ), landscape=True, width=10, label_width=16)


GAS_LEVEL = Rule("number", choices=L.GAS_LEVELS)
GAS_WEIGHT = Rule("integer", min=1, max=10)
GAS_RHO = Rule("number", min=0, max=0.95)
GAS_RHO_DEFAULT = 0.3  # Kiresuk & Sherman; sipxl.scoring.gas.RHO


def _gas_t(level: str) -> str:
    """Kiresuk & Sherman T for one child's goals (rows whose reference is the same after TRIM, ignoring case),
    as an array formula, on the child's first row. Only goals with a level count; -0.5 counts as -1; a blank
    weight is 1 and a blank ρ is 0.3, as in sipxl.scoring.gas."""
    ref, refs = "{c:child_ref}{r}", "{col:goals.child_ref}"
    levels, weights, rho_cell = f"{{col:goals.{level}}}", "{col:goals.weight}", "{cell:gas_rho}"
    same = f"(TRIM({refs})=TRIM({ref}))"
    has = f"(LEN(TRIM({levels}))>0)"
    w = f"IF(ISNUMBER({weights}),{weights},1)"
    x = f"IF({has},IF({levels}=-0.5,-1,{levels}),0)"
    rho = f"IF(ISNUMBER({rho_cell}),{rho_cell},{GAS_RHO_DEFAULT})"
    num = f"SUM({same}*{has}*{w}*{x})"
    den = f"SQRT((1-{rho})*SUM({same}*{has}*{w}^2)+{rho}*SUM({same}*{has}*{w})^2)"
    earlier = "SUM(--(TRIM({c:child_ref}${first}:{c:child_ref}{r})=TRIM({c:child_ref}{r})))>1"
    return xl_checked(f'IF(SUM({same}*{has})=0,"",50+10*{num}/{den})',
                      xl_bad(levels, GAS_LEVEL), xl_bad(weights, GAS_WEIGHT), xl_bad(rho_cell, GAS_RHO),
                      # an error value in the references above: only the row's own blank reference counts
                      blank_if=f"IFERROR(OR({xl_blank(ref)},{earlier}),{xl_blank(ref)})")


def gas_sheet() -> Sheet:
    level = GAS_LEVEL
    return Sheet("gas", "GAS", (
        Heading("Goal Attainment Scaling (Joint Support Team referrals)"),
        Guidance("Goal Attainment Scaling measures the extent to which a child or young person's individual "
                 "wellbeing goals are achieved in the course of an intervention. Each child has up to 5 "
                 "personalised goals. Set a baseline level when the goals are agreed and a level at review: "
                 + "; ".join(L.GAS_LEVEL_WORDS) + ". One row per goal; the T-scores show on each child's "
                 "first row (50 = goals achieved as expected)."),
        Field("jst", "Learning Community Joint Support Team", TEXT),
        Field("gas_rho", "Correlation between goals (ρ)", GAS_RHO,
              "Kiresuk & Sherman use 0.3 (a blank counts as 0.3). Change only on your psychologist's advice.",
              default=GAS_RHO_DEFAULT),
        Table("goals", "Goals", (
            Column("child_ref", "Child reference", Rule("text", required=True), PUPIL_REF_HELP, width=12,
                   identifies_pupil=True),
            Column("referral_date", "Referral date", DATE, width=11),
            Column("goal_no", "Goal", Rule("integer", min=1, max=5, required=True), width=6),
            Column("goal", "Wellbeing goal", REQ_TEXT, width=30),
            Column("weight", "Weight", GAS_WEIGHT,
                   "1 (or blank) if all goals matter equally; a larger number for a goal that matters more.",
                   width=7),
            Column("baseline", "Baseline level", level, width=9),
            Column("baseline_date", "Baseline date", DATE, width=11),
            Column("review", "Review level", level, width=9),
            Column("review_date", "Review date", DATE, width=11),
            Column("child_views", "Child's views recorded", YES_NO, width=9),
            Column("parent_views", "Parent/carer views recorded", YES_NO, width=9),
            Column("baseline_t", "Baseline T", Rule("number"), width=9, number_format="0.0",
                   formula=_gas_t("baseline")),
            Column("review_t", "Review T", Rule("number"), width=9, number_format="0.0",
                   formula=_gas_t("review")),
            Column("t_change", "Change in T", Rule("number"), width=9, number_format="0.0",
                   formula=change_of("{c:baseline_t}{r}", "{c:review_t}{r}")),
        ), rows=50, row_key="child_ref"),
    ), landscape=True, label_width=12, width=14)


def change_of(before: str, after: str, scale: str = "") -> str:
    """after − before of two calculated cells: "check entry" when either shows it."""
    return (f'=IF({xl_not_checked(before, after)},"{CHECK}",IF(OR({before}="",{after}=""),"",'
            f'{scale}({after}-{before})))')


def share_of(part: str, whole: str, rule: Rule) -> str:
    """part ÷ whole (attended ÷ possible sessions, achieved ÷ assessed pupils): blank until both are typed and
    the whole is not 0; "check entry" for an answer that is not valid or a part larger than its whole."""
    more = f"ISNUMBER({part})*ISNUMBER({whole})*({part}>{whole})"
    return xl_checked(f'IF(OR({xl_blank(whole)},{xl_blank(part)},{whole}=0),"",{part}/{whole})',
                      xl_bad(whole, rule), xl_bad(part, rule), more)


def rosenberg_sheet(in_project: bool) -> Sheet:
    items = tuple(Item(i + 1, text) for i, text in enumerate(L.ROSENBERG_ITEMS))
    return Sheet("rosenberg", "Rosenberg", (
        Heading("Rosenberg Self-Esteem Scale"),
        Guidance(L.ROSENBERG_INSTRUCTION + " Each answer scores 0-3; items 2, 5, 6, 8 and 9 are reversed. "
                 "Total 0-30; below 15 suggests low self-esteem."),
        ItemGrid("rosenberg", "Statements", items, Rule("choice", L.ROSENBERG_RESPONSES), PUPILS,
                 pupils_from_register=in_project, group_totals=False, total_label="Total /30",
                 total_formula="ROSENBERG"),
    ), landscape=True)


def attendance_sheet(in_project: bool) -> Sheet:
    sessions = Rule("integer", min=0, max=400)

    def pct(att: str, pos: str) -> str:
        return share_of(f"{{c:{att}}}{{r}}", f"{{c:{pos}}}{{r}}", sessions)

    return Sheet("attendance", "Attendance", (
        Heading("Attendance before and after the intervention"),
        Guidance("For each pupil, the number of possible (half-day) sessions and the number attended, in a "
                 "period before and a period after the intervention. Attendance % = attended ÷ possible."),
        Field("before_from", "Before: from", DATE),
        Field("before_to", "Before: to", DATE),
        Field("after_from", "After: from", DATE),
        Field("after_to", "After: to", DATE),
        Table("attendance", "Attendance", (
            Column("pupil_ref", "Pupil", pupil_ref_rule(in_project, True), PUPIL_REF_HELP, width=16,
                   identifies_pupil=True),
            Column("possible_before", "Possible sessions before", sessions, width=11),
            Column("attended_before", "Attended before", sessions, width=11),
            Column("pct_before", "Attendance % before", Rule("number"), width=11, number_format="0.0%",
                   formula=pct("attended_before", "possible_before")),
            Column("possible_after", "Possible sessions after", sessions, width=11),
            Column("attended_after", "Attended after", sessions, width=11),
            Column("pct_after", "Attendance % after", Rule("number"), width=11, number_format="0.0%",
                   formula=pct("attended_after", "possible_after")),
            Column("change_pp", "Change (percentage points)", Rule("number"), width=11, number_format="0.0",
                   formula=change_of("{c:pct_before}{r}", "{c:pct_after}{r}", "100*")),
        ), rows=REGISTER_ROWS, row_key="pupil_ref"),
    ), landscape=True, label_width=16, width=8)


def survey_sheet() -> Sheet:
    qs = tuple(
        Column(f"q{k + 1}", f"...{text}", choice(L.AGREEMENT), f"{L.SURVEY_STEM} {text}", width=16)
        for k, text in enumerate(L.SURVEY_STATEMENTS)
    )
    answer_rule = Rule("choice", L.AGREEMENT)
    bad = xl_bad("{this}", answer_rule)
    n = "SUM(--(LEN(TRIM({this}))>0))"
    footers = [Footer("N answered", tuple((f"q{k + 1}", xl_checked(n, bad)) for k in range(len(qs))))]
    for answer in L.AGREEMENT:
        share = xl_checked(f'IF({n}=0,"",SUM(--(TRIM({{this}})="{answer}"))/{n})', bad)
        footers.append(Footer(f"% {answer}", tuple((f"q{k + 1}", share) for k in range(len(qs))), percent=True))
    return Sheet("survey", "Survey", (
        Heading("Practitioner survey: individuals' experiences of working together"),
        Guidance("One row per practitioner, anonymous. " + L.SURVEY_STEM + " Choose one answer per statement: "
                 + ", ".join(L.AGREEMENT) + ". The percentages under the table are of those who answered, "
                 "with N, as in the 2014 SIPP evaluation table."),
        Table("survey", "Responses", (
            Column("respondent", "Respondent code", TEXT, "A number or code, never a name.", width=14),
            Column("role", "Role", choice(L.STAFF_ROLES), width=18),
            *qs,
        ), rows=40, row_key="respondent", footer=tuple(footers)),
    ), landscape=True, label_width=22, width=7)


# ---------------------------------------------------------------- school data return


def school_details_sheet(extra: tuple = ()) -> Sheet:
    return Sheet("details", "Details", (
        Heading("School details"),
        Field("school_name", "School", REQ_TEXT),
        Field("seed_code", "SEED code", Rule("text", required=True, digits=7), "The school's 7-digit SEED code."),
        Field("local_authority", "Local authority", REQ_TEXT),
        Field("session", "Session", REQ_TEXT, "The school session, e.g. 2025/26."),
        *extra,
    ), width=4)


def acel_sheet() -> Sheet:
    cols: list[Column] = [
        Column("stage", "Stage", TEXT, width=7, fixed=True),
        Column("organiser", "Curriculum organiser", TEXT, width=20, fixed=True),
    ]
    for q in L.SIMD_QUINTILES:
        n = Rule("integer", min=0, max=2000)
        cols.append(Column(f"assessed_q{q}", f"Q{q} assessed", n, f"Pupils in SIMD quintile {q} assessed.",
                           width=9))
        cols.append(Column(f"achieved_q{q}", f"Q{q} achieved", n,
                           f"Pupils in SIMD quintile {q} achieving the expected CfE level.", width=9))

    count = Rule("integer", min=0, max=2000)

    def pct(q: int) -> str:
        return share_of(f"{{c:achieved_q{q}}}{{r}}", f"{{c:assessed_q{q}}}{{r}}", count)

    assessed = "+".join(f"N({{c:assessed_q{q}}}{{r}})" for q in L.SIMD_QUINTILES)
    achieved = "+".join(f"N({{c:achieved_q{q}}}{{r}})" for q in L.SIMD_QUINTILES)
    more = "+".join(f"ISNUMBER({{c:achieved_q{q}}}{{r}})*ISNUMBER({{c:assessed_q{q}}}{{r}})"
                    f"*({{c:achieved_q{q}}}{{r}}>{{c:assessed_q{q}}}{{r}})" for q in L.SIMD_QUINTILES)
    row = f"{{c:assessed_q{L.SIMD_QUINTILES[0]}}}{{r}}:{{c:achieved_q{L.SIMD_QUINTILES[-1]}}}{{r}}"
    cols += [
        Column("pct_all", "% achieved (all)", Rule("number"), width=10, number_format="0.0%",
               formula=xl_checked(f'IF(({assessed})=0,"",({achieved})/({assessed}))', xl_bad(row, count), more)),
        Column("pct_q1", "% achieved Q1", Rule("number"), width=10, number_format="0.0%", formula=pct(1)),
        Column("pct_q5", "% achieved Q5", Rule("number"), width=10, number_format="0.0%", formula=pct(5)),
        Column("gap_pp", "Poverty-related gap (pp)", Rule("number"), width=10, number_format="0.0",
               formula=change_of("{c:pct_q1}{r}", "{c:pct_q5}{r}", "100*")),
    ]
    rows = tuple((s, o) for s in L.ACEL_STAGES for o in L.ACEL_ORGANISERS)
    return Sheet("acel", "ACEL", (
        Heading("Achievement of CfE Levels (ACEL) by stage and SIMD quintile"),
        Guidance("For each stage and organiser, the number of pupils in each SIMD quintile assessed and the "
                 "number achieving the expected level. Poverty-related gap = % achieving in quintile 5 − % in "
                 "quintile 1, in percentage points."),
        Table("acel", "ACEL", tuple(cols), rows=len(rows), fixed_rows=rows),
    ), landscape=True, label_width=7, width=16)


def return_measures_sheet() -> Sheet:
    sessions = Rule("integer", min=0, max=10_000_000)
    pct_formula = share_of("{c:attended}{r}", "{c:possible}{r}", sessions)
    roll, cases = Rule("integer", min=1, max=5000, required=True), Rule("integer", min=0, max=5000)
    return Sheet("measures", "Attendance & Exclusions", (
        Heading("Attendance, exclusions and stretch aims"),
        Table("attendance_simd", "Attendance by SIMD quintile (half-day sessions)", (
            Column("quintile", "SIMD quintile", TEXT, width=26, fixed=True),
            Column("possible", "Possible sessions", sessions, width=14),
            Column("attended", "Attended sessions", sessions, width=14),
            Column("pct", "Attendance %", Rule("number"), width=12, number_format="0.0%", formula=pct_formula),
        ), rows=5, fixed_rows=tuple((f"Quintile {q}",) for q in L.SIMD_QUINTILES)),
        Field("roll", "School roll", roll),
        Field("exclusion_cases", "Cases of exclusion this session", cases),
        Field("exclusions_per_1000", "Exclusions per 1,000 pupils", Rule("number"),
              formula=xl_checked('IF(OR(' + xl_blank("{cell:roll}") + "," + xl_blank("{cell:exclusion_cases}")
                                 + '),"",{cell:exclusion_cases}/{cell:roll}*1000)',
                                 xl_bad("{cell:roll}", roll), xl_bad("{cell:exclusion_cases}", cases))),
        Table("stretch_aims", "Stretch aims", (
            Column("measure", "Measure", choice(L.STRETCH_MEASURES, True), width=26),
            Column("group", "Group", choice(L.STRETCH_GROUPS, True), width=14),
            Column("current", "Current (%)", Rule("number", min=0, max=100), width=14),
            Column("aim", "Stretch aim (%)", Rule("number", min=0, max=100, required=True), width=12),
            Column("by_session", "By session", TEXT, "e.g. 2026/27", width=12),
        ), rows=8, row_key="measure"),
    ), width=5, label_width=26)


# ---------------------------------------------------------------- templates


def running_head(school_field: str, second: str, what: str = "Project") -> str:
    """The line under every sheet's title, printed on every page: the school and the project (or the form's
    title), taken from the Project or Details sheet. `second` is a field placeholder or plain words."""
    school = f"{{cell:{school_field}}}"
    where = "Project" if school_field == "lead_school" else "Details"
    second_expr = second if second.startswith("{cell:") else '"' + second.replace('"', '""') + '"'
    return (f'=IF({school}="","School: fill in on the {where} sheet",{school})&"   ·   "&'
            f'IF({second_expr}="","{what}: fill in on the {where} sheet",{second_expr})')


def project_template() -> Template:
    return Template(
        "sipp_project", VERSION, "SIPP project workbook", "sipp_project.xlsx", (
            help_sheet("SIPP project workbook", PROJECT_HELP, SEND_PROJECT, stamped="Project"),
            project_sheet(), pupils_sheet(),
            phase1_sheet(), phase2_sheet(), phase3_sheet(), phase4_sheet(), phase5_sheet(),
            social_skills_sheet(True), observation_sheet(True), observation_form_sheet(),
            gas_sheet(), rosenberg_sheet(True),
            attendance_sheet(True), survey_sheet(), issues_sheet(), scores_sheet(), summary_sheet(),
        ),
        description="One School Improvement Partnership project, phases 1-5 and its assessments.",
        running_head=running_head("lead_school", "{cell:project_title}"),
    )


ASSESSMENT_HELP = (
    "Fill in the Details sheet (school, SEED code, authority, session, who completed it), then the assessment "
    "sheet. The same assessment is also inside the SIPP project workbook.",
)


def _assessment(kind: str, title: str, sheet: Sheet, extra_help: str,
                extra: tuple[Sheet, ...] = ()) -> Template:
    return Template(kind, VERSION, title, f"{kind}.xlsx", (
        help_sheet(title, (extra_help, *ASSESSMENT_HELP), SEND_FORM),
        school_details_sheet((Field("completed_by", "Completed by", TEXT),)),
        sheet, *extra, issues_sheet(), scores_sheet(), summary_sheet(),
    ), description=extra_help, running_head=running_head("school_name", title))


def assessment_templates() -> tuple[Template, ...]:
    return (
        _assessment("social_skills", "Social Skills Pupil Assessment", social_skills_sheet(False),
                    "15 skills in Social Conversation, Social Play and Learning, each 0-4, total /60, before "
                    "and after the intervention."),
        _assessment("observation", "Playful Pedagogy observation", observation_sheet(False),
                    "Observations of play with the Leuven Scale of Active Engagement (1-5).",
                    (observation_form_sheet(),)),
        _assessment("gas", "Goal Attainment Scaling", gas_sheet(),
                    "Goal Attainment Scaling of each referred child's wellbeing goals (baseline and review)."),
        _assessment("rosenberg", "Rosenberg self-esteem", rosenberg_sheet(False),
                    "The Rosenberg Self-Esteem Scale, 10 statements in fixed order, total 0-30."),
        _assessment("attendance", "Attendance before and after", attendance_sheet(False),
                    "Possible and attended sessions for each pupil, before and after the intervention."),
        _assessment("survey", "Practitioner survey: working together", survey_sheet(),
                    "The five statements of the 2014 SIPP evaluation, on a 5-point agreement scale."),
    )


def school_return_template() -> Template:
    return Template("school_return", RETURN_VERSION, "School data return", "school_return.xlsx", (
        help_sheet("School data return", (
            "The data a school returns for the authority's data work: fill in the Details sheet, then ACEL "
            "(for each stage and organiser, pupils assessed and achieving the expected level in each SIMD "
            "quintile) and Attendance & Exclusions (sessions by quintile, roll, exclusions, stretch aims). "
            "Counts only; no pupil is named.",
        ), SEND_PROJECT, stamped="Details"),
        school_details_sheet(submission_stamp()), acel_sheet(), return_measures_sheet(), issues_sheet(),
        scores_sheet(), summary_sheet(),
    ), running_head=running_head("school_name", "{cell:session}", "Session"))
