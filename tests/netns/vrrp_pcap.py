#!/usr/bin/env python3
"""Prints the VRRP packets of a capture, one line each, as the wire has them.

Usage: vrrp_pcap.py FILE.pcap

Each line: FAMILY SRC DST TTL VERSION VRID PRIORITY COUNT INTERVAL CHECKSUM
where TTL is the IPv4 TTL or IPv6 hop limit, INTERVAL the advert's own field
(centiseconds in v3, seconds in v2) and CHECKSUM the convention the checksum verifies
under, computed from the bytes: `message` (the VRRP message alone: RFC 9568 for IPv4, and
VRRPv2), `pseudo` (with the IP pseudo-header: RFC 5798, keepalived, FRR, and always for
IPv6), `pseudo-group` (keepalived's old unicast convention) or `bad`.

The reading is the golden-capture tooling's (tests/golden/extract.py: classic pcap of an
Ethernet capture, e.g. tcpdump -w on a veth), which shares no code with vipd's codec.
"""
import pathlib
import struct
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "golden"))
from extract import Bad, checksum_variant, vrrp_packets  # noqa: E402

CHECKSUM = {"v2": "message", "v3-nopseudo": "message", "v3-pseudo": "pseudo",
            "v3-pseudo-mcast-dst": "pseudo-group"}


def main(path):
    for family, src, dst, ttl, msg in vrrp_packets(path):
        if len(msg) < 8:
            continue
        version, vrid, priority, count = msg[0] >> 4, msg[1], msg[2], msg[3]
        interval = struct.unpack("!H", msg[4:6])[0] & 0x0FFF if version == 3 else msg[5]
        try:
            check = CHECKSUM[checksum_variant(family, version, src, dst, msg)]
        except Bad:
            check = "bad"
        print(family, src, dst, ttl, version, vrid, priority, count, interval, check)


if __name__ == "__main__":
    main(sys.argv[1])
