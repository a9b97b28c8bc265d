#!/usr/bin/env bash
# Runs every fuzz target for N seconds (default 60) on the stable toolchain:
#
#   fuzz/run-all.sh [SECONDS]
#
# Each target starts from its committed seeds (fuzz/seeds/<target>/) and
# keeps what it finds in the ignored fuzz/corpus/<target>/ (libFuzzer writes
# new inputs into the first corpus directory, so the seeds stay as
# committed). Debug assertions and overflow checks are on (-a).
#
# Exits non-zero if any target crashed (panic, failed assertion), ran out of
# memory (-rss_limit_mb), or hung (-timeout); crash inputs are left in
# fuzz/artifacts/<target>/. Every target runs even after a failure.
#
# SANITIZER=address (nightly only) adds AddressSanitizer and its leak check;
# the default, none, works on stable.
set -uo pipefail

seconds="${1:-60}"
sanitizer="${SANITIZER:-none}"
cd "$(dirname "$0")"

targets=$(cargo fuzz list) || exit 1
failed=()
for target in $targets; do
    mkdir -p "corpus/$target"
    echo "== $target: ${seconds}s, sanitizer $sanitizer"
    if ! cargo fuzz run -s "$sanitizer" -a "$target" "corpus/$target" "seeds/$target" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1; then
        failed+=("$target")
    fi
done

if ((${#failed[@]})); then
    echo "fuzz: FAILED: ${failed[*]} (inputs in fuzz/artifacts/)" >&2
    exit 1
fi
echo "fuzz: all targets ran ${seconds}s without a crash, OOM or timeout"
