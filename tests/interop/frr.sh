#!/usr/bin/env bash
# vipd and FRR 8.4 vrrpd (with its zebra) on one VRID, VRRPv3 at 100 ms adverts, in the
# mode named by MODE:
#   v3-ipv4            IPv4 multicast
#   v3-ipv6            IPv6 multicast (link-local sources)
#   (unset)            both, one after the other, each in its own lab
# In each: vipd (200) is the only master beside FRR (100); a cable pull on vipd hands the
# VIP to FRR within Master_Down_Interval + margin; vipd preempts back when the cable
# returns; with the priorities reversed vipd stays backup, and a cable pull on FRR hands
# the VIP to vipd within Master_Down_Interval + margin.
# FRR's backup keeps the VIP on a macvlan carrying the virtual MAC, in protodown: FRR
# "holds" the VIP when that macvlan is not protodown (zebra lifts it when vrrpd becomes
# master), cross-checked against vrrpd's own state (`show vrrp json`).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ -z "${MODE:-}" ]; then
    MODE=v3-ipv4 "$BASH" "$here/frr.sh"
    exec env MODE=v3-ipv6 "$BASH" "$here/frr.sh"
fi
# shellcheck source=tests/interop/lib.sh
source "$here/lib.sh"
for tool in vtysh /usr/lib/frr/zebra /usr/lib/frr/vrrpd; do
    command -v "$tool" >/dev/null || { echo "FRR not installed ($tool missing): skipped" >&2; exit 77; }
done

lab_init
# FRR state: its daemons drop to user frr and need a dir of their own in the lab dir;
# libfrr also creates /var/run/frr/<pathspace> and /var/tmp/frr/<daemon>.<pid>.
chmod 711 "$LAB_DIR"
FRR_DIR="$LAB_DIR/frr"
FRR_PATHSPACE="$LAB-f"
FRR_PIDS=()
[ -e /var/tmp/frr ] && frr_tmp_existed=1 || frr_tmp_existed=0
frr_cleanup() {
    local rc=$? pid
    set +e
    # TERM first so vrrpd resigns and zebra tidies up; then whatever is left is killed
    # with the namespace by lab_cleanup.
    for pid in "${FRR_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
    for _ in $(seq 1 300); do
        local alive=0
        for pid in "${FRR_PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
        [ "$alive" = 0 ] && break
        sleep 0.01
    done
    for pid in "${FRR_PIDS[@]}"; do kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
    rmdir "/var/run/frr/$FRR_PATHSPACE" 2>/dev/null
    for pid in "${FRR_PIDS[@]}"; do rm -rf -- "/var/tmp/frr/zebra.$pid" "/var/tmp/frr/vrrpd.$pid"; done
    [ "$frr_tmp_existed" = 1 ] || rmdir /var/tmp/frr 2>/dev/null
    (exit "$rc")
    lab_cleanup
}
trap frr_cleanup EXIT

vrid=90 interval=0.1 mdi=361
if [ "$MODE" = v3-ipv4 ]; then
    v4=1 vip=192.0.2.90 prefix=24 frr_dev=vrrp4-$vrid frr_mac=00:00:5e:00:01:5a fam=v4
    lab_host v 192.0.2.11/24
    lab_host f 192.0.2.12/24
    lab_host client 192.0.2.100/24
elif [ "$MODE" = v3-ipv6 ]; then
    v4=0 vip=2001:db8::90 prefix=64 frr_dev=vrrp6-$vrid frr_mac=00:00:5e:00:02:5a fam=v6
    lab_host v "" 2001:db8::11/64
    lab_host f "" 2001:db8::12/64
    lab_host client "" 2001:db8::100/64
else
    echo "unknown MODE $MODE" >&2
    exit 2
fi
margin=${FAILOVER_MARGIN_MS:-300}
fns=$(lab_ns f)

