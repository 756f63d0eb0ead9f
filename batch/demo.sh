#!/usr/bin/env bash
# Set up sipxl and run the QIO's main job on a synthetic sample authority:
# install sipxl, write the sample workbooks (pseudonymous, some with deliberate mistakes),
# consolidate them, and say where the dashboard and the validation report are.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install -q --disable-pip-version-check -e ".[dev]"
if command -v npm >/dev/null 2>&1; then  # the tests that run xlwings Server's Office.js client in Node
  npm ci --prefix tests/clients --no-audit --no-fund --loglevel=error
fi
sipxl sample --out sample --schools 36
status=0
sipxl consolidate sample --out out --config batch/authority.toml || status=$?
if [ "$status" -gt 1 ]; then
  exit "$status"
fi
echo
echo "Dashboard:         $(pwd)/out/dashboard.xlsx"
echo "Validation report: $(pwd)/out/validation_report.xlsx (the sample's deliberate mistakes are listed there)"
echo "Tidy tables:       $(pwd)/out/tidy/"
