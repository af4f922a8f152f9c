#!/usr/bin/env bash
# Notify scripts see every transition, in order, one at a time, even when each one is slow
# (and the protocol does not wait for them); a hung one is killed at the notify timeout.
# The notify FIFO gets one line per transition.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
lab_init
chmod 755 "$LAB_DIR"
lab_host a 192.0.2.11/24
lab_host b 192.0.2.12/24
out="$LAB_DIR/notified"
touch "$out"
chmod 666 "$out"
mkfifo -m 600 "$LAB_DIR/fifo"
# Each notification takes 300 ms: a burst of transitions queues them up.
conf_a() {
    cat <<CONF
global = { notify_fifo = "$LAB_DIR/fifo"; };
instances = (
  { name = "web"; interface = "eth0"; vrid = 72; priority = 150; advert_interval = 0.1;
    addresses = ( "192.0.2.72/24" );
    notify = { any = "/bin/sh -c 'sleep 0.3; echo \$3 >> $out' notify";
               fault = "/bin/sh -c 'sleep 60' hang"; timeout = 1.0; }; }
);
CONF
}
# Held open read-write here, so the reader never sees end-of-file between vipd's lines.
exec 3<>"$LAB_DIR/fifo"
lab_bg sh -c "exec cat <&3 >'$LAB_DIR/fifo.txt'"
lab_vipd a "$(conf_a)"
lab_wait 2000 lab_has_vip a 192.0.2.72 || lab_fail "a should be master"
# MASTER -> BACKUP (b at 200) -> FAULT (cable) -> BACKUP -> MASTER (b stops)
lab_vipd b "$(lab_conf name=web vrid=72 priority=200 advert_interval=0.1 addresses='"192.0.2.72/24"')"
lab_wait 2000 lab_only_holder b 192.0.2.72 || lab_fail "b should take over"
lab_cut a
lab_wait 1000 grep -- '-> FAULT' "$LAB_DIR/a.log" >/dev/null || lab_fail "a not in FAULT"
lab_mend a
lab_wait 1000 grep -- 'FAULT -> BACKUP' "$LAB_DIR/a.log" >/dev/null || lab_fail "a not back to BACKUP"
lab_stop b
lab_wait 2000 lab_has_vip a 192.0.2.72 || lab_fail "a did not take over again"
# Six notifications so far, each at least 300 ms (the hung one 1 s): let them finish.
lab_wait 8000 bash -c "[ \$(wc -l <'$out') -ge 6 ]" || lab_fail "notifications stalled: $(cat "$out")"
lab_stop a  # STOP is notified too, before vipd exits
expected="BACKUP MASTER BACKUP FAULT BACKUP MASTER STOP"
got=$(tr '\n' ' ' <"$out" | sed 's/ $//')
[ "$got" = "$expected" ] || lab_fail "notifications out of order or missing: '$got' (want '$expected')"
grep 'notify /bin/sh: timed out' "$LAB_DIR/a.log" >/dev/null || lab_fail "the hung fault script was not timed out"
fifo_states=$(awk '{print $3}' "$LAB_DIR/fifo.txt" | tr '\n' ' ' | sed 's/ $//')
[ "$fifo_states" = "$expected" ] || lab_fail "notify FIFO lines: '$fifo_states'"
# keepalived's fields first: TYPE "NAME" STATE PRIORITY (what its FIFO readers split on),
# then vipd's: the previous state and the reason.
bad=$(grep -Ev '^INSTANCE "web" (MASTER|BACKUP|FAULT|STOP) [0-9]{1,3} [A-Z]+ ".*"$' "$LAB_DIR/fifo.txt" || true)
[ -z "$bad" ] || lab_fail "notify FIFO lines not in keepalived's order: $bad"
grep -E '^INSTANCE "web" MASTER 150 BACKUP "' "$LAB_DIR/fifo.txt" >/dev/null ||
    lab_fail "no 'INSTANCE \"web\" MASTER 150 BACKUP' line: $(cat "$LAB_DIR/fifo.txt")"
lab_log "PASS: $got"
