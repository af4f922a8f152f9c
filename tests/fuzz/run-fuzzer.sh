#!/usr/bin/env bash
# Runs a libFuzzer binary for a bounded time on a scratch corpus seeded from SEED_DIR (the
# files matching PATTERN, default *.bin): run-fuzzer.sh FUZZER SEED_DIR SECONDS [PATTERN].
# Any finding (a crash, an abort of the target's own oracle, a sanitizer report, a leak, a
# timeout or running out of memory) fails the test with exit status 1 and leaves the
# reproducer in the build directory's fuzz-artifacts/. (libFuzzer's own exit status for a
# finding is 77 by default, which meson would count as a skip: never pass it through.)
set -uo pipefail
fuzzer=$1 seeds=$2 seconds=$3 pattern=${4:-*.bin}
work=$(mktemp -d "${MESON_BUILD_ROOT:-.}/fuzz-corpus.XXXXXX")
trap 'rm -rf "$work"' EXIT
artifacts="${MESON_BUILD_ROOT:-.}/fuzz-artifacts"
mkdir -p "$artifacts"
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$(dirname "$0")/lsan.supp"
find "$seeds" -maxdepth 1 -name "$pattern" -exec cp {} "$work/" \;
echo "seeds: $(ls "$work" | wc -l) files from $seeds; running ${seconds}s"
"$fuzzer" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -print_final_stats=1 \
    -error_exitcode=1 -timeout_exitcode=1 -artifact_prefix="$artifacts/" "$work"
rc=$?
if [ "$rc" -ne 0 ]; then
    echo "FAIL: $(basename "$fuzzer") exited $rc: a finding; reproducer(s) in $artifacts/:"
    ls -t "$artifacts" | head -5
    exit 1
fi
