#!/usr/bin/env bash
# Split brain: with the two routers unable to hear each other both become master; when the
# segment heals, exactly one master remains, and the client reaches it.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
lab_init
lab_host a 192.0.2.11/24
lab_host b 192.0.2.12/24
lab_host client 192.0.2.100/24
for hp in a:200 b:100; do
    lab_vipd "${hp%:*}" "$(lab_conf name=web vrid=58 priority="${hp#*:}" advert_interval=0.1 \
        addresses='"192.0.2.8/24"')"
done
lab_wait 3000 lab_only_holder a 192.0.2.8 || lab_fail "a should be master"

# Partition a from b (and from the client) without taking links down: both links stay up,
# so neither side sees a fault; the bridge just stops forwarding between the ports.
nft_sw() { ip netns exec "$(lab_ns sw)" nft "$@"; }
nft_sw add table bridge lab
nft_sw add chain bridge lab filt '{ type filter hook forward priority 0; }'
nft_sw add rule bridge lab filt iifname a drop
nft_sw add rule bridge lab filt oifname a drop
lab_wait 1500 lab_has_vip b 192.0.2.8 || lab_fail "b did not become master during the partition"
lab_has_vip a 192.0.2.8 || lab_fail "a gave up the VIP while isolated"

nft_sw delete table bridge lab
# Healed: b hears the higher priority and steps down; a hears b's lower-priority advert and
# asserts itself at once, re-announcing so the client relearns its MAC.
lab_wait 1000 lab_only_holder a 192.0.2.8 || lab_fail "split brain did not heal: '$(lab_holders 192.0.2.8)'"
lab_wait 1000 lab_ping client 192.0.2.8 || lab_fail "VIP unreachable after healing"
mac_a=$(ip -n "$(lab_ns a)" -o link show eth0 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
lab_wait 1000 bash -c "ip -n $(lab_ns client) neigh show 192.0.2.8 | grep -q $mac_a" ||
    lab_fail "client still resolves the VIP to $(ip -n "$(lab_ns client)" neigh show 192.0.2.8)"
lab_log "PASS"
