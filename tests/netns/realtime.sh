#!/usr/bin/env bash
# vipd started as the packaged unit starts it (etc/vipd.service.in: SCHED_RR 10 with
# reset-on-fork, --lock-memory): it keeps that scheduling when vipd.conf says nothing, its
# script launcher runs as an ordinary process, its memory is locked; realtime_priority = 0
# and lock_memory = false in vipd.conf (on reload) win over both, and a reload that unsets
# realtime_priority leaves the scheduling as it is.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
lab_init
lab_host a 192.0.2.11/24
unit="$LAB_DIR/as-unit"
printf '#!/bin/sh\nexec chrt --rr --reset-on-fork 10 "$0.vipd" "$@" --lock-memory\n' >"$unit"
ln -s "$VIPD" "$unit.vipd"
chmod +x "$unit"
conf() { lab_conf name=web vrid=97 priority=150 advert_interval=0.1 addresses='"192.0.2.97/24"'; }
VIPD=$unit lab_vipd a "$(conf)"
lab_wait 3000 lab_has_vip a 192.0.2.97 || lab_fail "a should be master"
pid=${LAB_PIDS[a]}
policy() { chrt -p "$1" | head -1 | sed 's/.*: //'; }
locked() { awk '/^VmLck:/ { print $2 }' "/proc/$1/status"; }
[ "$(policy "$pid")" = "SCHED_RR|SCHED_RESET_ON_FORK" ] ||
    lab_fail "vipd did not keep the unit's scheduling: $(policy "$pid")"
chrt -p "$pid" | grep -E 'priority: 10$' >/dev/null || lab_fail "not priority 10: $(chrt -p "$pid")"
launcher=$(pgrep -P "$pid" -x vipd-launcher)
[ -n "$launcher" ] || lab_fail "no script launcher under $pid"
[ "$(policy "$launcher")" = SCHED_OTHER ] || lab_fail "the launcher is $(policy "$launcher")"
lab_log_count_at_least a 'info memory locked \(mlockall\)' 1 || lab_fail "--lock-memory locked nothing"
# (ASan makes mlockall a no-op, so VmLck shows the lock only without it.)
if ! grep -q __asan_init "$VIPD"; then
    [ "$(locked "$pid")" -gt 0 ] || lab_fail "--lock-memory: VmLck is 0"
fi
[ "$(locked "$launcher")" = 0 ] || lab_fail "the launcher's memory is locked too"

# The configuration wins over the unit's defaults.
lab_conf name=web vrid=97 priority=150 advert_interval=0.1 addresses='"192.0.2.97/24"' |
    sed '1i global = { realtime_priority = 0; lock_memory = false; };' >"$LAB_DIR/a.conf"
lab_ctl a reload >/dev/null
[ "$(policy "$pid")" = SCHED_OTHER ] || lab_fail "realtime_priority = 0 left $(policy "$pid")"
[ "$(locked "$pid")" = 0 ] || lab_fail "lock_memory = false left $(locked "$pid") kB locked"
# Unset again: the scheduling stays as the last configuration set it.
conf >"$LAB_DIR/a.conf"
lab_ctl a reload >/dev/null
[ "$(policy "$pid")" = SCHED_OTHER ] || lab_fail "an unset realtime_priority changed it"
lab_has_vip a 192.0.2.97 || lab_fail "a lost the VIP"
lab_log "PASS"
