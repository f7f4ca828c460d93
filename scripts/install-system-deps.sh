#!/usr/bin/env bash
# Debian packages the tests need: Chromium for browser tests, PostgreSQL and Redis servers, nginx as
# the load balancer of the multi-host tests (tests/multihost),
# Pango and broad-coverage fonts for WeasyPrint PDFs, poppler-utils for checking PDFs, faketime for
# running the suite with the clock moved ahead (`make test-shifted`).
# Installs only what is missing, so a second run costs nothing.
#   scripts/install-system-deps.sh        everything `make test` needs
#   scripts/install-system-deps.sh run    only what `make run` needs (venv support, PDF libraries, fonts
#                                         for non-Latin names on certificates)
set -euo pipefail
if ! command -v dpkg-query >/dev/null; then
  echo "Not a Debian-based system: install the equivalents of these packages yourself." >&2
  exit 0
fi
# Noto covers Latin, Arabic, Devanagari and more; WenQuanYi Micro Hei covers Chinese, Japanese, Korean (badges).
packages=(python3-venv libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-noto-core fonts-wqy-microhei)
if [ "${1:-test}" != "run" ]; then
  packages+=(chromium postgresql redis-server nginx poppler-utils faketime)
fi
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "Installing system packages: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
