#!/usr/bin/env bash
# A new master announces each VIP garp_count times, garp_interval apart, and again every
# garp_refresh; IPv6 VIPs get unsolicited NAs. Counted on the wire by tcpdump.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
lab_init
lab_host a 192.0.2.11/24 2001:db8::11/64
lab_host client 192.0.2.100/24 2001:db8::100/64
cap() {  # cap FILTER SECONDS: frames matching FILTER on the client, printed one per line
    timeout "$2" ip netns exec "$(lab_ns client)" tcpdump -l -n -i eth0 "$1" 2>/dev/null || true
}
cap 'arp' 2 >"$LAB_DIR/arp.txt" &
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
# Within 2 s of startup: becomes master at ~0.36 s, 3 GARPs by ~0.56 s, refreshes after.
n=$(grep -cE 'Request who-has 192.0.2.63 .*tell 192.0.2.63' "$LAB_DIR/arp.txt" || true)
lab_log "gratuitous ARPs seen: $n"
[ "$n" -ge 4 ] || lab_fail "expected 3 GARPs plus refreshes, saw $n: $(cat "$LAB_DIR/arp.txt")"
[ "$n" -le 8 ] || lab_fail "too many GARPs ($n) for count 3 + refresh every 0.5 s"
# Unsolicited NAs for the IPv6 VIP, with the override flag.
lab_stop a
cap 'icmp6 and ip6[40] == 136' 2 >"$LAB_DIR/na.txt" &
capper=$!
sleep 0.3
lab_vipd a "$(lab_conf name=v6 vrid=63 priority=150 advert_interval=0.1 addresses='"2001:db8::63/64"' garp_count=2)"
wait "$capper"
n=$(grep -c 'neighbor advertisement, tgt is 2001:db8::63' "$LAB_DIR/na.txt" || true)
lab_log "unsolicited NAs seen: $n"
[ "$n" -ge 2 ] || lab_fail "expected 2 NAs, saw $n: $(cat "$LAB_DIR/na.txt")"
lab_log "PASS"
