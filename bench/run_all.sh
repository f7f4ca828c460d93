#!/usr/bin/env bash
# `make bench`: run every benchmark script in bench/ (baseline first); figures go to docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
"$PY" bench/baseline.py
for script in bench/*.py; do
  case "$script" in bench/baseline.py|bench/_*) continue ;; esac
  echo "== $script"
  "$PY" "$script"
done