# FRR's side: no ARP answers for the VIP from eth0, and the macvlan with the virtual MAC.
ip netns exec "$fns" sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2
ip -n "$fns" link add "$frr_dev" link eth0 type macvlan mode bridge
ip -n "$fns" link set "$frr_dev" address "$frr_mac" addrgenmode random
if [ "$v4" = 1 ]; then
    ip -n "$fns" addr add "$vip/32" dev "$frr_dev"
else
    ip netns exec "$fns" sysctl -qw "net.ipv6.conf.$frr_dev.accept_dad=0"
    ip -n "$fns" addr add "$vip/$prefix" dev "$frr_dev" nodad
fi
ip -n "$fns" link set "$frr_dev" up

install -d -o frr -g frrvty -m 770 "$FRR_DIR"
: >"$FRR_DIR/zebra.conf"
frr_conf() {
    printf 'interface eth0\n vrrp %s version 3\n vrrp %s priority %s\n' "$vrid" "$vrid" "$1"
    printf ' vrrp %s advertisement-interval 100\n' "$vrid"
    if [ "$v4" = 1 ]; then printf ' vrrp %s ip %s\n' "$vrid" "$vip"; else printf ' vrrp %s ipv6 %s\n' "$vrid" "$vip"; fi
}
frr_start() {  # frr_start DAEMON
    ip netns exec "$fns" "/usr/lib/frr/$1" -N "$FRR_PATHSPACE" -z "$FRR_DIR/zserv.api" \
        --vty_socket "$FRR_DIR" -i "$FRR_DIR/$1.pid" -f "$FRR_DIR/$1.conf" -P 0 \
        --log stdout </dev/null >>"$LAB_DIR/frr-$1.log" 2>&1 &
    FRR_PIDS+=($!)
}
frr_vtysh() { vtysh --vty_socket "$FRR_DIR" "$@"; }
# vrrpd's state for our VRID and family, e.g. Master / Backup / Initialize.
frr_state() {
    frr_vtysh -c "show vrrp $vrid json" 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
d = d[0] if isinstance(d, list) else d
print(d[sys.argv[1]]["status"])' "$fam" 2>/dev/null || echo unknown
}
# FRR holds the VIP: its macvlan is out of protodown.
frr_holds() {
    local link
    link=$(ip -n "$fns" -d link show dev "$frr_dev") || return 1
    [[ $link != *"protodown on"* ]]
}
frr_is_master() { [ "$(frr_state)" = Master ]; }
frr_is_backup() { [ "$(frr_state)" = Backup ]; }
# Exactly one of vipd / FRR holds the VIP: $1 = v or f.
only() {
    if [ "$1" = v ]; then lab_only_holder v "$vip" && ! frr_holds
    else lab_has_vip v "$vip" && return 1; frr_holds; fi
}
vipd_conf() {
    lab_conf name=web vrid=$vrid priority="$1" version=3 advert_interval=$interval \
        addresses="\"$vip/$prefix\""
}
results=()

