#!/usr/bin/env bash
# Sets up StationDesk on this machine and starts it. Arguments go to stationdesk, e.g. --demo.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
# shellcheck disable=SC2086
ensure_system_packages $BASE_PACKAGES $GUI_PACKAGES
ensure_venv -e .
exec .venv/bin/stationdesk "$@"
