#!/usr/bin/env bash
# track_interfaces: the master tracks an uplink (weight 0: FAULT while it is down); when
# the uplink goes down the backup takes the VIP, when it comes back the master returns.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
lab_init
lab_host a 192.0.2.11/24
lab_host b 192.0.2.12/24
ns=$(lab_ns a)
ip -n "$ns" link add uplink type veth peer name uplink-peer
ip -n "$ns" link set dev uplink up
ip -n "$ns" link set dev uplink-peer up
conf() {
    lab_conf name=web vrid=71 priority="$1" advert_interval=0.1 addresses='"192.0.2.71/24"' "${@:2}"
}
lab_vipd a "$(conf 200 track_interfaces='( "uplink" )')"
lab_vipd b "$(conf 100)"
lab_wait 3000 lab_only_holder a 192.0.2.71 || lab_fail "a should be master"
# a leaves with a priority-0 advert, so b takes over after its Skew_Time, (256 - 100) x
# 100 ms / 256 = 61 ms, not after its Master_Down_Interval (361 ms), which is all it would
# take without that advert.
skew=61
margin=${FAILOVER_MARGIN_MS:-180}
t0=$(lab_now_ms)
ip -n "$ns" link set dev uplink-peer down  # the uplink loses carrier
lab_wait $((skew + margin)) lab_only_holder b 192.0.2.71 ||
    lab_fail "b did not take over within Skew_Time ${skew}+${margin} ms of a's uplink failing"
echo "takeover_ms=$(($(lab_now_ms) - t0))"
grep 'MASTER -> FAULT (fault: tracker failed)' "$LAB_DIR/a.log" >/dev/null || lab_fail "a not in FAULT"
grep 'BACKUP -> MASTER (master 192.0.2.11 resigned (priority 0))' "$LAB_DIR/b.log" >/dev/null ||
    lab_fail "b did not take over on a's priority 0: $(grep -- '-> MASTER' "$LAB_DIR/b.log")"
ip -n "$ns" link set dev uplink-peer up
lab_wait 2000 lab_only_holder a 192.0.2.71 || lab_fail "a did not return with its uplink"
lab_log "PASS"
