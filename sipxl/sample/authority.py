"""`generate_authority`: a whole synthetic authority written into a folder tree, with its manifest."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import re
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from .. import __version__
from ..io.build import build_template
from ..spec.model import Template
from .mistakes import MISTAKES, _inject, _Mistake
from .workbooks import fill_project, fill_school_return
from .world import AUTHORITY, SESSION, SUBMISSION_START, make_partnerships, make_schools
from .writer import Values

MANIFEST = "sample_manifest.json"  # the answer key's name inside the folder, in earlier versions
_SESSION_TEXT = re.compile(r"^(\d{4})/(\d{2})$")


def manifest_path(out_dir: Path) -> Path:
    """Where the sample's answer key goes: beside the folder (``sample/`` -> ``sample_manifest.json``), never
    in it, where it would be read as a school's file."""
    out_dir = Path(out_dir).resolve()
    return out_dir.with_name(f"{out_dir.name}_manifest.json")


def _shift_session(values: Values, years: int) -> Values:
    """The same answers `years` sessions later (earlier when negative): every date and every session name."""
    if not years:
        return values
    out: Values = {}
    for key, v in values.items():
        if isinstance(v, dt.date):
            v = v.replace(year=v.year + years)
        elif isinstance(v, str) and (m := _SESSION_TEXT.match(v)):
            v = f"{int(m.group(1)) + years}/{(int(m.group(2)) + years) % 100:02d}"
        out[key] = v
    return out

# ---------------------------------------------------------------- the authority


def _clear_previous(out_dir: Path) -> None:
    """Remove the files of an earlier sample run in `out_dir` (and only those)."""
    manifest = manifest_path(out_dir)
    if not manifest.exists():
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
                       workers: int | None = None, returns: bool = True, session: str = SESSION,
                       missing: float = 0.0) -> list[Path]:
    """Write a synthetic authority: one SIPP project per partnership, one data return per school.

    Layout: ``out_dir/P01 <partnership>/SIPP project 2025-26 - <lead school>.xlsx`` and
    ``out_dir/<SEED code> <school>/School return 2025-26.xlsx``; the answer key goes beside the folder
    (`manifest_path`: ``sample`` -> ``sample_manifest.json``).
    A share `mistake_rate` of project workbooks (at least one when the rate is above 0) carries 1-2
    mistakes from `MISTAKES`, each recorded in the manifest with its sheet code and cell; where a mistaken
    pupil reference was also copied to other sheets, those cells are listed as `related`.
    Returns the workbook paths, sorted. Files of an earlier run in `out_dir` are replaced.
    Values are drawn in one process (so the output depends only on the seed); the workbooks are then
    written by `workers` processes (default: all cores when there are more than 40 files; 1 = serial).
    `returns=False` leaves out the school data returns (benchmarks of project workbooks alone).
    `session` ("2024/25"): the same schools and partnerships in another session, with their own answers (every
    date and session name moved by whole years). `missing`: the share of schools whose data return never
    arrives (listed in the answer key as `not_returned`), so that a school list shows missing returns.
    """
    m = _SESSION_TEXT.match(session)
    if not m:
        raise ValueError(f"a session is written like {SESSION}, not {session!r}")
    years = int(m.group(1)) - int(SESSION[:4])
    label = session.replace("/", "-")
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
    if years:  # the same schools and partnerships; another session's answers
        rng = random.Random(seed * 1009 + years)
    absent = set(random.Random(seed * 13 + years).sample(
        [s.seed_code for s in all_schools], min(len(all_schools), max(1, round(missing * len(all_schools)))))) \
        if missing else set()
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
        rel = Path(partnership.folder) / f"SIPP project {label} - {lead.name}.xlsx"
        day = SUBMISSION_START + dt.timedelta(days=dates_rng.randint(0, 30))
        if dates_rng.random() < 0.85:
            w.field("submitted_on", day)
            w.field("submitted_with", __version__)
        day = day.replace(year=day.year + years)
        received[out_dir / rel] = dt.datetime.combine(day, dt.time(9)) + dt.timedelta(minutes=dates_rng.randint(0, 480))
        jobs.append((w.template, out_dir / rel, _shift_session(w.values, years), sheet_names or None))
        entries.append({"path": rel.as_posix(), "kind": "sipp_project", "seed_code": lead.seed_code,
                        "school": lead.name, "partnership": partnership.name,
                        "schools": [s.seed_code for s in partnership.schools],
                        "mistakes": sorted((m.as_json() for m in mistakes), key=lambda m: (m["sheet"], m["cell"]))})
    for school in all_schools if returns else []:
        w = fill_school_return(random.Random(rng.getrandbits(64)), school)
        rel = Path(f"{school.seed_code} {school.name}") / f"School return {label}.xlsx"
        day = SUBMISSION_START + dt.timedelta(days=dates_rng.randint(0, 30))
        if school.seed_code in absent:
            continue
        if "submitted_on" in w.layout.fields and dates_rng.random() < 0.85:
            w.field("submitted_on", day)
            w.field("submitted_with", __version__)
        day = day.replace(year=day.year + years)
        received[out_dir / rel] = dt.datetime.combine(day, dt.time(9)) + dt.timedelta(minutes=dates_rng.randint(0, 480))
        jobs.append((w.template, out_dir / rel, _shift_session(w.values, years), None))
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
        "authority": AUTHORITY, "session": session, "seed": seed, "schools": schools,
        "not_returned": sorted(absent),
        "mistake_rate": mistake_rate, "mistake_names": list(MISTAKES),
        "school_list": [{"seed_code": s.seed_code, "name": s.name, "sector": s.sector, "roll": s.roll}
                        for s in sorted(all_schools, key=lambda s: s.seed_code)],
        "files": entries,
    }
    manifest_path(out_dir).write_text(json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
                                      encoding="utf-8")
    return sorted(files)
