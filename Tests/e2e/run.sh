#!/usr/bin/env bash
# Gonio browser end-to-end suite: pytest + Selenium driving Debian's chromium/chromedriver,
# with axe-core accessibility checks. Installs nothing (see README.md for the one-time setup)
# and expects a running `gonio serve` at $BASE (default http://127.0.0.1:8080).
# Extra arguments go to pytest, e.g. `bash Tests/e2e/run.sh -k keyboard -x`.
set -euo pipefail
cd "$(dirname "$0")"
export BASE="${BASE:-http://127.0.0.1:8080}"
# Only the plugins this suite needs, whatever else is installed on the machine.
export PYTEST_DISABLE_PLUGIN_AUTOLOAD=1
echo "Gonio e2e suite against $BASE"
exec "${PYTHON:-python3}" -m pytest "$@"
