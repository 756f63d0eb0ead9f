"""Scoring rules of the School Improvement Partnership methodology (pure Python, no I/O)."""

from sipxl.scoring.gas import RHO, GasChild, gas_t_score, recode_level, score_gas_child
from sipxl.scoring.leuven import LEVELS, LeuvenSummary, summarise_by, summarise_leuven
from sipxl.scoring.likert import AGREEMENT, LikertRow, likert_table
from sipxl.scoring.prepost import CAUTION, PrePostSummary, PupilChange, hedges_j, pre_post_summary
from sipxl.scoring.rates import (
    attendance_pct,
    exclusions_per_1000,
    is_missing,
    pct_achieving,
    poverty_gap_pp,
)
from sipxl.scoring.rosenberg import ITEMS, RESPONSES, REVERSED, RosenbergScore, item_score, score_rosenberg
from sipxl.scoring.social_skills import (
    DOMAINS,
    ITEM_MAX,
    ITEM_MIN,
    TOTAL_MAX,
    SocialSkillsScore,
    change,
    score_social_skills,
)

__all__ = [
    "AGREEMENT", "CAUTION", "DOMAINS", "ITEM_MAX", "ITEM_MIN", "ITEMS", "LEVELS", "RESPONSES", "REVERSED",
    "RHO", "TOTAL_MAX",
    "GasChild", "LeuvenSummary", "LikertRow", "PrePostSummary", "PupilChange", "RosenbergScore",
    "SocialSkillsScore",
    "attendance_pct", "change", "exclusions_per_1000", "gas_t_score", "hedges_j", "is_missing",
    "item_score", "likert_table", "pct_achieving", "poverty_gap_pp", "pre_post_summary", "recode_level",
    "score_gas_child", "score_rosenberg", "score_social_skills", "summarise_by", "summarise_leuven",
]
