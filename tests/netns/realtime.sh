#!/usr/bin/env bash
# Realtime as the packaged unit asks for it (etc/vipd.service.in: --realtime-priority 10
# --lock-memory): vipd goes SCHED_RR 10 with reset-on-fork once its configuration is read,
# its script launcher stays an ordinary process, its memory is locked; realtime_priority
# and lock_memory in vipd.conf win over both (on reload too). A vipd started SCHED_RR with
# reset-on-fork and without CAP_SYS_NICE can still go back to ordinary scheduling, and one
# that may not go realtime at all says so and runs on.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
lab_init
lab_host a 192.0.2.11/24
lab_host b 192.0.2.12/24
conf() { lab_conf name=web vrid=97 priority="$1" advert_interval=0.1 addresses='"192.0.2.97/24"'; }
lab_vipd a "$(conf 150)" --realtime-priority 10 --lock-memory
lab_wait 3000 lab_has_vip a 192.0.2.97 || lab_fail "a should be master"
pid=${LAB_PIDS[a]}
policy() { chrt -p "$1" | head -1 | sed 's/.*: //'; }
locked() { awk '/^VmLck:/ { print $2 }' "/proc/$1/status"; }
[ "$(policy "$pid")" = "SCHED_RR|SCHED_RESET_ON_FORK" ] || lab_fail "vipd is $(policy "$pid")"
chrt -p "$pid" | grep -E 'priority: 10$' >/dev/null || lab_fail "not priority 10: $(chrt -p "$pid")"
launcher=$(pgrep -P "$pid" -x vipd-launcher)
[ -n "$launcher" ] || lab_fail "no script launcher under $pid"
[ "$(policy "$launcher")" = SCHED_OTHER ] || lab_fail "the launcher is $(policy "$launcher")"
lab_log_count_at_least a 'info memory locked \(mlockall\)' 1 || lab_fail "--lock-memory locked nothing"
# (ASan makes mlockall a no-op, so VmLck shows the lock only without it.)
if ! grep -q __asan_init "$VIPD"; then
    [ "$(locked "$pid")" -gt 0 ] || lab_fail "--lock-memory: VmLck is 0"
    [ "$(locked "$launcher")" = 0 ] || lab_fail "the launcher's memory is locked too"
fi

# The configuration wins over the command line's defaults.
conf 150 | sed '1i global = { realtime_priority = 0; lock_memory = false; };' >"$LAB_DIR/a.conf"
lab_ctl a reload >/dev/null
[ "$(policy "$pid")" = "SCHED_OTHER|SCHED_RESET_ON_FORK" ] ||
    lab_fail "realtime_priority = 0 left $(policy "$pid")"
[ "$(locked "$pid")" = 0 ] || lab_fail "lock_memory = false left $(locked "$pid") kB locked"
# Unset again: the command line's value.
conf 150 >"$LAB_DIR/a.conf"
lab_ctl a reload >/dev/null
[ "$(policy "$pid")" = "SCHED_RR|SCHED_RESET_ON_FORK" ] ||
    lab_fail "unset realtime_priority did not go back to --realtime-priority: $(policy "$pid")"

# b: started SCHED_RR with reset-on-fork and no CAP_SYS_NICE (as chrt or a unit's
# CPUScheduling* would): realtime_priority = 0 must still make it ordinary.
VIPD_REAL=$VIPD
VIPD=$LAB_DIR/rr-no-nice
printf '#!/bin/sh\nexec chrt --rr --reset-on-fork 10 setpriv --bounding-set -sys_nice %s "$@"\n' \
    "$VIPD_REAL" >"$VIPD"
chmod +x "$VIPD"
lab_vipd b "global = { realtime_priority = 0; };
$(conf 100)"
lab_wait 3000 lab_log_count_at_least b 'vipd started' 1 || lab_fail "b did not start"
bpid=${LAB_PIDS[b]}
[ "$(policy "$bpid")" = "SCHED_OTHER|SCHED_RESET_ON_FORK" ] ||
    lab_fail "without CAP_SYS_NICE realtime_priority = 0 left $(policy "$bpid"): $(grep realtime "$LAB_DIR/b.log")"
lab_stop b
# And one that may not go realtime says so, and runs on.
printf '#!/bin/sh\nexec setpriv --bounding-set -sys_nice %s "$@"\n' "$VIPD_REAL" >"$VIPD"
lab_vipd b "$(conf 100)" --realtime-priority 10
lab_wait 3000 lab_log_count_at_least b 'error realtime_priority 10: Operation not permitted' 1 ||
    lab_fail "no error for a realtime priority it may not have: $(tail -5 "$LAB_DIR/b.log")"
lab_wait 2000 lab_log_count_at_least b 'BACKUP' 1 || lab_fail "b did not run on"
VIPD=$VIPD_REAL
lab_has_vip a 192.0.2.97 || lab_fail "a lost the VIP"
lab_log "PASS"
