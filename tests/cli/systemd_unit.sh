#!/usr/bin/env bash
# etc/vipd.service passes systemd-analyze verify with no message at all (an unknown or
# misspelt key is only a warning there, so any output fails this test), pointing at the
# binaries just built.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
command -v systemd-analyze >/dev/null || { echo "systemd-analyze missing (scripts/bootstrap)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed "s|/usr/sbin/|$(dirname "$VIPD")/|g" "$src/etc/vipd.service" >"$tmp/vipd.service"
out=$(systemd-analyze verify --man=no "$tmp/vipd.service" 2>&1) || { echo "$out"; exit 1; }
if [ -n "$out" ]; then
    echo "systemd-analyze verify complained:"
    echo "$out"
    exit 1
fi
grep -E '^Type=notify$' "$tmp/vipd.service" >/dev/null || { echo "not Type=notify"; exit 1; }
echo "vipd.service verified"
