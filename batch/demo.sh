#!/usr/bin/env bash
# Set up sipxl and run the QIO's main job on a synthetic sample authority:
# install, write the sample workbooks, consolidate them, say where the dashboard is.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install -q --disable-pip-version-check -e ".[dev]"
sipxl sample --out sample --schools 36
if sipxl consolidate --help >/dev/null 2>&1; then
  sipxl consolidate sample --out out --config batch/authority.toml || status=$?
  echo "Dashboard: $(pwd)/out/dashboard.xlsx   Validation report: $(pwd)/out/validation_report.xlsx"
  exit "${status:-0}"
fi
