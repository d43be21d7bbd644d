#!/usr/bin/env bash
# Work limits (proofs/FORMAT.md §6, docs/limits.md): the largest claim file of every worst-case
# family that the limits admit must be checked by the release binary within 60 s and 2 GB of
# virtual memory (exit 0 or 1: verified or rejected, never a crash, a time-out or exit 2).
# The files are written by the ignored test `limits::write_worst_cases` (tests/suite/limits.rs).
set -euo pipefail
cd "$(dirname "$0")/.."
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
cargo build --release --quiet
DLNCHECK_LIMITS_DIR="$dir" cargo test --release --quiet --test suite limits::write_worst_cases \
  -- --ignored --exact >/dev/null
fail=0
for f in "$dir"/*.claim.toml; do
  name="$(basename "$f" .claim.toml)"
  start=$(date +%s.%N)
  set +e
  /usr/bin/env bash -c "ulimit -v 2000000; exec timeout 60 target/release/dlncheck check '$f'" \
    >"$dir/$name.out" 2>&1
  code=$?
  set -e
  secs=$(echo "$(date +%s.%N) - $start" | bc)
  # Peak resident memory of a second run, where GNU time exists (not part of the pass criterion).
  rss=""
  if [ -x /usr/bin/time ]; then
    rss="$( (/usr/bin/time -f '%M' target/release/dlncheck check "$f" 2>&1 >/dev/null || true) | tail -1) KB"
  fi
  printf '%-24s %7s bytes  exit %s  %6.2f s  %s\n' "$name" "$(stat -c %s "$f")" "$code" "$secs" "$rss"
  if [ "$code" -ne 0 ] && [ "$code" -ne 1 ]; then
    echo "  FAILED: $(tail -1 "$dir/$name.out")"
    fail=1
  fi
done
exit $fail
