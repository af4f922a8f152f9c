#!/usr/bin/env bash
# Three routers, one VIP: the highest priority is the only master, the VIP answers the
# client from its MAC, and the election stays put.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
lab_init
lab_host a 192.0.2.11/24
lab_host b 192.0.2.12/24
lab_host c 192.0.2.13/24
lab_host client 192.0.2.100/24
for hp in a:100 b:150 c:120; do
    lab_vipd "${hp%:*}" "$(lab_conf name=web vrid=51 priority="${hp#*:}" advert_interval=0.1 \
        addresses='"192.0.2.1/24"')"
done

lab_wait 3000 lab_only_holder b 192.0.2.1 ||
    lab_fail "b (priority 150) should hold 192.0.2.1 alone; holders: '$(lab_holders 192.0.2.1)'"
lab_wait 2000 lab_ping client 192.0.2.1 || lab_fail "the VIP does not answer the client"
mac_b=$(ip -n "$(lab_ns b)" -o link show eth0 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
ip -n "$(lab_ns client)" neigh show 192.0.2.1 | grep "$mac_b" >/dev/null ||
    lab_fail "client resolves the VIP to $(ip -n "$(lab_ns client)" neigh show 192.0.2.1), not b ($mac_b)"

# Quiet period: nobody else claims the VIP and b does not flap.
sleep 1.5
[ "$(lab_holders 192.0.2.1)" = b ] || lab_fail "holders after 1.5 s: '$(lab_holders 192.0.2.1)'"
[ "$(lab_log_count b 'MASTER -> ')" -eq 0 ] || lab_fail "b left MASTER during the quiet period"
for h in a c; do
    n=$(lab_log_count "$h" '-> MASTER')
    [ "$n" -le 1 ] || lab_fail "$h became master $n times"
done
lab_log "PASS: b is the only master; client reaches it"
