#!/usr/bin/env bash
# vipd and keepalived 2.2.7 on one VRID, both directions, in the mode named by MODE:
#   v3-ipv4 (default)  VRRPv3, IPv4 multicast, 100 ms adverts
#   v3-ipv6            VRRPv3, IPv6 multicast (link-local sources), 100 ms adverts
#   v3-unicast         VRRPv3, IPv4 unicast peers, 100 ms adverts
#   v2 / v2-pass       VRRPv2, 1 s adverts, without / with simple password authentication
# In each: exactly one master, the VIP answers, hard failover either way within
# Master_Down_Interval + margin, graceful handover, preemption back, and no flapping over
# a quiet period. (keepalived sends the IPv4 pseudo-header checksum for VRRPv3; vipd
# accepts it and, with checksum = auto, answers in kind: keepalived drops anything else.)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
lab_require_keepalived
MODE=${MODE:-v3-ipv4}
lab_init
v4=1 version=3 interval=0.1 mdi=361 skew=61 vipd_extra=() ka_extra=""
vip=192.0.2.90 prefix=24
case $MODE in
    v3-ipv4) ;;
    v3-ipv6) v4=0 vip=2001:db8::90 prefix=64 ;;
    v3-unicast)
        vipd_extra=(unicast_peers='"192.0.2.12"')
        ka_extra="unicast_src_ip 192.0.2.12
    unicast_peer {
        192.0.2.11
    }" ;;
    v2 | v2-pass)
        # 1 s adverts: MDI = 3 s + (256 - 100) / 256 s; skew 609 ms.
        version=2 interval=1 mdi=3609 skew=609
        if [ "$MODE" = v2-pass ]; then
            vipd_extra=(authentication='{ type = "pass"; password = "secret1"; }')
            ka_extra="authentication {
        auth_type PASS
        auth_pass secret1
    }"
        fi ;;
    *) echo "unknown MODE $MODE" >&2; exit 2 ;;
esac
if [ "$v4" = 1 ]; then
    lab_host v 192.0.2.11/24
    lab_host k 192.0.2.12/24
    lab_host client 192.0.2.100/24
else
    lab_host v "" 2001:db8::11/64
    lab_host k "" 2001:db8::12/64
    lab_host client "" 2001:db8::100/64
fi
margin=${FAILOVER_MARGIN_MS:-250}
# A resignation (priority 0) is followed after the receiver's Skew_Time: a margin that
# keeps the bound under the Master_Down_Interval it would take without one.
handover_margin=${HANDOVER_MARGIN_MS:-150}
vipd_conf() {
    lab_conf name=web vrid=90 priority="$1" version=$version advert_interval=$interval \
        addresses="\"$vip/$prefix\"" "${vipd_extra[@]}"
}
ka_conf() {
    cat <<CONF
vrrp_instance vi90 {
    interface eth0
    version $version
    virtual_router_id 90
    priority $1
    advert_int $interval
    virtual_ipaddress {
        $vip/$prefix
    }
    $ka_extra
}
CONF
}
results=()

# --- 1. vipd master (200), keepalived backup (100) -------------------------------------
lab_vipd v "$(vipd_conf 200)"
lab_keepalived k "$(ka_conf 100)"
lab_wait $((mdi * 2 + 1000)) lab_only_holder v "$vip" || lab_fail "vipd (200) should be the only master: '$(lab_holders "$vip")'"
lab_wait 2000 lab_ping client "$vip" || lab_fail "VIP unreachable"
sleep $((version == 2 ? 4 : 2))  # quiet period: keepalived must stay BACKUP (it would flap on bad checksums)
lab_only_holder v "$vip" || lab_fail "flap during the quiet period: '$(lab_holders "$vip")'"
[ "$(lab_log_count k 'Entering MASTER STATE')" -eq 0 ] || lab_fail "keepalived became master beside vipd"
# keepalived's words for a rejected advert: "Invalid VRRPv3 checksum", "invalid TTL/HL",
# "bad checksum", ... (case varies: matched without case).
[ "$(grep -ciE 'checksum|invalid' "$LAB_DIR/k.log" || true)" -eq 0 ] ||
    lab_fail "keepalived rejected vipd's adverts: $(grep -iE 'checksum|invalid' "$LAB_DIR/k.log" | head -3)"

# Hard failover vipd -> keepalived.
t0=$(lab_now_ms)
lab_cut v
lab_wait $((mdi + margin)) lab_has_vip k "$vip" || lab_fail "keepalived did not take over within ${mdi}+${margin} ms"
t1=$(lab_now_ms)
lab_wait 1000 lab_ping client "$vip" || lab_fail "VIP unreachable on keepalived"
results+=("vipd->keepalived hard failover: $((t1 - t0)) ms (MDI $mdi ms)")

# Cable back: vipd (200) preempts keepalived.
lab_mend v
lab_wait $((mdi * 2 + 1000)) lab_only_holder v "$vip" || lab_fail "vipd did not preempt keepalived: '$(lab_holders "$vip")'"

# Graceful: vipd stops, sends priority 0 (and keeps the VIP until keepalived has it);
# keepalived takes over after its Skew_Time, counted from the SIGTERM.
t0=$(lab_now_ms)
lab_signal v TERM
lab_wait $((skew + handover_margin)) lab_has_vip k "$vip" ||
    lab_fail "keepalived did not take over within its skew ${skew}+${handover_margin} ms of vipd's SIGTERM"
t1=$(lab_now_ms)
lab_wait_exit v
results+=("vipd SIGTERM -> keepalived master: $((t1 - t0)) ms (keepalived's skew $skew ms)")

# --- 2. keepalived master (200), vipd backup (100) -------------------------------------
lab_stop k TERM
lab_keepalived k "$(ka_conf 200)"
lab_wait $((mdi * 2 + 1000)) lab_has_vip k "$vip" || lab_fail "keepalived (200) did not become master"
before=$(lab_log_count v 'BACKUP -> MASTER')  # the log goes on from part 1
lab_vipd v "$(vipd_conf 100)"
sleep $((version == 2 ? 4 : 2))
lab_only_holder k "$vip" || lab_fail "vipd did not stay backup under keepalived: '$(lab_holders "$vip")'"
[ "$(lab_log_count v 'BACKUP -> MASTER')" -eq "$before" ] || lab_fail "vipd became master beside keepalived"

t0=$(lab_now_ms)
lab_cut k
lab_wait $((mdi + margin)) lab_has_vip v "$vip" || lab_fail "vipd did not take over from keepalived within ${mdi}+${margin} ms"
t1=$(lab_now_ms)
lab_wait 1000 lab_ping client "$vip" || lab_fail "VIP unreachable on vipd"
results+=("keepalived->vipd hard failover: $((t1 - t0)) ms (MDI $mdi ms)")
lab_mend k
lab_wait $((mdi * 2 + 1000)) lab_only_holder k "$vip" || lab_fail "keepalived did not preempt vipd back"

t0=$(lab_now_ms)
lab_signal k TERM  # not lab_stop: keepalived takes about a second to exit after resigning
lab_wait $((skew + handover_margin)) lab_has_vip v "$vip" ||
    lab_fail "vipd did not take over within its skew ${skew}+${handover_margin} ms of keepalived's SIGTERM"
t1=$(lab_now_ms)
lab_wait_exit k
results+=("keepalived SIGTERM -> vipd master: $((t1 - t0)) ms (vipd's skew $skew ms)")
grep 'resigned (priority 0)' "$LAB_DIR/v.log" >/dev/null || lab_fail "vipd did not see keepalived's priority 0"

printf "$MODE: %s\n" "${results[@]}"
lab_log "PASS"
