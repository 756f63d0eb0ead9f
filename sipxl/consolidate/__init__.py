"""The batch consolidator: a folder tree of returned workbooks in, an authority dashboard, a validation report
and tidy tables out. See `sipxl consolidate --help` and batch/authority.toml."""

from .config import AuthorityConfig, ConfigError, ExpectedSchool, load_config
from .outputs import write_outputs
from .run import STATUSES, Consolidation, FileRecord, consolidate
from .suppression import suppress, suppress_column

__all__ = ["AuthorityConfig", "ConfigError", "Consolidation", "ExpectedSchool", "FileRecord", "STATUSES",
           "consolidate", "load_config", "suppress", "suppress_column", "write_outputs"]
