#!/usr/bin/env bash
# Handover and maintenance of a sync group: the whole group moves, without loss, and
# vipctl's reply covers every member; a second SIGTERM does not wait for a handover.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
VIPCTL=${VIPCTL:-$(dirname "$VIPD")/vipctl}
lab_init
lab_host a 192.0.2.11/24
lab_host b 192.0.2.12/24
lab_host client 192.0.2.100/24
group() {  # group PRIORITY [GLOBAL SETTINGS]
    cat <<CONF
global = { ${2:-} };
instances = (
  { name = "web"; interface = "eth0"; vrid = 82; priority = $1; advert_interval = 0.1;
    addresses = ( "192.0.2.82/24" ); },
  { name = "db"; interface = "eth0"; vrid = 83; priority = $1; advert_interval = 0.1;
    addresses = ( "192.0.2.83/24" ); }
);
sync_groups = ( { name = "pair"; instances = ( "web", "db" ); } );
CONF
}
ctl() {
    local h=$1
    shift
    "$VIPCTL" --socket "$LAB_DIR/$h.run/vipd.sock" "$@"
}
both_on() { lab_only_holder "$1" 192.0.2.82 && lab_only_holder "$1" 192.0.2.83; }

lab_vipd a "$(group 200)"
lab_vipd b "$(group 100)"
lab_wait 3000 both_on a || lab_fail "a should hold both VIPs"
lab_wait 2000 lab_ping client 192.0.2.83 || lab_fail "db unreachable"
sleep 0.3

# Handing over one member moves the group; the reply lists both.
lab_fast_probe_start client 192.0.2.83 1000  # db's VIP: it moves because web was named
sleep 0.3
out=$(ctl a handover web) || lab_fail "group handover refused: $out"
echo "$out"
echo "$out" | grep -E '^web: handed over to 192\.0\.2\.12' >/dev/null || lab_fail "reply: web"
echo "$out" | grep -E '^db: handed over to 192\.0\.2\.12' >/dev/null || lab_fail "reply: db"
lab_fast_probe_wait
[ "$LAB_LOST" -eq 0 ] || lab_fail "db lost $LAB_LOST probes in the group handover"
lab_wait 1000 both_on b || lab_fail "both VIPs should be on b"
sleep 0.5
both_on b || lab_fail "a took the group back after handing it over"

# Maintenance of one member on b takes the group back to a.
out=$(ctl b maintenance db on) || lab_fail "group maintenance refused: $out"
echo "$out"
lab_wait 1000 both_on a || lab_fail "maintenance on b should move both VIPs to a"
in_maintenance() {  # in_maintenance HOST COUNT: COUNT of HOST's instances are in maintenance
    [ "$(ctl "$1" status --json | python3 -c '
import json, sys
print(sum(i["maintenance"] for i in json.load(sys.stdin)["result"]["instances"]))')" = "$2" ]
}
in_maintenance b 2 || lab_fail "both members of b's group should be in maintenance"
ctl b maintenance web off >/dev/null
lab_wait 2000 in_maintenance b 0 || lab_fail "maintenance off should end it for the group"

# A second TERM stops at once: with b gone, a's handover would wait 300 ms.
lab_stop b
both_on a || lab_fail "a should hold both VIPs"
t0=$(lab_now_ms)
lab_signal a TERM
sleep 0.05
lab_signal a TERM
lab_stop a
t1=$(lab_now_ms)
echo "second TERM: stopped $((t1 - t0)) ms after the first"
[ $((t1 - t0)) -lt 280 ] || lab_fail "the second TERM did not cut the handover short"
grep 'TERM again: stopping without waiting' "$LAB_DIR/a.log" >/dev/null ||
    lab_fail "a's log does not show the second TERM"
lab_log "PASS"
