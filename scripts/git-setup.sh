#!/usr/bin/env bash
# Merge drivers for generated files: catalogs merge as a union of entries, compiled catalogs
# keep one side (`make catalogs` compiles them again from the merged .po files).
set -euo pipefail
cd "$(dirname "$0")/.."
git config merge.po-union.name "union of gettext catalogs"
git config merge.po-union.driver ".venv/bin/python scripts/merge_po.py %O %A %B"
git config merge.keep-ours.name "keep our side (regenerated afterwards)"
git config merge.keep-ours.driver "true"
