#!/usr/bin/env bash
# vipctl against a live vipd: status shows who is master and why, reload applies a valid
# file and refuses an invalid one with its FILE:LINE errors (exit 1, nothing changes),
# garbage on the control socket gets an error reply, and an unreachable vipd is exit 3.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
VIPCTL=${VIPCTL:-$(dirname "$VIPD")/vipctl}
lab_init
lab_host a 192.0.2.11/24
conf() { lab_conf name=web vrid=97 priority="$1" advert_interval=0.1 addresses='"192.0.2.97/24"'; }
lab_vipd a "$(conf 150)"
sock="$LAB_DIR/a.run/vipd.sock"
lab_wait 2000 lab_has_vip a 192.0.2.97 || lab_fail "a should be master"
[ "$(stat -c %a "$sock")" = 660 ] || lab_fail "control socket mode $(stat -c %a "$sock")"
out=$("$VIPCTL" --socket "$sock" status)
echo "$out"
echo "$out" | grep -E '^web +eth0 +97 +ipv4 +MASTER +150 +192\.0\.2\.11 +192\.0\.2\.97/24 ' >/dev/null ||
    lab_fail "status does not show web as MASTER"
"$VIPCTL" --socket "$sock" status --json | python3 -c '
import json, sys
r = json.load(sys.stdin)
assert r["ok"] and r["result"]["instances"][0]["state"] == "MASTER", r' || lab_fail "status --json"

out=$("$VIPCTL" --socket "$sock" show web)
echo "$out"
echo "$out" | grep -E '^state: +MASTER$' >/dev/null || lab_fail "show: no state line"
echo "$out" | grep -E '^  adverts_sent: +[1-9]' >/dev/null || lab_fail "show: no adverts_sent counter"
echo "$out" | grep -E '^  bad_ttl: +0$' >/dev/null || lab_fail "show: no per-reason drops"
set +e
"$VIPCTL" --socket "$sock" show nosuch 2>/dev/null
[ $? -eq 1 ] || lab_fail "show of an unknown instance must exit 1"
set -e

# Reload: a valid file applies (priority 150 -> 120), an invalid one is refused.
conf 120 >"$LAB_DIR/a.conf"
"$VIPCTL" --socket "$sock" reload | grep reloaded >/dev/null || lab_fail "valid reload not applied"
"$VIPCTL" --socket "$sock" status | grep -E 'MASTER +120 ' >/dev/null || lab_fail "new priority not shown"
echo 'instances = ( { name = "web"; vrid = 0; } );' >"$LAB_DIR/a.conf"
set +e
err=$("$VIPCTL" --socket "$sock" reload 2>&1)
rc=$?
set -e
echo "$err"
[ "$rc" -eq 1 ] || lab_fail "refused reload exited $rc, not 1"
echo "$err" | grep -E "a\.conf:1: .*vrid" >/dev/null || lab_fail "refused reload does not show FILE:LINE"
lab_has_vip a 192.0.2.97 || lab_fail "refused reload changed something"

# Garbage and oversize requests: error replies, the daemon carries on.
reply=$(printf 'not json\n' | ip netns exec "$(lab_ns a)" python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(b"not json\n" + b"x" * 70000 + b"\n"); print(s.recv(4096).decode(), end="")' "$sock")
echo "$reply" | grep '"ok":false' >/dev/null || lab_fail "no error reply to garbage: $reply"
lab_running a || lab_fail "vipd died on garbage"
"$VIPCTL" --socket "$sock" status >/dev/null || lab_fail "status fails after garbage"

set +e
"$VIPCTL" --socket "$LAB_DIR/nowhere.sock" status 2>/dev/null
rc=$?
"$VIPCTL" --socket "$sock" frobnicate 2>/dev/null
rc2=$?
set -e
[ "$rc" -eq 3 ] || lab_fail "unreachable vipd exited $rc, not 3"
[ "$rc2" -eq 2 ] || lab_fail "unknown command exited $rc2, not 2"
lab_stop a
[ ! -e "$sock" ] || lab_fail "control socket left behind"
lab_log "PASS"
