#!/usr/bin/env bash
# Set up sipxl and run the QIO's main job on a synthetic sample authority, two sessions of it:
# install sipxl, write last session's and this session's sample workbooks (pseudonymous, some with deliberate
# mistakes, two schools' returns never arrive), consolidate last session, then this one beside it, and say
# where the dashboard, the schools' feedback and the validation report are.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install -q --disable-pip-version-check -e ".[dev]"
if command -v npm >/dev/null 2>&1; then  # for the tests: xlwings Server's Office.js client, and Pyodide, in Node
  npm ci --prefix tests/clients --no-audit --no-fund --loglevel=error
  npm ci --prefix tests/node --no-audit --no-fund --loglevel=error
fi
sipxl sample --out sample-2024-25 --schools 36 --session 2024/25
sipxl sample --out sample --schools 36
run() {  # exit 1 means "finished, some files need a school's attention": the outputs are written
  local status=0
  sipxl consolidate "$@" --config batch/authority.toml || status=$?
  if [ "$status" -gt 1 ]; then exit "$status"; fi
}
echo "== Last session (2024/25) =="
run sample-2024-25 --out out-2024-25 > /dev/null
echo
echo "== This session (2025/26), compared with last session =="
run sample --out out --previous out-2024-25
echo
echo "Dashboard:         $(pwd)/out/dashboard.xlsx (outcomes now and last session, school profile)"
echo "Feedback:          $(pwd)/out/feedback/ (one workbook per school to send; mail_merge.csv)"
echo "Validation report: $(pwd)/out/validation_report.xlsx (the sample's deliberate mistakes are listed there)"
echo "Tidy tables:       $(pwd)/out/tidy/"
echo "Answer key:        $(pwd)/sample_manifest.json"
