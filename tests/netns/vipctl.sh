#!/usr/bin/env bash
# vipctl against a live vipd: status shows who is master and why, stats counts and clears,
# metrics parse with the reference Prometheus parser (from vipctl and over HTTP), reload
# applies a valid file and refuses an invalid one with its FILE:LINE errors (exit 1,
# nothing changes), garbage on the control socket gets an error reply, and an unreachable
# vipd is exit 3. (handover, maintenance and set-priority: handover.sh.)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
VIPCTL=${VIPCTL:-$(dirname "$VIPD")/vipctl}
lab_init
lab_host a 192.0.2.11/24
conf() {
    echo 'global = { metrics_listen = "127.0.0.1:9650"; };'
    lab_conf name=web vrid=97 priority="$1" advert_interval=0.1 addresses='"192.0.2.97/24"'
}
lab_vipd a "$(conf 150)"
sock="$LAB_DIR/a.run/vipd.sock"
lab_wait 2000 lab_has_vip a 192.0.2.97 || lab_fail "a should be master"
[ "$(stat -c %a "$sock")" = 660 ] || lab_fail "control socket mode $(stat -c %a "$sock")"
[ "$("$VIPCTL" --socket "$sock" ping)" = pong ] || lab_fail "vipctl ping"
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

# stats: the table, then --clear returns the counts and resets them.
out=$("$VIPCTL" --socket "$sock" stats)
echo "$out"
echo "$out" | grep -E '^web +MASTER +[1-9][0-9]* +0 +0 +0 +2 +1' >/dev/null || lab_fail "stats row for web"
sleep 0.5
before=$("$VIPCTL" --socket "$sock" stats --clear --json |
    python3 -c 'import json,sys; r=json.load(sys.stdin)["result"]; assert r["cleared"]; print(r["totals"]["adverts_sent"])')
after=$("$VIPCTL" --socket "$sock" stats --json |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["result"]["totals"]["adverts_sent"])')
echo "adverts_sent before clear=$before after=$after"
[ "$before" -ge 5 ] && [ "$after" -lt "$before" ] || lab_fail "stats --clear did not reset the counters"

# metrics: vipctl's and the HTTP endpoint's text both parse with prometheus_client and
# carry the instance's state, priority and counters.
check_metrics() {
    # Debian's python3 (python3-prometheus-client), whatever else is first on PATH.
    /usr/bin/python3 -c '
import sys
from prometheus_client.parser import text_string_to_metric_families
fams = {f.name: f for f in text_string_to_metric_families(sys.stdin.read())}
need = ["vipd_info", "vipd_instance_state", "vipd_instance_priority", "vipd_instance_transitions",
        "vipd_instance_adverts_sent", "vipd_instance_drops", "vipd_socket_drops"]
missing = [n for n in need if n not in fams]
assert not missing, missing
state = {s.labels["state"]: s.value for s in fams["vipd_instance_state"].samples
         if s.labels["vrrp_instance"] == "web"}
assert state == {"INIT": 0, "BACKUP": 0, "MASTER": 1, "FAULT": 0}, state
assert fams["vipd_instance_adverts_sent"].type == "counter"
prio = [s.value for s in fams["vipd_instance_priority"].samples]
assert prio == [float(sys.argv[1])], prio
print(len(fams), "metric families parsed")' "$1"
}
"$VIPCTL" --socket "$sock" metrics | check_metrics 150 || lab_fail "vipctl metrics does not parse"
ip netns exec "$(lab_ns a)" curl -sf http://127.0.0.1:9650/metrics | check_metrics 150 ||
    lab_fail "HTTP metrics do not parse"
code=$(ip netns exec "$(lab_ns a)" curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:9650/other)
[ "$code" = 404 ] || lab_fail "GET /other answered $code, not 404"
code=$(ip netns exec "$(lab_ns a)" curl -s -o /dev/null -w '%{http_code}' -X POST http://127.0.0.1:9650/metrics)
[ "$code" = 405 ] || lab_fail "POST answered $code, not 405"
# A client that connects and says nothing is dropped at the deadline, and meanwhile
# others are served.
ip netns exec "$(lab_ns a)" python3 -c '
import socket, time
s = socket.create_connection(("127.0.0.1", 9650)); s.settimeout(10); t = time.monotonic()
assert s.recv(1) == b""; print(round(time.monotonic() - t, 1))' >"$LAB_DIR/idle.txt" &
idle=$!
ip netns exec "$(lab_ns a)" curl -sf -m 2 http://127.0.0.1:9650/metrics >/dev/null ||
    lab_fail "metrics not served while a client idles"

# Reload: a valid file applies (priority 150 -> 120), an invalid one is refused.
conf 120 >"$LAB_DIR/a.conf"
"$VIPCTL" --socket "$sock" reload | grep reloaded >/dev/null || lab_fail "valid reload not applied"
"$VIPCTL" --socket "$sock" status | grep -E 'MASTER +120 ' >/dev/null || lab_fail "new priority not shown"
ip netns exec "$(lab_ns a)" curl -sf http://127.0.0.1:9650/metrics | check_metrics 120 ||
    lab_fail "HTTP metrics after reload"
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
wait "$idle" || lab_fail "the idle HTTP client was not disconnected"
echo "idle HTTP client dropped after $(cat "$LAB_DIR/idle.txt") s"
python3 -c 'import sys; assert 4 <= float(sys.argv[1]) <= 7' "$(cat "$LAB_DIR/idle.txt")" ||
    lab_fail "idle HTTP client dropped after $(cat "$LAB_DIR/idle.txt") s, not at the 5 s deadline"
lab_stop a
[ ! -e "$sock" ] || lab_fail "control socket left behind"
lab_log "PASS"
