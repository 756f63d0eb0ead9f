"""Double-click (or run) to consolidate the authority's returns with the settings in authority.toml.

Reads the folder named by `returns` in authority.toml (or the folder given on the command line), writes the
dashboard, validation report and tidy tables to `output`, and waits for Enter so the window stays open.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    from sipxl.cli import main as sipxl

    config = HERE / "authority.toml"
    settings = tomllib.loads(config.read_text(encoding="utf-8")).get("authority", {})
    returns = sys.argv[1:] or [settings.get("returns", "returns")]
    code = sipxl(["consolidate", *returns, "--config", str(config)])
    if sys.stdin.isatty() and sys.platform == "win32":
        input("Press Enter to close this window.")
    return code


if __name__ == "__main__":
    sys.exit(main())
