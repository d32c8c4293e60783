#!/usr/bin/env bash
# Runs the whole test suite on a loaded machine, N times in a row (default 3):
#   - two CPU-bound processes per core, for the whole session;
#   - a second copy of the suite started beside each run (its own embedded PostgreSQL, ports and
#     temporary folders), so two suites compete for the cores, the disk and the loopback.
# Prints passes, failures and time of each run (and of its companion copy); exits non-zero when
# any test of either copy failed.
# Usage: scripts/stress-tests.sh [runs] [test files…]   (npm run test:stress; files: all of test/)
set -u

runs="${1:-3}"
shift $(($# > 0 ? 1 : 0))
files=("$@")
case "$runs" in '' | *[!0-9]* | 0) echo "usage: $0 [runs] [test files…]  (runs: a positive whole number)" >&2; exit 2 ;; esac
root="$(cd "$(dirname "$0")/.." && pwd)"
# The browser tests need Debian's Chromium (CI installs it in .ci/run): without it every browser
# test fails at launch, after 40 minutes of loaded run — refuse before starting instead.
chromium_path="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -f "$root/test/web/.needs-chromium" ] && [ ! -x "$chromium_path" ]; then
  echo "Chromium not found at $chromium_path: the browser tests (test/web) need it." >&2
  echo "Install it (apt-get install -y chromium) or set CHROMIUM_PATH, then run again." >&2
  exit 2
fi
cores="$(nproc)"
logs="$(mktemp -d "${TMPDIR:-/tmp}/c2a-stress-XXXXXX")"
burners=()

stop_burners() {
  for pid in "${burners[@]}"; do kill "$pid" 2>/dev/null; done
  wait "${burners[@]}" 2>/dev/null
  burners=()
}
trap 'stop_burners' EXIT
trap 'stop_burners; exit 130' INT TERM

for _ in $(seq 1 $((2 * cores))); do
  sh -c 'while :; do :; done' &
  burners+=("$!")
done

# "N passed, M failed" from a run's log (the runner's last summary line), or "no summary" when
# the run ended without one (a crash, a hang killed): counted as a failure.
summary() {
  local s
  s="$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)"
  echo "${s:-no summary}"
}
failed_of() {
  local s
  s="$(summary "$1")"
  if [ "$s" = 'no summary' ]; then echo 1; else echo "$s" | sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/'; fi
}

echo "Stress: $runs run(s) of ${files[*]:-the whole suite} on $(hostname) ($cores cores, $(uname -sr)), $(date -u +%FT%TZ)"
echo "Load: $((2 * cores)) CPU-bound processes + a second copy of the suite beside each run; logs in $logs"
total_failures=0
for i in $(seq 1 "$runs"); do
  cd "$root" || exit 1
  companion_start=$(date +%s)
  node scripts/run-tests.mjs "${files[@]}" >"$logs/run-$i-companion.log" 2>&1 &
  companion=$!
  start=$(date +%s)
  node scripts/run-tests.mjs "${files[@]}" >"$logs/run-$i.log" 2>&1
  code=$?
  took=$(($(date +%s) - start))
  wait "$companion"
  companion_code=$?
  companion_took=$(($(date +%s) - companion_start))
  main_failed=$(failed_of "$logs/run-$i.log")
  companion_failed=$(failed_of "$logs/run-$i-companion.log")
  [ "$code" -ne 0 ] && [ "$main_failed" -eq 0 ] && main_failed=1
  [ "$companion_code" -ne 0 ] && [ "$companion_failed" -eq 0 ] && companion_failed=1
  printf 'run %d: %s in %d s (exit %d); companion copy: %s in %d s (exit %d); load %s\n' \
    "$i" "$(summary "$logs/run-$i.log")" "$took" "$code" \
    "$(summary "$logs/run-$i-companion.log")" "$companion_took" \
    "$companion_code" "$(cut -d' ' -f1-3 /proc/loadavg)"
  for f in "$logs/run-$i.log" "$logs/run-$i-companion.log"; do
    grep -E '^\s*✖ ' "$f" | sort -u | sed "s|^|  failed in $(basename "$f"): |"
  done
  total_failures=$((total_failures + main_failed + companion_failed))
done

if [ "$total_failures" -gt 0 ]; then
  echo "Stress: FAILED ($total_failures failing test(s) or runs over $runs run(s)); logs in $logs"
  exit 1
fi
echo "Stress: $runs loaded run(s), 0 failures; logs in $logs"
