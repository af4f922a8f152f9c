#!/usr/bin/env bash
# preempt = true takes the VIP back when a higher priority returns; preempt = false does
# not; preempt_delay takes it back only after the delay.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
lab_init
lab_host a 192.0.2.11/24
lab_host b 192.0.2.12/24
conf() {  # conf PRIORITY EXTRA...
    local prio=$1
    shift
    lab_conf name=web vrid=55 priority="$prio" advert_interval=0.1 addresses='"192.0.2.5/24"' "$@"
}

# 1. preempt off: the low-priority master keeps the VIP when the high one starts later.
lab_vipd b "$(conf 100)"
lab_wait 3000 lab_only_holder b 192.0.2.5 || lab_fail "b alone should be master"
lab_vipd a "$(conf 200 preempt=false)"
sleep 1.5
lab_only_holder b 192.0.2.5 || lab_fail "preempt=false: a took the VIP ('$(lab_holders 192.0.2.5)')"
lab_stop a

# 2. preempt on (default): a takes over within about one Master_Down_Interval.
lab_vipd a "$(conf 200)"
lab_wait 2000 lab_only_holder a 192.0.2.5 || lab_fail "preempt=true: a did not take over"
lab_stop a
lab_wait 2000 lab_only_holder b 192.0.2.5 || lab_fail "b did not take back after a stopped"

# 3. preempt_delay = 2 s: a waits at least 2 s after hearing the lower master.
lab_vipd a "$(conf 200 preempt_delay=2.0)"
t0=$(lab_now_ms)
sleep 1.5
lab_only_holder b 192.0.2.5 || lab_fail "preempt_delay: a preempted before 2 s"
lab_wait 3000 lab_only_holder a 192.0.2.5 || lab_fail "preempt_delay: a never preempted"
t1=$(lab_now_ms)
[ $((t1 - t0)) -ge 2000 ] || lab_fail "preempted after $((t1 - t0)) ms, before the 2 s delay"
echo "preempt_delay_observed_ms=$((t1 - t0))"
lab_log "PASS"
