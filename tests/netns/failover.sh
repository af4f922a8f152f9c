#!/usr/bin/env bash
# Hard failover: the master's cable is pulled. The backup must hold the VIP and answer the
# client within Master_Down_Interval plus a margin; then the cable returns and the higher
# priority preempts back.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
lab_init
lab_host a 192.0.2.11/24
lab_host b 192.0.2.12/24
lab_host client 192.0.2.100/24
lab_vipd a "$(lab_conf name=web vrid=53 priority=200 advert_interval=0.1 addresses='"192.0.2.3/24"')"
lab_vipd b "$(lab_conf name=web vrid=53 priority=100 advert_interval=0.1 addresses='"192.0.2.3/24"')"
lab_wait 3000 lab_only_holder a 192.0.2.3 || lab_fail "a should be master"
lab_wait 2000 lab_ping client 192.0.2.3 || lab_fail "VIP unreachable before the cut"

# b's Master_Down_Interval: 3 x 100 ms + (256 - 100) x 100 ms / 256 = 360.9 ms.
mdi=361
margin=${FAILOVER_MARGIN_MS:-150}
lab_prober_start client 192.0.2.3
sleep 0.3
t0=$(lab_now_ms)
lab_cut a
lab_wait $((mdi + margin)) lab_has_vip b 192.0.2.3 ||
    lab_fail "b did not take the VIP within ${mdi}+${margin} ms"
t1=$(lab_now_ms)
lab_wait 1000 lab_ping client 192.0.2.3 || lab_fail "VIP unreachable after failover"
sleep 0.3
gap=$(lab_prober_stop)
lab_log "takeover $((t1 - t0)) ms after the cut; client-side outage ${gap} ms (MDI ${mdi} ms)"
[ "$gap" -le $((mdi + margin + 100)) ] || lab_fail "client outage ${gap} ms is too long"
lab_wait 1000 lab_log_count_at_least a 'MASTER -> FAULT' 1 || lab_fail "a did not go to FAULT on link loss"

# Cable back: a has the higher priority and preempt (default): it takes over again, once.
lab_mend a
lab_wait 3000 lab_only_holder a 192.0.2.3 || lab_fail "a did not preempt back; holders '$(lab_holders 192.0.2.3)'"
lab_wait 2000 lab_ping client 192.0.2.3 || lab_fail "VIP unreachable after preemption"
echo "failover_ms=$((t1 - t0)) outage_ms=$gap mdi_ms=$mdi"
lab_log "PASS"
