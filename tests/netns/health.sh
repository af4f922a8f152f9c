#!/usr/bin/env bash
# Health checks move the VIP: a failing script (as user nobody) lowers the master below the
# backup within fall x interval + Master_Down_Interval; when it passes again (rise) the VIP
# comes back. A hung script is killed at its timeout, never runs twice at once, and counts
# as failed. A tracked file's value x weight moves the priority too.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
lab_init
chmod 755 "$LAB_DIR"  # the scripts run as nobody
lab_host a 192.0.2.11/24
lab_host b 192.0.2.12/24
lab_host client 192.0.2.100/24
flag="$LAB_DIR/a-down"
conf_a() {
    cat <<CONF
global = { script_user = "nobody"; };
scripts = (
  { name = "check"; command = "/bin/sh -c 'test ! -e $flag'"; interval = 0.1; timeout = 0.5;
    rise = 2; fall = 2; weight = -150; },
  { name = "hung"; command = "/bin/sh -c 'exec sleep 30'"; interval = 0.1; timeout = 0.3;
    weight = -1; }
);
instances = (
  { name = "web"; interface = "eth0"; vrid = 70; priority = 200; advert_interval = 0.1;
    addresses = ( "192.0.2.70/24" ); track_scripts = ( "check", "hung" );
    track_files = ( { path = "$LAB_DIR/weight"; weight = -10; } ); }
);
CONF
}
lab_vipd a "$(conf_a)"
lab_vipd b "$(lab_conf name=web vrid=70 priority=100 advert_interval=0.1 addresses='"192.0.2.70/24"')"
lab_wait 3000 lab_only_holder a 192.0.2.70 || lab_fail "a should be master"
lab_wait 1000 lab_ping client 192.0.2.70 || lab_fail "VIP unreachable"

# 1. The check starts failing: 2 failures 100 ms apart, then a advertises 50 < 100 and b
# preempts after its Master_Down_Interval (361 ms) at most: 0.2 + 0.361 s plus margin.
budget=$((2 * 100 + 361 + ${FAILOVER_MARGIN_MS:-250}))
t0=$(lab_now_ms)
touch "$flag"
lab_wait "$budget" lab_only_holder b 192.0.2.70 ||
    lab_fail "b did not take over within ${budget} ms of the check failing"
t1=$(lab_now_ms)
lab_wait 1000 lab_ping client 192.0.2.70 || lab_fail "VIP unreachable on b"
t2=$(lab_now_ms)
grep 'script check is now DOWN' "$LAB_DIR/a.log" >/dev/null || lab_fail "no DOWN log for the check"
echo "health_failover_ms=$((t1 - t0)) answering_ms=$((t2 - t0)) budget_ms=$budget"

# 2. It passes again: after rise (2) runs a is back at 200 and preempts.
rm -f "$flag"
lab_wait 2000 lab_only_holder a 192.0.2.70 || lab_fail "a did not come back after the check recovered"

# 3. The hung script: killed at 0.3 s each time, never two at once, counted as timeouts.
n=$(ip netns pids "$(lab_ns a)" | xargs -r ps -o args= -p | grep -c '^sleep 30' || true)
[ "$n" -le 1 ] || lab_fail "$n copies of the hung script are running"
lab_signal a USR1
lab_wait 1000 test -s "$LAB_DIR/a.run/snapshot.json" || lab_fail "no snapshot"
python3 - "$LAB_DIR/a.run/snapshot.json" <<'PY' || lab_fail "hung script not counted as timed out"
import json, sys
s = {x["name"]: x for x in json.load(open(sys.argv[1]))["scripts"]}
h = s["hung"]
assert h["state"] == "DOWN" and h["timeouts"] >= 2 and h["timeouts"] == h["failures"], h
assert "timed out" in h["last_result"], h
assert s["check"]["state"] == "UP", s["check"]
PY

# 4. Tracked file: 12 x -10 takes a (200 - 1 for hung) down to 79 < 100: b preempts.
echo 12 >"$LAB_DIR/weight.tmp" && mv "$LAB_DIR/weight.tmp" "$LAB_DIR/weight"
lab_wait 2000 lab_only_holder b 192.0.2.70 || lab_fail "tracked file did not move the VIP"
grep -E 'priority 199 -> 79 \(trackers\)' "$LAB_DIR/a.log" >/dev/null || lab_fail "no priority log for the file"
rm -f "$LAB_DIR/weight"
lab_wait 2000 lab_only_holder a 192.0.2.70 || lab_fail "a did not return when the file went away"
lab_log "PASS"
