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
# a's Master_Down_Interval at priority 200: 3 x 100 ms + (256 - 200) x 100 ms / 256.
mdi_a=322
margin=${FAILOVER_MARGIN_MS:-300}
# start_a CONFIG: starts vipd in a and returns once its instance is running (the bounds
# below count from there, not from exec: a sanitized build takes a while to start).
start_a() {
    local before
    before=$(lab_log_count a 'INIT -> BACKUP \(startup\)')
    lab_vipd a "$1"
    lab_wait 5000 lab_log_count_at_least a 'INIT -> BACKUP \(startup\)' $((before + 1)) ||
        lab_fail "a did not start"
}

# 1. preempt off: the low-priority master keeps the VIP when the high one starts later,
#    and a is there as its backup all along (not merely absent).
lab_vipd b "$(conf 100)"
lab_wait 3000 lab_only_holder b 192.0.2.5 || lab_fail "b alone should be master"
lab_vipd a "$(conf 200 preempt=false)"
sleep 1.5
lab_only_holder b 192.0.2.5 || lab_fail "preempt=false: a took the VIP ('$(lab_holders 192.0.2.5)')"
state=$(lab_field a web state || echo "no answer") master=$(lab_field a web master_address || true)
[ "$state" = BACKUP ] && [ "$master" = 192.0.2.12 ] ||
    lab_fail "preempt=false: a should be a backup following b, is '$state' with master '$master'"
lab_stop a

# 2. preempt on (default): a takes over after one Master_Down_Interval, b's adverts being
#    discarded as lower.
start_a "$(conf 200)"
t0=$(lab_now_ms)
lab_wait $((mdi_a + margin)) lab_only_holder a 192.0.2.5 ||
    lab_fail "preempt=true: a did not take over within ${mdi_a}+${margin} ms"
echo "preempt_ms=$(($(lab_now_ms) - t0))"
lab_stop a
lab_wait 2000 lab_only_holder b 192.0.2.5 || lab_fail "b did not take back after a stopped"

# 3. preempt_delay = 2 s: a follows b for 2 s after first hearing it, then stops accepting
#    its adverts and takes over one Master_Down_Interval later: between 2 s and 2 s + the
#    MDI + one advert interval (the first advert heard) + margin.
start_a "$(conf 200 preempt_delay=2.0)"
t0=$(lab_now_ms)
sleep 1.5
lab_only_holder b 192.0.2.5 || lab_fail "preempt_delay: a preempted before 2 s"
lab_wait 3000 lab_only_holder a 192.0.2.5 || lab_fail "preempt_delay: a never preempted"
t1=$(lab_now_ms)
echo "preempt_delay_observed_ms=$((t1 - t0))"
[ $((t1 - t0)) -ge 2000 ] || lab_fail "preempted after $((t1 - t0)) ms, before the 2 s delay"
upper=$((2000 + mdi_a + 100 + margin))
[ $((t1 - t0)) -le "$upper" ] || lab_fail "preempted after $((t1 - t0)) ms, later than ${upper} ms"
lab_log "PASS"
