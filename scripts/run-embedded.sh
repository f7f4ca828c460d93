#!/usr/bin/env bash
# `make run`: migrate, load demo data into an empty database, then run the mail catcher,
# the job worker and the web server until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv
export FLASK_APP=wsgi.py
"$VENV/bin/flask" db upgrade
"$VENV/bin/flask" demo load --if-empty
# Personal data past its retention period goes before anything is served (the worker's hourly
# job keeps it so while this runs).
"$VENV/bin/flask" reports purge-due
mkdir -p instance/outbox
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM
# Outgoing mail lands in instance/outbox as .eml files (no real mail leaves this machine).
"$VENV/bin/python" -m confapp.devmail --port 8025 --directory instance/outbox &
pids+=($!)
"$VENV/bin/huey_consumer" confapp.worker.huey -w 2 -k thread -q &
pids+=($!)
"$VENV/bin/gunicorn" -c gunicorn.conf.py wsgi:app &
pids+=($!)
echo
echo "confapp is running on http://127.0.0.1:5000  (Ctrl-C stops it)"
echo "Emails are saved in instance/outbox/"
"$VENV/bin/flask" demo logins
wait -n "${pids[@]}"
