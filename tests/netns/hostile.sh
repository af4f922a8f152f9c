#!/usr/bin/env bash
# Hostile and broken packets on the segment: adverts with TTL 254 (forwarded, so not from
# the link: RFC 9568 §7.1), a bad checksum, and truncated ones, all claiming a higher
# priority. vipd drops every one, counts each by reason, rate-limits the log, and stays
# master; a well-formed higher-priority advert then does take over (the test can fail).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
lab_init
lab_host v 192.0.2.11/24
lab_host x 192.0.2.13/24
lab_vipd v "$(lab_conf name=web vrid=96 priority=100 advert_interval=0.1 addresses='"192.0.2.96/24"')"
lab_wait 2000 lab_has_vip v 192.0.2.96 || lab_fail "vipd should be master"
send() {  # send TTL KIND COUNT: VRRPv3 adverts for VRID 96, priority 250, from x
    ip netns exec "$(lab_ns x)" python3 - "$@" <<'PY'
import socket, struct, sys, time
ttl, kind, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
src, dst = "192.0.2.13", "224.0.0.18"
def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
msg = bytes([0x31, 96, 250, 1]) + struct.pack("!HH", 10, 0) + socket.inet_aton("192.0.2.96")
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
send 254 good 100
send 255 badsum 50
send 255 short 50
sleep 0.5
lab_has_vip v 192.0.2.96 || lab_fail "a hostile packet took the VIP"
[ "$(lab_log_count v 'MASTER -> BACKUP')" -eq 0 ] || lab_fail "vipd left MASTER"
lab_signal v USR1
lab_wait 1000 test -s "$LAB_DIR/v.run/snapshot.json" || lab_fail "no snapshot"
python3 - "$LAB_DIR/v.run/snapshot.json" <<'PY' || lab_fail "drops not counted by reason"
import json, sys
drops = json.load(open(sys.argv[1]))["sockets"][0]["drops"]
print({k: v for k, v in drops.items() if v})
assert drops["bad_ttl"] == 100 and drops["bad_checksum"] == 50 and drops["truncated"] == 50, drops
PY
n=$(lab_log_count v 'dropped packet')
[ "$n" -le 12 ] || lab_fail "$n log lines for 200 bad packets: not rate limited"
# The same advert with TTL 255 is legitimate: vipd must yield to it.
send 255 good 30
lab_wait 1000 grep 'MASTER -> BACKUP (advert from 192.0.2.13 with higher priority 250)' \
    "$LAB_DIR/v.log" >/dev/null || lab_fail "vipd ignored a valid higher-priority advert"
lab_log "PASS"
