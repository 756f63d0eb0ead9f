"""The authority's batch configuration (a TOML file, see batch/authority.toml)."""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_THRESHOLD = 5


class ConfigError(ValueError):
    """The configuration file cannot be used; the message says what to change."""


@dataclass(frozen=True)
class ExpectedSchool:
    seed_code: str
    name: str
    projects: tuple[str, ...] = ()  # project titles expected from this school
    school_return: bool = True  # a school data return is expected
    email: str = ""  # where the school's feedback goes (the mail-merge list)


@dataclass(frozen=True)
class AuthorityConfig:
    name: str = "Local authority"
    deadline: dt.date | None = None
    threshold: int = DEFAULT_THRESHOLD
    output: str | None = None
    schools: tuple[ExpectedSchool, ...] = field(default=())
    source: str = ""  # the file it came from
    contact: str = ""  # who schools ask (name, e-mail, phone), printed on their feedback
    feedback_deadline: dt.date | None = None  # when corrections are due back
    pseudonym_key: str = field(default="", repr=False)  # secret: placeholders of flagged pupil references

    def school(self, seed_code: str) -> ExpectedSchool | None:
        for s in self.schools:
            if s.seed_code == seed_code:
                return s
        return None


def _date(value: object, where: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as e:
        raise ConfigError(f"{where}: '{value}' is not a date; write it as 2026-06-30") from e


def load_config(path: Path | str) -> AuthorityConfig:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise ConfigError(f"the configuration file {path} does not exist") from e
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(f"the configuration file {path} is not valid TOML: {e}") from e
    auth = data.get("authority", {})
    try:
        threshold = int(auth.get("suppression_threshold", DEFAULT_THRESHOLD))
    except (TypeError, ValueError) as e:
        raise ConfigError("authority.suppression_threshold must be a whole number such as 5") from e
    if threshold < 1:
        raise ConfigError("authority.suppression_threshold must be 1 or more")
    schools = []
    seen = set()
    for k, s in enumerate(data.get("schools", []), start=1):
        seed = str(s.get("seed", s.get("seed_code", ""))).strip()
        if not seed:
            raise ConfigError(f"schools entry {k} has no seed (the school's SEED code)")
        if seed in seen:
            raise ConfigError(f"the SEED code {seed} is listed twice under [[schools]]")
        seen.add(seed)
        projects = s.get("projects", [])
        if isinstance(projects, str):
            projects = [projects]
        schools.append(ExpectedSchool(seed, str(s.get("name", seed)), tuple(str(p) for p in projects),
                                      bool(s.get("school_return", True)), str(s.get("email", "") or "")))
    return AuthorityConfig(
        name=str(auth.get("name", "Local authority")),
        deadline=_date(auth.get("deadline"), "authority.deadline"),
        threshold=threshold,
        output=auth.get("output"),
        schools=tuple(sorted(schools, key=lambda s: s.seed_code)),
        source=str(path),
        pseudonym_key=str(auth.get("pseudonym_key", "") or ""),
        contact=str(auth.get("contact", "") or ""),
        feedback_deadline=_date(auth.get("feedback_deadline"), "authority.feedback_deadline"),
    )
