#!/usr/bin/env bash
# Runs a libFuzzer binary for a bounded time on a scratch corpus seeded from SEED_DIR.
# A crash, a sanitizer report or a leak makes libFuzzer exit non-zero: the test fails and the
# reproducer is left in the build directory's fuzz-artifacts/.
set -euo pipefail
fuzzer=$1 seeds=$2 seconds=$3
work=$(mktemp -d "${MESON_BUILD_ROOT:-.}/fuzz-corpus.XXXXXX")
trap 'rm -rf "$work"' EXIT
artifacts="${MESON_BUILD_ROOT:-.}/fuzz-artifacts"
mkdir -p "$artifacts"
find "$seeds" -maxdepth 1 -name '*.bin' -exec cp {} "$work/" \;
echo "seeds: $(ls "$work" | wc -l) files from $seeds; running ${seconds}s"
"$fuzzer" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$artifacts/" "$work"
