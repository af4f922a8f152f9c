#!/usr/bin/env bash
# Every man page renders with man -l and without groff/man warnings.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
status=0
for page in "$ROOT"/man/*.[1-8]; do
    warnings=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
    text=$(MANWIDTH=80 man -l "$page" 2>/dev/null)
    if [ -n "$warnings" ] || [ -z "$text" ]; then
        echo "FAIL: $(basename "$page"): ${warnings:-renders empty}"
        status=1
    else
        echo "ok: $(basename "$page") ($(echo "$text" | wc -l) lines)"
    fi
done
exit $status
