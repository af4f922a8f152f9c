#!/usr/bin/env bash
# What vipd's adverts look like on the wire, read from a capture at a's switch port by an
# independent decoder (vrrp_pcap.py): TTL / hop limit 255 always (RFC 9568 §5.1.1.3,
# §5.1.2.3); the checksum convention each `checksum` mode sends (auto: the peer's, until
# then the pseudo-header; rfc9568: message only; pseudo-header); source_address as the
# source; unicast adverts to the configured peers only, never to the group; VRRPv2.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
lab_init
lab_host a 192.0.2.11/24 2001:db8::11/64
lab_host p 192.0.2.12/24
lab_host c 192.0.2.13/24  # a unicast peer without vipd: unicast needs someone to deliver to
ns=$(lab_ns a)
ip -n "$ns" addr add 192.0.2.31/24 dev eth0             # a secondary IPv4 address
ip -n "$ns" addr add fe80::31/64 dev eth0 nodad         # a second link-local address
cap="$LAB_DIR/a.pcap"
lab_bg ip netns exec "$(lab_ns sw)" tcpdump -n -U -i a -w "$cap" 'ip proto 112 or ip6 proto 112'
sleep 0.5  # tcpdump is listening

# p advertises in RFC 9568's convention (message only) as master of VRID 101, until a
# (priority 200) preempts it: a's auto mode must answer in p's convention from then on.
lab_vipd p "$(lab_conf name=learn vrid=101 priority=100 advert_interval=0.1 \
    addresses='"192.0.2.101/24"' checksum='"rfc9568"')"
lab_wait 2000 lab_has_vip p 192.0.2.101 || lab_fail "p should be master of VRID 101 first"
lab_vipd a "$(cat <<'CONF'
instances = (
  { name = "learn"; interface = "eth0"; vrid = 101; priority = 200; advert_interval = 0.1;
    addresses = ( "192.0.2.101/24" ); source_address = "192.0.2.31"; },
  { name = "rfc"; interface = "eth0"; vrid = 102; priority = 200; advert_interval = 0.1;
    addresses = ( "192.0.2.102/24" ); checksum = "rfc9568"; },
  { name = "pseudo"; interface = "eth0"; vrid = 103; priority = 200; advert_interval = 0.1;
    addresses = ( "192.0.2.103/24" ); checksum = "pseudo-header"; },
  { name = "auto"; interface = "eth0"; vrid = 104; priority = 200; advert_interval = 0.1;
    addresses = ( "192.0.2.104/24" ); },
  { name = "uni"; interface = "eth0"; vrid = 105; priority = 200; advert_interval = 0.1;
    addresses = ( "192.0.2.105/24" ); unicast_peers = ( "192.0.2.12", "192.0.2.13" ); },
  { name = "six"; interface = "eth0"; vrid = 106; priority = 200; advert_interval = 0.1;
    addresses = ( "2001:db8::106/64" ); source_address = "fe80::31"; },
  { name = "two"; interface = "eth0"; vrid = 107; priority = 200; version = 2;
    advert_interval = 1; addresses = ( "192.0.2.107/24" ); }
);
CONF
)"
lab_wait 3000 lab_only_holder a 192.0.2.101 || lab_fail "a should have preempted p on VRID 101"
# v2 at 1 s: master after ~3.2 s, then a few adverts.
lab_wait 6000 lab_has_vip a 192.0.2.107 || lab_fail "a should be master of VRID 107"
sleep 2.5
lab_stop a
sleep 0.3  # tcpdump has written the last packets (-U)
python3 "$(dirname "$0")/vrrp_pcap.py" "$cap" >"$LAB_DIR/wire.txt"
lab_log "$(wc -l <"$LAB_DIR/wire.txt") VRRP packets captured"
python3 - "$LAB_DIR/wire.txt" <<'PY' || lab_fail "adverts on the wire: see above"
import collections, sys
rows = [l.split() for l in open(sys.argv[1])]
# family src dst ttl version vrid priority count interval checksum
mine = [r for r in rows if r[1] in ("192.0.2.11", "192.0.2.31", "fe80::31")
        or r[1].startswith("fe80::") and r[5] == "106"]
by_vrid = collections.defaultdict(list)
for r in mine:
    by_vrid[int(r[5])].append(r)
bad = []
def want(cond, what):
    if not cond:
        bad.append(what)
# Priority 0 at the end (a stopped) is part of the traffic: every advert counts.
for vrid in range(101, 108):
    want(len(by_vrid[vrid]) >= 3, f"VRID {vrid}: {len(by_vrid[vrid])} adverts from a")
want(all(r[3] == "255" for r in mine), f"TTL/hop limit not 255: {[r for r in mine if r[3] != '255'][:3]}")
def field(vrid, i):
    return collections.Counter(r[i] for r in by_vrid[vrid])
# auto on VRID 101: p's convention (message only), heard before a preempted it.
want(set(field(101, 9)) == {"message"}, f"VRID 101 (auto, peer rfc9568) checksums {field(101, 9)}")
want(set(field(101, 1)) == {"192.0.2.31"}, f"VRID 101 sources {field(101, 1)}, not source_address")
want(set(field(102, 9)) == {"message"}, f"VRID 102 (rfc9568) checksums {field(102, 9)}")
want(set(field(103, 9)) == {"pseudo"}, f"VRID 103 (pseudo-header) checksums {field(103, 9)}")
want(set(field(104, 9)) == {"pseudo"}, f"VRID 104 (auto, nobody heard) checksums {field(104, 9)}")
want(set(field(104, 1)) == {"192.0.2.11"}, f"VRID 104 sources {field(104, 1)}, not the primary")
want(set(field(104, 2)) == {"224.0.0.18"}, f"VRID 104 destinations {field(104, 2)}")
dst105 = field(105, 2)
want(set(dst105) == {"192.0.2.12", "192.0.2.13"} and abs(dst105["192.0.2.12"] - dst105["192.0.2.13"]) <= 1,
     f"VRID 105 (unicast) destinations {dst105}: only and each of the peers")
want(set(field(105, 9)) == {"pseudo"}, f"VRID 105 checksums {field(105, 9)} (each with its peer's address)")
want(set(field(106, 1)) == {"fe80::31"}, f"VRID 106 sources {field(106, 1)}, not source_address")
want(set(field(106, 0)) == {"ipv6"} and set(field(106, 2)) == {"ff02::12"}, f"VRID 106 {by_vrid[106][:1]}")
want(set(field(106, 9)) == {"pseudo"}, f"VRID 106 checksums {field(106, 9)}")
want(set(field(107, 4)) == {"2"} and set(field(107, 8)) == {"1"} and set(field(107, 9)) == {"message"},
     f"VRID 107 (v2) {by_vrid[107][:1]}")
for vrid in sorted(by_vrid):
    print(vrid, by_vrid[vrid][0], len(by_vrid[vrid]))
for b in bad:
    print("FAIL:", b)
sys.exit(1 if bad else 0)
PY
lab_log "PASS"
