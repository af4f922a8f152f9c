#!/usr/bin/env bash
# tshark (Wireshark's dissector, an independent implementation) decodes a capture of vipd's
# adverts with no malformed packet, a good checksum (vrrp.checksum.status 1), and the
# configured fields: VRRPv3 over IPv4 and IPv6, and VRRPv2 with a password.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
command -v tshark >/dev/null || { echo "tshark not installed: skipped" >&2; exit 77; }
lab_init
lab_host v 192.0.2.11/24 2001:db8::11/64
lab_host obs 192.0.2.100/24 2001:db8::100/64
cap="$LAB_DIR/vrrp.pcap"
lab_bg ip netns exec "$(lab_ns obs)" tshark -q -i eth0 -f 'ip proto 112 or ip6 proto 112' \
    -a duration:9 -w "$cap"
sleep 1  # tshark is capturing
lab_vipd v "$(cat <<'CONF'
instances = (
  { name = "a"; interface = "eth0"; vrid = 93; priority = 150; advert_interval = 0.25;
    addresses = ( "192.0.2.93/24", "192.0.2.94/24" ); },
  { name = "b"; interface = "eth0"; vrid = 94; priority = 120; advert_interval = 0.5;
    addresses = ( "2001:db8::94/64" ); },
  { name = "c"; interface = "eth0"; vrid = 95; priority = 110; version = 2;
    advert_interval = 1; addresses = ( "192.0.2.95/24" );
    authentication = { type = "pass"; password = "secret1"; }; }
);
CONF
)"
# The VRRPv2 instance is master after 3.6 s and advertises every second: 9 s of capture
# hold several adverts of each instance.
lab_wait 14000 bash -c "! kill -0 ${LAB_BG_PIDS[0]} 2>/dev/null" || lab_fail "tshark did not finish"
[ "$(tshark -r "$cap" 2>/dev/null | wc -l)" -ge 10 ] || lab_fail "too few packets captured: $(tshark -r "$cap" 2>&1 | head -3)"
fields() {
    tshark -r "$cap" -Y "$1" -T fields -E separator=, -e vrrp.version -e vrrp.virt_rtr_id \
        -e vrrp.prio -e vrrp.addr_count -e vrrp.short_adver_int -e vrrp.adver_int \
        -e vrrp.checksum.status "${@:2}" 2>/dev/null |
        sort -u
}
malformed=$(tshark -r "$cap" -Y '_ws.malformed || _ws.expert.severity >= warning' 2>/dev/null | wc -l)
[ "$malformed" -eq 0 ] || lab_fail "tshark flags $malformed packets: $(tshark -r "$cap" -Y '_ws.malformed || _ws.expert.severity >= warning' 2>/dev/null | head -3)"
a=$(fields 'vrrp.virt_rtr_id == 93 && ip.ttl == 255' -e vrrp.ip_addr)
lab_log "v3 IPv4: $a"
[ "$a" = "3,93,150,2,25,,1,192.0.2.93,192.0.2.94" ] || lab_fail "VRID 93 decoded as '$a'"
b=$(fields 'vrrp.virt_rtr_id == 94 && ipv6.hlim == 255' -e vrrp.ipv6_addr)
lab_log "v3 IPv6: $b"
[ "$b" = "3,94,120,1,50,,1,2001:db8::94" ] || lab_fail "VRID 94 decoded as '$b'"
c=$(fields 'vrrp.virt_rtr_id == 95 && ip.ttl == 255' -e vrrp.auth_type -e vrrp.auth_string)
lab_log "v2 PASS: $c"
[ "$c" = "2,95,110,1,,1,1,1,secret1" ] || lab_fail "VRID 95 decoded as '$c'"
lab_log "PASS"
