#!/usr/bin/env bash
# Checks Gonio's 837P claim files against the ASC X12 005010X222A1 map of an independent
# validator (pyx12): the files the core tests wrote into $GONIO_X12_OUT (a Medicare patient who
# is the subscriber; a child on a parent's commercial plan) and, when $BASE names a running
# demo server, the claim of its coded visit as the clinic's desk exports it.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${GONIO_X12_OUT:?set GONIO_X12_OUT to the folder the core tests wrote their files into}
if [ -n "${BASE:-}" ]; then
  python3 Tests/x12/export_demo.py "$BASE" "$out/demo-visit.x12"
fi
count=$(find "$out" -name '*.x12' | wc -l)
if [ "$count" -lt 2 ]; then
  echo "expected the core tests' 837P files in $out, found $count" >&2
  exit 1
fi
failed=0
for file in "$out"/*.x12; do
  # x12valid's exit status does not tell; its last line says "<file>: OK" or "<file>: Failure".
  report=$(python3 -m pyx12.scripts.x12valid "$file" 2>&1 || true)
  if printf '%s\n' "$report" | tail -n 1 | grep -q ': OK$'; then
    echo "valid 837P: $(basename "$file")"
  else
    printf '%s\n' "$report" >&2
    failed=1
  fi
done
exit $failed
