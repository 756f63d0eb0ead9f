#!/bin/sh
# Consolidate the returned workbooks (settings in batch/authority.toml).
cd "$(dirname "$0")/.." && exec python batch/consolidate.py "$@"
