#!/bin/sh
# Consolidate the returned workbooks (settings in batch/authority.toml). macOS and Linux: sh batch/consolidate.sh
cd "$(dirname "$0")/.." || exit 2
if command -v python3 >/dev/null 2>&1; then exec python3 batch/consolidate.py "$@"; fi
exec python batch/consolidate.py "$@"
