#!/usr/bin/env bash
# The unit meson made from etc/vipd.service.in passes systemd-analyze verify with no message
# at all (an unknown or misspelt key is only a warning there, so any output fails this
# test), pointing at the binaries just built; no placeholder is left in it.
set -euo pipefail
command -v systemd-analyze >/dev/null || { echo "systemd-analyze missing (scripts/bootstrap)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
grep -E '@[A-Z_]+@' "$UNIT" && { echo "a placeholder is left in $UNIT"; exit 1; }
grep -E "^ExecStart=$SBINDIR/vipd -f " "$UNIT" >/dev/null || { echo "ExecStart is not $SBINDIR/vipd"; exit 1; }
sed "s|$SBINDIR/|$(dirname "$VIPD")/|g" "$UNIT" >"$tmp/vipd.service"
out=$(systemd-analyze verify --man=no "$tmp/vipd.service" 2>&1) || { echo "$out"; exit 1; }
if [ -n "$out" ]; then
    echo "systemd-analyze verify complained:"
    echo "$out"
    exit 1
fi
grep -E '^Type=notify$' "$tmp/vipd.service" >/dev/null || { echo "not Type=notify"; exit 1; }
# Realtime by default, and bounded (tests/netns/realtime.sh starts vipd the same way).
# vipd goes realtime itself, after reading its configuration (LimitRTPRIO allows it), so
# nothing of systemd's scheduling may start it realtime (or fail the unit without it).
for line in 'LimitRTPRIO=10' 'LimitRTTIME=[0-9]+m?s' 'LimitMEMLOCK=[0-9]+M' \
    'ExecStart=.* --realtime-priority 10 --lock-memory '; do
    grep -Ex "$line.*" "$tmp/vipd.service" >/dev/null || { echo "no $line in the unit"; exit 1; }
done
grep -E '^CPUScheduling' "$tmp/vipd.service" && { echo "CPUScheduling*: vipd sets that itself"; exit 1; }
grep -E '^CapabilityBoundingSet=.*CAP_IPC_LOCK' "$tmp/vipd.service" &&
    { echo "CAP_IPC_LOCK would lift LimitMEMLOCK"; exit 1; }
echo "vipd.service verified"
