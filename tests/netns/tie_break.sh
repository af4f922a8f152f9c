#!/usr/bin/env bash
# Equal priorities: when two masters meet, the higher primary address wins and the other
# becomes backup (RFC 9568 §6.4.3 (22)). (A backup accepts an equal-priority master
# whatever its address, §6.4.2 (25), so the tie only matters between two masters: both are
# made masters first by starting them apart.)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
lab_init
lab_host a 192.0.2.11/24
lab_host b 192.0.2.200/24
lab_host client 192.0.2.100/24
nft_sw() { ip netns exec "$(lab_ns sw)" nft "$@"; }
nft_sw add table bridge lab
nft_sw add chain bridge lab filt '{ type filter hook forward priority 0; }'
nft_sw add rule bridge lab filt iifname a oifname b drop
nft_sw add rule bridge lab filt iifname b oifname a drop
for h in a b; do
    lab_vipd "$h" "$(lab_conf name=web vrid=52 priority=100 advert_interval=0.1 \
        addresses='"192.0.2.2/24"')"
done
lab_wait 3000 bash -c "[ \"\$(ip -n $(lab_ns a) -o addr show dev eth0 | grep -c 'inet 192.0.2.2/')\" = 1 ] &&
    [ \"\$(ip -n $(lab_ns b) -o addr show dev eth0 | grep -c 'inet 192.0.2.2/')\" = 1 ]" ||
    lab_fail "both should be master while apart; holders: '$(lab_holders 192.0.2.2)'"
nft_sw delete table bridge lab
lab_wait 1000 lab_only_holder b 192.0.2.2 ||
    lab_fail "b (192.0.2.200) should win the tie; holders: '$(lab_holders 192.0.2.2)'"
grep -q 'MASTER -> BACKUP (advert from 192.0.2.200 with equal priority 100 and higher address)' \
    "$LAB_DIR/a.log" || lab_fail "a's log does not show the tie-break"
sleep 1
lab_only_holder b 192.0.2.2 || lab_fail "tie not stable: holders '$(lab_holders 192.0.2.2)'"
lab_wait 1000 lab_ping client 192.0.2.2 || lab_fail "the VIP does not answer"
lab_log "PASS: equal priority broken by the higher address"