# --- 1. vipd master (200), FRR backup (100) --------------------------------------------
frr_conf 100 >"$FRR_DIR/vrrpd.conf"
chown frr:frrvty "$FRR_DIR"/*.conf
lab_vipd v "$(vipd_conf 200)"
frr_start zebra
lab_wait 5000 test -S "$FRR_DIR/zserv.api" || lab_fail "zebra did not open its API socket"
frr_start vrrpd
lab_wait 5000 lab_has_vip v "$vip" || lab_fail "vipd (200) did not become master"
lab_wait 5000 frr_is_backup || lab_fail "FRR (100) is not backup: $(frr_state)"
lab_wait 2000 only v || lab_fail "vipd should be the only holder (FRR holds: $(frr_holds && echo yes || echo no))"
lab_wait 2000 lab_ping client "$vip" || lab_fail "VIP unreachable on vipd"
sleep 2  # quiet period: FRR must stay backup
only v || lab_fail "flap during the quiet period (FRR state $(frr_state))"
frr_is_backup || lab_fail "FRR left backup: $(frr_state)"
[ "$(lab_log_count frr-vrrpd 'Master')" -eq 0 ] || lab_fail "FRR went master beside vipd: $(grep Master "$LAB_DIR/frr-vrrpd.log" | head -3)"

# Hard failover vipd -> FRR.
t0=$(lab_now_ms)
lab_cut v
lab_wait $((mdi + margin)) frr_holds || lab_fail "FRR did not take over within ${mdi}+${margin} ms (state $(frr_state))"
t1=$(lab_now_ms)
frr_is_master || lab_fail "FRR's macvlan is up but vrrpd says $(frr_state)"
lab_wait 3000 lab_ping client "$vip" || lab_fail "VIP unreachable on FRR"
results+=("vipd->frr hard failover: $((t1 - t0)) ms (MDI $mdi ms)")

# Cable back: vipd (200) preempts FRR.
lab_mend v
lab_wait $((mdi * 2 + 1000)) only v || lab_fail "vipd did not preempt FRR (FRR state $(frr_state))"
lab_wait 1000 frr_is_backup || lab_fail "FRR not back to backup: $(frr_state)"
lab_wait 1000 lab_ping client "$vip" || lab_fail "VIP unreachable on vipd after preemption"
results+=("vipd preempted frr back after the cable returned")

# --- 2. FRR master (200), vipd backup (100) --------------------------------------------
# vipd leaves (priority 0, keeping the VIP until FRR has it), FRR takes over after its
# Skew_Time, (256 - 100) x 100 ms / 256 = 61 ms, counted from the SIGTERM (without the
# priority 0 it would wait its Master_Down_Interval); FRR then goes to 200 and vipd returns
# at 100.
skew=61
t0=$(lab_now_ms)
lab_signal v TERM
lab_wait $((skew + ${HANDOVER_MARGIN_MS:-150})) frr_holds ||
    lab_fail "FRR did not take over within its skew ${skew}+${HANDOVER_MARGIN_MS:-150} ms of vipd's SIGTERM (state $(frr_state))"
t1=$(lab_now_ms)
lab_wait_exit v
results+=("vipd SIGTERM -> frr master: $((t1 - t0)) ms (FRR's skew $skew ms)")
frr_vtysh -c 'configure terminal' -c 'interface eth0' -c "vrrp $vrid priority 200" >/dev/null ||
    lab_fail "could not set FRR's priority"
before=$(lab_log_count v 'BACKUP -> MASTER')  # the log goes on from part 1
lab_vipd v "$(vipd_conf 100)"
sleep 2
only f || lab_fail "vipd did not stay backup under FRR (vipd holds: $(lab_holders "$vip"), FRR $(frr_state))"
[ "$(lab_log_count v 'BACKUP -> MASTER')" -eq "$before" ] || lab_fail "vipd became master beside FRR"
frr_is_master || lab_fail "FRR (200) is not master: $(frr_state)"
# In IPv6 FRR 8.4 often fails to send its unsolicited NA ("Failed to find address to bind
# on vrrp6-90"), so a client that cached vipd's MAC only finds FRR's virtual MAC when
# neighbour unreachability detection gives up on the old one: up to 5 s + 3 probes.
lab_wait 10000 lab_ping client "$vip" || lab_fail "VIP unreachable on FRR"

t0=$(lab_now_ms)
lab_cut f
lab_wait $((mdi + margin)) lab_has_vip v "$vip" || lab_fail "vipd did not take over from FRR within ${mdi}+${margin} ms"
t1=$(lab_now_ms)
lab_wait 1000 lab_ping client "$vip" || lab_fail "VIP unreachable on vipd"
results+=("frr->vipd hard failover: $((t1 - t0)) ms (MDI $mdi ms)")

printf "$MODE: %s\n" "${results[@]}"
lab_log "PASS"
