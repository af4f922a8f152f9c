#!/usr/bin/env bash
# IPv6: VRRPv3 over link-local sources, the VIP answers ping6, the new master's unsolicited
# NA moves the client's neighbour entry on failover.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
lab_init
lab_host a "" 2001:db8::11/64
lab_host b "" 2001:db8::12/64
lab_host client "" 2001:db8::100/64
lab_vipd a "$(lab_conf name=web6 vrid=56 priority=200 advert_interval=0.1 addresses='"2001:db8::1/64"')"
lab_vipd b "$(lab_conf name=web6 vrid=56 priority=100 advert_interval=0.1 addresses='"2001:db8::1/64"')"
lab_wait 3000 lab_only_holder a 2001:db8::1 || lab_fail "a should hold 2001:db8::1; holders '$(lab_holders 2001:db8::1)'"
lab_wait 3000 lab_ping client 2001:db8::1 || lab_fail "ping6 to the VIP fails"
mac_of() { ip -n "$(lab_ns "$1")" -o link show eth0 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2; }
ip -n "$(lab_ns client)" -6 neigh show 2001:db8::1 | grep "$(mac_of a)" >/dev/null || lab_fail "client does not resolve the VIP to a"

lab_cut a
lab_wait 600 lab_has_vip b 2001:db8::1 || lab_fail "b did not take over"
# b's unsolicited NA (Override) must repoint the client without waiting for NUD.
lab_wait 500 bash -c "ip -n $(lab_ns client) -6 neigh show 2001:db8::1 | grep -q $(mac_of b)" ||
    lab_fail "client still resolves the VIP to $(ip -n "$(lab_ns client)" -6 neigh show 2001:db8::1)"
lab_wait 2000 lab_ping client 2001:db8::1 || lab_fail "ping6 fails after failover"
lab_log "PASS"
