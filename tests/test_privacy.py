"""No pupil reference flagged as a name (SIPXL-P007) or a Scottish Candidate Number (SIPXL-P008) reaches any
byte the consolidator writes: tidy CSV and Parquet, the validation report (xlsx and JSON), the dashboard, the
feedback files, the manifest, the cache, the logs and the terminal.

The workbooks are real ones (built from the templates, read back by the consolidator); the names and numbers
come from hypothesis as well as from the sample authority's own injected mistakes."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pyarrow.parquet as pq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sipxl.cli import main
from sipxl.consolidate import AuthorityConfig, consolidate, write_outputs
from sipxl.consolidate.privacy import PREFIX, Sanitiser, sanitise_result
from sipxl.domain.rules import looks_like_name, looks_like_scn
from sipxl.io.build import build_template
from sipxl.sample import clean_values, generate_authority, manifest_path

FIRST = ("Jamie", "Robyn", "Callum", "Isla", "Rory", "Eilidh", "Lewis", "Ava", "Finlay", "Olivia", "Jack")
SURNAME = st.from_regex(r"[A-Z][a-z]{3,9}", fullmatch=True)
NAMES = st.builds(lambda f, s: f"{f} {s}", st.sampled_from(FIRST), SURNAME)
SCNS = st.integers(100_000_000, 999_999_999)


def _texts_of(path: Path) -> list[str]:
    """Everything a reader of `path` could see: its bytes as text, every part of a zip (xlsx), every value of a
    Parquet table."""
    raw = path.read_bytes()
    out = [raw.decode("utf-8", "replace"), raw.decode("latin-1")]
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            out += [z.read(n).decode("utf-8", "replace") for n in z.namelist()]
    if path.suffix == ".parquet":
        out.append(json.dumps(pq.read_table(path).to_pylist(), default=str, ensure_ascii=False))
    return out


def _leaks(out_dir: Path, secrets: list[str], extra_text: str = "") -> list[tuple[str, str]]:
    patterns = []
    for s in secrets:
        digits = "".join(s.split())
        if digits.isdigit():  # also with spaces or as a float ("123456789.0" contains it)
            patterns.append((s, re.compile(r"(?<!\d)" + r"\s*".join(digits) + r"(?!\d)")))
        else:
            patterns.append((s, re.compile(r"\s+".join(map(re.escape, s.split())), re.IGNORECASE)))
    found = []
    files = sorted(p for p in out_dir.rglob("*") if p.is_file())
    assert files, "nothing was written"
    for path in files:
        for text in _texts_of(path):
            found += [(str(path.relative_to(out_dir)), s) for s, rx in patterns if rx.search(text)]
    found += [("terminal", s) for s, rx in patterns if rx.search(extra_text)]
    return sorted(set(found))


def _project_with(refs: list[object], path: Path) -> Path:
    """A real, otherwise clean project workbook where the first pupils are typed as `refs` everywhere their
    pseudonymous reference appears (register, assessment sheets, logs), as a teacher who used names would."""
    template, values = clean_values("sipp_project")
    values = dict(values)
    pseudonyms = sorted({v for v in values.values() if isinstance(v, str) and v.startswith("SIP-")})
    for old, new in zip(pseudonyms, refs, strict=False):
        for k, v in values.items():
            if v == old:
                values[k] = new
    path.parent.mkdir(parents=True, exist_ok=True)
    return build_template(template, path, values=values)


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(NAMES, min_size=1, max_size=2, unique_by=str.casefold), scn=SCNS,
       spaced=st.booleans(), keyed=st.booleans())
def test_no_flagged_reference_reaches_any_output_byte(tmp_path_factory, names, scn, spaced, keyed):
    tmp = tmp_path_factory.mktemp("privacy")
    scn_text = f"{str(scn)[:3]} {str(scn)[3:6]} {str(scn)[6:]}" if spaced else scn
    assert all(looks_like_name(n) for n in names) and looks_like_scn(scn_text)
    _project_with([*names, scn_text], tmp / "in" / "P01 Partnership" / "project.xlsx")
    out = tmp / "out"
    config = AuthorityConfig(name="Test Council", pseudonym_key="a secret of the authority" if keyed else "")
    cons = consolidate([tmp / "in"], out, config, jobs=1)
    flagged = [i for r in cons.records for i in r.issues if i.code in ("SIPXL-P007", "SIPXL-P008")]
    assert {i.code for i in flagged} == {"SIPXL-P007", "SIPXL-P008"}  # the rules did flag them
    assert all(i.value.startswith(PREFIX) for i in flagged)
    write_outputs(cons, out)
    # and through the command line: terminal, log, second run from the cache
    code = main(["consolidate", str(tmp / "in"), "--out", str(tmp / "cli"), "--jobs", "1"])
    assert code == 1
    main(["consolidate", str(tmp / "in"), "--out", str(tmp / "cli"), "--jobs", "1"])
    secrets = [*names, str(scn)]
    assert _leaks(out, secrets) == []
    assert _leaks(tmp / "cli", secrets) == []
    # the placeholders keep the file's rows joined: the pupil is still one pupil across the tidy tables
    pupils = pq.read_table(out / "tidy" / "pupils.parquet").column("pupil_ref").to_pylist()
    assessed = set(pq.read_table(out / "tidy" / "assessments.parquet").column("pupil_ref").to_pylist())
    hidden = [p for p in pupils if p.startswith(PREFIX)]
    assert len(hidden) == len(secrets) and set(hidden) <= assessed


def test_the_sample_authoritys_names_never_leave(tmp_path, capsys):
    sample = tmp_path / "sample"
    generate_authority(sample, schools=8, mistake_rate=1.0, workers=1)  # every mistake, a name among them
    manifest = json.loads(manifest_path(sample).read_text(encoding="utf-8"))
    names = sorted({m["value"] for f in manifest["files"] for m in f["mistakes"] if m["name"] == "name_as_pupil_ref"})
    assert names, "the sample carries a name typed as a pupil reference"
    out = tmp_path / "out"
    main(["consolidate", str(sample), "--out", str(out), "--jobs", "1"])
    assert _leaks(out, names, capsys.readouterr().err) == []


def test_keyed_placeholders_are_stable_and_need_the_key():
    a = Sanitiser(["Jamie Stewart", 123456789], key=b"k1")
    b = Sanitiser(["jamie  stewart", "123 456 789"], key=b"k1")
    c = Sanitiser(["Jamie Stewart"], key=b"k2")
    assert a.text("Jamie Stewart") == b.text("JAMIE STEWART") != c.text("Jamie Stewart")
    assert a.value(123456789) == a.value(123456789.0) == b.text("123 456 789")
    unkeyed = Sanitiser(["Jamie Stewart", "Isla Brown"])
    assert {unkeyed.text("Jamie Stewart"), unkeyed.text("Isla Brown")} == {f"{PREFIX}1", f"{PREFIX}2"}
    assert a.text("SIP-A1 and 1234567890") == "SIP-A1 and 1234567890"  # other references untouched


def test_a_result_with_nothing_flagged_is_passed_through():
    from sipxl.consolidate.worker import FileResult

    r = FileResult([])
    assert sanitise_result(r, b"k") is r


def test_another_key_gives_other_placeholders_and_the_cache_follows(tmp_path):
    _project_with(["Jamie Stewart"], tmp_path / "in" / "P01 Partnership" / "project.xlsx")
    out = tmp_path / "out"

    def placeholders(key: str) -> set[str]:
        cons = consolidate([tmp_path / "in"], out, AuthorityConfig(pseudonym_key=key), jobs=1)
        write_outputs(cons, out)
        refs = pq.read_table(out / "tidy" / "pupils.parquet").column("pupil_ref").to_pylist()
        return {r for r in refs if r.startswith(PREFIX)}

    first = placeholders("key one")
    assert len(first) == 1 and first == placeholders("key one")  # stable: the same key, the same placeholder
    second = placeholders("key two")
    assert len(second) == 1 and second != first  # the cached result made with key one is not reused
