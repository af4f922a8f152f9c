#!/usr/bin/env bash
# A new master announces each VIP garp_count times, garp_interval apart, and again every
# garp_refresh; IPv6 VIPs get unsolicited NAs with the Override flag. Counted and timed on
# the wire by tcpdump.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
lab_init
lab_host a 192.0.2.11/24 2001:db8::11/64
lab_host client 192.0.2.100/24 2001:db8::100/64
cap() {  # cap FILTER SECONDS: frames matching FILTER on the client, one per line, epoch time
    timeout "$2" ip netns exec "$(lab_ns client)" tcpdump -l -n -tt -v -i eth0 "$1" 2>/dev/null || true
}
# gaps FILE PATTERN: the times between consecutive lines matching PATTERN, in ms.
gaps() { awk -v re="$2" '$0 ~ re { if (n++) printf "%d ", ($1 - p) * 1000; p = $1 }' "$1"; }
# within GAPS LOW HIGH: every gap in GAPS is in LOW..HIGH ms.
within() {
    local g
    for g in $1; do [ "$g" -ge "$2" ] && [ "$g" -le "$3" ] || return 1; done
}
cap 'arp' 2.5 >"$LAB_DIR/arp.txt" &
capper=$!
sleep 0.3  # tcpdump is listening
lab_vipd a "$(cat <<'CONF'
instances = (
  { name = "v4"; interface = "eth0"; vrid = 63; priority = 150; advert_interval = 0.1;
    addresses = ( "192.0.2.63/24" ); garp_count = 3; garp_interval = 0.1; garp_refresh = 0.5; },
  { name = "v6"; interface = "eth0"; vrid = 63; priority = 150; advert_interval = 0.1;
    addresses = ( "2001:db8::63/64" ); garp_count = 2; garp_interval = 0.1; }
);
CONF
)"
wait "$capper"
# Within 2.2 s of startup: master at ~0.36 s, then a burst of 3 GARPs 100 ms apart, then
# one every 500 ms (the refresh, counted from the end of the burst).
garp='Request who-has 192.0.2.63 .*tell 192.0.2.63'
n=$(grep -cE "$garp" "$LAB_DIR/arp.txt" || true)
g=$(gaps "$LAB_DIR/arp.txt" "$garp")
lab_log "gratuitous ARPs seen: $n, gaps (ms): $g"
[ "$n" -ge 4 ] && [ "$n" -le 7 ] || lab_fail "expected 3 GARPs plus 1..3 refreshes, saw $n: $(cat "$LAB_DIR/arp.txt")"
read -r -a gv <<<"$g"
within "${gv[*]:0:2}" 70 150 || lab_fail "the burst's GARPs are not garp_interval (100 ms) apart: $g"
within "${gv[*]:2}" 450 600 || lab_fail "the refreshes are not garp_refresh (500 ms) apart: $g"

# Unsolicited NAs for the IPv6 VIP: exactly garp_count (2), garp_interval (default 0.2 s)
# apart, each with the Override flag set (RFC 4861 §7.2.6: so the client replaces the old
# master's link-layer address) and hop limit 255 (§7.1.2: receivers drop anything else).
lab_stop a
cap 'icmp6 and ip6[40] == 136' 2 >"$LAB_DIR/na.txt" &
capper=$!
sleep 0.3
lab_vipd a "$(lab_conf name=v6 vrid=63 priority=150 advert_interval=0.1 addresses='"2001:db8::63/64"' garp_count=2)"
wait "$capper"
na='neighbor advertisement, length [0-9]+, tgt is 2001:db8::63'
n=$(grep -cE "$na" "$LAB_DIR/na.txt" || true)
g=$(gaps "$LAB_DIR/na.txt" "$na")
lab_log "unsolicited NAs seen: $n, gaps (ms): $g"
[ "$n" -eq 2 ] || lab_fail "expected 2 NAs, saw $n: $(cat "$LAB_DIR/na.txt")"
within "$g" 150 260 || lab_fail "the NAs are not garp_interval (200 ms) apart: $g"
o=$(grep -cE "hlim 255,.*$na, Flags \[[a-z, ]*override" "$LAB_DIR/na.txt" || true)
[ "$o" -eq 2 ] || lab_fail "NAs without the Override flag or hop limit 255: $(grep -E "$na" "$LAB_DIR/na.txt")"
lab_log "PASS"
