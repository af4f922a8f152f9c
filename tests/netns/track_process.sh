#!/usr/bin/env bash
# track_processes (keepalived's vrrp_track_process): the master tracks a process (weight 0:
# FAULT while it is not running). Killed, the backup takes the VIP at once (a pidfd reports
# the exit); started again, the master takes the VIP back (the next /proc scan finds it).
# In a network namespace the kernel refuses process events, and the log says what is used.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
lab_init
lab_host a 192.0.2.11/24
lab_host b 192.0.2.12/24
# The lab's own process: its command line starts with a name no other process has.
marker="vipd-lab-svc-$$"
svc_start() {
    lab_bg bash -c "exec -a $marker sleep 100000"
    svc=${LAB_BG_PIDS[-1]}
}
conf() {  # conf PRIORITY EXTRA
    cat <<CONF
processes = ( { name = "svc"; process = "$marker"; full_command = true; } );
instances = ( {
    name = "web"; interface = "eth0"; vrid = 72; priority = $1; advert_interval = 0.1;
    addresses = ( "192.0.2.72/24" ); $2
} );
CONF
}
svc_start
lab_vipd a "$(conf 200 'track_processes = ( "svc" );')"
lab_vipd b "$(conf 100 '')"
lab_wait 3000 lab_only_holder a 192.0.2.72 || lab_fail "a should be master while svc runs"
lab_wait 1000 lab_log_count_at_least a 'tracked process svc: 1 running, up' 1 ||
    lab_fail "a did not find the running svc: $(grep 'tracked process' "$LAB_DIR/a.log")"
grep -q 'tracked processes: no process events here .*; scanning /proc' "$LAB_DIR/a.log" ||
    lab_fail "a did not say that process events are refused in a network namespace"
grep -q 'tracked processes: pidfd exits, /proc scan every 1000 ms' "$LAB_DIR/a.log" ||
    lab_fail "a did not say which source it uses"
lab_ctl a status | grep '^process svc: 1 running, up (pidfd exits, /proc scan every 1000 ms)$' >/dev/null ||
    lab_fail "vipctl status does not show svc: $(lab_ctl a status)"
# b tracks nothing: it starts no source at all.
[ "$(lab_log_count b 'tracked processes:')" = 0 ] || lab_fail "b watches processes for nothing"

t0=$(lab_now_ms)
kill -9 "$svc"
lab_wait 1500 lab_only_holder b 192.0.2.72 || lab_fail "b did not take over when svc died"
echo "takeover_ms=$(($(lab_now_ms) - t0))"
lab_log_count_at_least a 'tracked process svc: 0 running: down' 1 || lab_fail "a did not log svc down"
grep -q 'MASTER -> FAULT (fault: tracker failed)' "$LAB_DIR/a.log" || lab_fail "a not in FAULT"

svc_start
lab_wait 4000 lab_only_holder a 192.0.2.72 || lab_fail "a did not take the VIP back when svc returned"
lab_log_count_at_least a 'tracked process svc: 1 running: up' 1 || lab_fail "a did not log svc up"
# A second one running is not a change for quorum 1.
svc_start
two() { lab_ctl a status | grep '^process svc: 2 running, up' >/dev/null; }
lab_wait 3000 two || lab_fail "a did not count the second svc: $(lab_ctl a status)"
[ "$(lab_log_count a 'tracked process svc: [0-9]+ running: ')" = 2 ] ||
    lab_fail "a logged a change for a second svc: $(grep 'tracked process svc' "$LAB_DIR/a.log")"
lab_log "PASS"
