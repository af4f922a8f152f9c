#!/usr/bin/env bash
# IPv6: VRRPv3 over link-local sources, the VIP answers ping6, the new master's unsolicited
# NA moves the client's neighbour entry on failover. The routers run with duplicate address
# detection on (as real hosts do): vipd adds its VIPs without DAD (IFA_F_NODAD), so a new
# master's VIP is usable at once, not tentative for a second, and a handover, where both
# routers briefly hold the VIP, leaves no "dadfailed" copy.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
lab_init
lab_host a "" 2001:db8::11/64
lab_host b "" 2001:db8::12/64
lab_host client "" 2001:db8::100/64
for h in a b; do
    ip netns exec "$(lab_ns "$h")" sysctl -qw net.ipv6.conf.all.accept_dad=1 \
        net.ipv6.conf.default.accept_dad=1 net.ipv6.conf.eth0.accept_dad=1
done
lab_vipd a "$(lab_conf name=web6 vrid=56 priority=200 advert_interval=0.1 addresses='"2001:db8::1/64"')"
lab_vipd b "$(lab_conf name=web6 vrid=56 priority=100 advert_interval=0.1 addresses='"2001:db8::1/64"')"
# vip_flags HOST: the flags ip prints for HOST's copy of the VIP.
vip_flags() { ip -n "$(lab_ns "$1")" -6 -o addr show dev eth0 | grep ' 2001:db8::1/' | sed 's/.*scope global//'; }
# usable_at_once HOST: HOST's VIP was added without DAD and is not tentative or failed.
usable_at_once() {
    local f
    f=$(vip_flags "$1")
    [[ $f == *nodad* && $f != *tentative* && $f != *dadfailed* ]] ||
        lab_fail "$1's VIP flags: '$f' (want nodad, not tentative or dadfailed)"
}
lab_wait 3000 lab_only_holder a 2001:db8::1 || lab_fail "a should hold 2001:db8::1; holders '$(lab_holders 2001:db8::1)'"
usable_at_once a
lab_wait 3000 lab_ping client 2001:db8::1 || lab_fail "ping6 to the VIP fails"
mac_of() { ip -n "$(lab_ns "$1")" -o link show eth0 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2; }
ip -n "$(lab_ns client)" -6 neigh show 2001:db8::1 | grep "$(mac_of a)" >/dev/null || lab_fail "client does not resolve the VIP to a"

lab_cut a
lab_wait 600 lab_has_vip b 2001:db8::1 || lab_fail "b did not take over"
usable_at_once b
# b's unsolicited NA (Override) must repoint the client without waiting for NUD.
lab_wait 500 bash -c "ip -n $(lab_ns client) -6 neigh show 2001:db8::1 | grep -q $(mac_of b)" ||
    lab_fail "client still resolves the VIP to $(ip -n "$(lab_ns client)" -6 neigh show 2001:db8::1)"
# Usable at once: well under the second a tentative address would take.
lab_wait 300 lab_ping client 2001:db8::1 || lab_fail "ping6 fails after failover"

# A handover: a keeps its VIP until b has claimed its own copy. With DAD, b's copy would
# find a's and stay "dadfailed", unusable.
lab_mend a
lab_wait 3000 lab_only_holder a 2001:db8::1 || lab_fail "a should preempt back"
lab_ctl a handover web6 >/dev/null || lab_fail "handover refused"
lab_wait 1000 lab_only_holder b 2001:db8::1 || lab_fail "b should hold the VIP after the handover"
usable_at_once b
lab_wait 300 lab_ping client 2001:db8::1 || lab_fail "ping6 fails after the handover"
lab_log "PASS"
