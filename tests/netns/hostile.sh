#!/usr/bin/env bash
# Hostile and broken packets on the segment: adverts with TTL 254 (forwarded, so not from
# the link: RFC 9568 §7.1), IPv6 ones with hop limit 254, a bad checksum, truncated ones,
# and adverts for a VRID vipd does not run on the interface, all claiming a higher
# priority. vipd drops every one, counts each by reason, rate-limits the log, and stays
# master; well-formed higher-priority adverts then do take over (the test can fail).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
lab_init
lab_host v 192.0.2.11/24 2001:db8::11/64
lab_host x 192.0.2.13/24 2001:db8::13/64
lab_vipd v "$(cat <<'CONF'
instances = (
  { name = "web"; interface = "eth0"; vrid = 96; priority = 100; advert_interval = 0.1;
    addresses = ( "192.0.2.96/24" ); },
  { name = "web6"; interface = "eth0"; vrid = 96; priority = 100; advert_interval = 0.1;
    addresses = ( "2001:db8::96/64" ); }
);
CONF
)"
lab_wait 2000 lab_has_vip v 192.0.2.96 || lab_fail "vipd should be master"
lab_wait 2000 lab_has_vip v 2001:db8::96 || lab_fail "vipd should be master of the IPv6 VIP"
send() {  # send TTL KIND COUNT [VRID]: VRRPv3 adverts for VRID 96, priority 250, from x
    ip netns exec "$(lab_ns x)" python3 - "$@" <<'PY'
import socket, struct, sys, time
ttl, kind, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
vrid = int(sys.argv[4]) if len(sys.argv) > 4 else 96
src, dst = "192.0.2.13", "224.0.0.18"
def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
msg = bytes([0x31, vrid, 250, 1]) + struct.pack("!HH", 10, 0) + socket.inet_aton("192.0.2.96")
pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + bytes([0, 112]) + struct.pack("!H", len(msg))
msg = msg[:6] + struct.pack("!H", csum(pseudo + msg)) + msg[8:]
if kind == "badsum": msg = msg[:7] + bytes([msg[7] ^ 0x55]) + msg[8:]
if kind == "short": msg = msg[:10]
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 112)
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, ttl)
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(src))
for _ in range(count):
    s.sendto(msg, (dst, 0))
    time.sleep(0.02)
PY
}
send6() {  # send6 HOPLIMIT COUNT: VRRPv3 IPv6 adverts for VRID 96, priority 250, from x
    ip netns exec "$(lab_ns x)" python3 - "$@" <<'PY'
import socket, struct, sys, time
hops, count = int(sys.argv[1]), int(sys.argv[2])
msg = bytes([0x31, 96, 250, 1]) + struct.pack("!HH", 10, 0) + socket.inet_pton(socket.AF_INET6, "2001:db8::96")
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, 112)
s.setsockopt(socket.IPPROTO_IPV6, 7, 6)  # IPV6_CHECKSUM at offset 6: the kernel fills it in
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, hops)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, socket.if_nametoindex("eth0"))
for _ in range(count):
    s.sendto(msg, ("ff02::12", 0, 0, socket.if_nametoindex("eth0")))
    time.sleep(0.02)
PY
}
send 254 good 100
send 255 badsum 50
send 255 short 50
send 255 good 40 97  # VRID 97: not run here (not news: counted, never logged)
send6 254 60
sleep 0.5
lab_has_vip v 192.0.2.96 || lab_fail "a hostile packet took the VIP"
lab_has_vip v 2001:db8::96 || lab_fail "a hostile packet took the IPv6 VIP"
[ "$(lab_log_count v 'MASTER -> BACKUP')" -eq 0 ] || lab_fail "vipd left MASTER"
lab_signal v USR1
lab_wait 1000 test -s "$LAB_DIR/v.run/snapshot.json" || lab_fail "no snapshot"
python3 - "$LAB_DIR/v.run/snapshot.json" <<'PY' || lab_fail "drops not counted by reason"
import json, sys
socks = {s["family"]: s["drops"] for s in json.load(open(sys.argv[1]))["sockets"]}
for fam, drops in socks.items():
    print(fam, {k: v for k, v in drops.items() if v})
v4, v6 = socks["ipv4"], socks["ipv6"]
assert v4["bad_ttl"] == 100 and v4["bad_checksum"] == 50 and v4["truncated"] == 50, v4
assert v4["unknown_vrid"] == 40, v4
assert v6["bad_ttl"] == 60 and sum(v6.values()) == 60, v6
PY
# Rate limited per socket: a burst of 5, then one a second.
n=$(lab_log_count v 'dropped packet from 192')
[ "$n" -le 12 ] || lab_fail "$n log lines for 200 bad IPv4 packets: not rate limited"
n=$(lab_log_count v 'dropped packet from fe80')
[ "$n" -ge 1 ] && [ "$n" -le 8 ] || lab_fail "$n log lines for 60 bad IPv6 packets"
[ "$(lab_log_count v 'dropped packet.*unknown')" -eq 0 ] || lab_fail "unknown VRIDs were logged"
# The same adverts with TTL / hop limit 255 are legitimate: vipd must yield to them.
send 255 good 30
lab_wait 1000 grep 'web vrid 96 v4\] MASTER -> BACKUP (advert from 192.0.2.13 with higher priority 250)' \
    "$LAB_DIR/v.log" >/dev/null || lab_fail "vipd ignored a valid higher-priority advert"
send6 255 30
lab_wait 1000 grep 'web6 vrid 96 v6\] MASTER -> BACKUP (advert from fe80::.* with higher priority 250)' \
    "$LAB_DIR/v.log" >/dev/null || lab_fail "vipd ignored a valid higher-priority IPv6 advert"
lab_log "PASS"
