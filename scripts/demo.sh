#!/usr/bin/env bash
# The demo: a fresh data folder, the Jambi sub-district heads' visit imported and shown.
set -euo pipefail
cd "$(dirname "$0")/.."
export ACARA_DATA_DIR="${ACARA_DATA_DIR:-data/demo}"
export PREFECT_HOME="${PREFECT_HOME:-$PWD/$ACARA_DATA_DIR/prefect}"
export PREFECT_SERVER_ANALYTICS_ENABLED=false
rm -rf "$ACARA_DATA_DIR"
acara() { .venv/bin/acara "$@"; }

acara db upgrade
acara event import examples/kunjungan-camat-jambi.yaml
acara event show kunker-camat-jambi-2026
