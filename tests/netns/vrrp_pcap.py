#!/usr/bin/env python3
"""Prints the VRRP packets of a capture, one line each, as the wire has them.

Usage: vrrp_pcap.py FILE.pcap

Each line: FAMILY SRC DST TTL VERSION VRID PRIORITY COUNT INTERVAL CHECKSUM
where TTL is the IPv4 TTL or IPv6 hop limit, INTERVAL the advert's own field
(centiseconds in v3, seconds in v2) and CHECKSUM which convention the checksum verifies
under, computed here from the bytes: `message` (the VRRP message alone: RFC 9568 for
IPv4, and VRRPv2), `pseudo` (with the IP pseudo-header: RFC 5798, keepalived, FRR, and
always for IPv6) or `bad`. An independent reading, for the network-namespace tests: it
shares no code with vipd's codec.

Reads classic pcap files from tcpdump -w on Ethernet (linktype 1) or Linux cooked
(113, 276: `-i any`) captures; packets other than IP protocol 112 are skipped.
"""
import ipaddress
import struct
import sys


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frames(path):
    with open(path, "rb") as f:
        head = f.read(24)
        magic = struct.unpack("<I", head[:4])[0]
        endian = {0xA1B2C3D4: "<", 0xD4C3B2A1: ">", 0xA1B23C4D: "<", 0x4D3CB2A1: ">"}[magic]
        linktype = struct.unpack(endian + "I", head[20:24])[0]
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                return
            _, _, incl, _ = struct.unpack(endian + "IIII", rec)
            yield linktype, f.read(incl)


def ip_payload(linktype, frame):
    """(ethertype, bytes from the IP header on) or None."""
    if linktype == 1:
        off, ethertype = 14, struct.unpack("!H", frame[12:14])[0]
        if ethertype == 0x8100:  # one VLAN tag
            off, ethertype = 18, struct.unpack("!H", frame[16:18])[0]
    elif linktype == 113:
        off, ethertype = 16, struct.unpack("!H", frame[14:16])[0]
    elif linktype == 276:
        off, ethertype = 20, struct.unpack("!H", frame[0:2])[0]
    else:
        return None
    return ethertype, frame[off:]


def decode(linktype, frame):
    got = ip_payload(linktype, frame)
    if got is None:
        return None
    ethertype, ip = got
    if ethertype == 0x0800 and len(ip) >= 20 and ip[9] == 112:
        ihl = (ip[0] & 0x0F) * 4
        total = struct.unpack("!H", ip[2:4])[0]
        src, dst = ip[12:16], ip[16:20]
        fam, ttl, msg = "ipv4", ip[8], ip[ihl:total]
    elif ethertype == 0x86DD and len(ip) >= 40 and ip[6] == 112:
        plen = struct.unpack("!H", ip[4:6])[0]
        src, dst = ip[8:24], ip[24:40]
        fam, ttl, msg = "ipv6", ip[7], ip[40:40 + plen]
    else:
        return None
    if len(msg) < 8:
        return None
    version, vrid, prio, count = msg[0] >> 4, msg[1], msg[2], msg[3]
    if version == 3:
        interval = struct.unpack("!H", msg[4:6])[0] & 0x0FFF
    else:
        interval = msg[5]
    pseudo = src + dst + (b"\0\0\0\x70" + struct.pack("!I", len(msg)) if fam == "ipv6"
                          else b"\0\x70" + struct.pack("!H", len(msg)))
    if csum(msg) == 0 and fam == "ipv4":
        check = "message"
    elif csum(pseudo + msg) == 0:
        check = "pseudo"
    else:
        check = "bad"
    return (fam, str(ipaddress.ip_address(src)), str(ipaddress.ip_address(dst)), ttl, version,
            vrid, prio, count, interval, check)


def main(path):
    for linktype, frame in frames(path):
        d = decode(linktype, frame)
        if d:
            print(" ".join(str(x) for x in d))


if __name__ == "__main__":
    main(sys.argv[1])
