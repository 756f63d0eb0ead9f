"""A synthetic local authority of filled-in sipxl workbooks, for tests, demonstrations and benchmarks.

Everything is invented: the council ("Loch Ard Council"), its schools and their 7-digit SEED codes
(all beginning 99), the staff (clearly fictional names) and the pupils, who appear only by pseudonymous
references such as ``SIP-GLP-01``. Everything is derived from the seed (``random.Random(seed)``) and the
fixed 2025/26 session, never from the clock, so the same seed always gives byte-identical files.

`generate_authority` writes one SIPP project workbook per School Improvement Partnership and one school
data return per school into a folder tree, injects realistic mistakes into a share of the project
workbooks, and records every file and every injected mistake in an answer key beside the folder
(``sample`` -> ``sample_manifest.json``).

`clean_values` / `build_clean` / `build_clean_project` build one clean filled workbook of any template
kind (what the template tests recalculate with LibreOffice).
"""

from .authority import MANIFEST, generate_authority, manifest_path
from .mistakes import MISTAKES
from .workbooks import build_clean, build_clean_project, clean_values, fill_project, fill_school_return
from .world import AUTHORITY, SESSION, Partnership, School, make_schools
from .writer import ValueWriter

__all__ = [
    "AUTHORITY", "SESSION", "MISTAKES", "MANIFEST", "School", "Partnership", "ValueWriter",
    "generate_authority", "make_schools", "fill_project", "fill_school_return", "clean_values", "build_clean",
    "build_clean_project", "manifest_path",
]
