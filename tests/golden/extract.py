#!/usr/bin/env python3
"""Pull golden VRRP adverts out of a pcap written by capture.sh.

Each fixture is identified on the wire by (family, src, dst, version, vrid); every other
field is decoded independently here and compared with what capture.sh configured, so a
fixture is only written when the bytes and the config agree. The checksum variant is
found by verifying every candidate, never assumed. Stdlib only, so it runs anywhere.

  extract.py ready SPEC PCAP MIN       exit 0 once every fixture has MIN adverts
  extract.py write SPEC PCAP OUTDIR    write <file>.bin for each fixture plus MANIFEST
"""

import ipaddress
import struct
import sys

IPPROTO_VRRP = 112
LINKTYPE_ETHERNET = 1
VRRP_V2_MCAST = ipaddress.IPv4Address("224.0.0.18")
COLUMNS = ("file family version src dst ttl vrid priority adver_int auth_type "
           "auth_data checksum addresses").split()
# Columns taken from the spec (what the config asked for); 'checksum' is measured only.
EXPECTED = [c for c in COLUMNS if c != "checksum"]


class Bad(Exception):
    pass


def read_spec(path):
    specs = []
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].split()
            if not line:
                continue
            if len(line) != len(EXPECTED):
                raise Bad(f"{path}: want {len(EXPECTED)} columns, got {line}")
            specs.append(dict(zip(EXPECTED, line)))
    return specs


def read_pcap(path):
    """Yield frames. The file may still be growing under tcpdump -U, so a short trailing
    record is simply the end, not an error."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        endian = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        endian = ">"
    else:
        raise Bad(f"{path}: not a classic pcap file (pcapng?)")
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    if linktype != LINKTYPE_ETHERNET:
        raise Bad(f"{path}: link type {linktype}, expected Ethernet")
    off = 24
    while off + 16 <= len(data):
        _, _, caplen, wirelen = struct.unpack(endian + "IIII", data[off:off + 16])
        off += 16
        if off + caplen > len(data):
            return
        if caplen != wirelen:
            raise Bad(f"{path}: truncated capture (snaplen too small)")
        yield data[off:off + caplen]
        off += caplen


def vrrp_packets(path):
    """Yield (family, src, dst, ttl, payload) for every VRRP packet. The payload is cut
    to the IP length: short IPv4 frames carry Ethernet padding after the VRRP message."""
    for frame in read_pcap(path):
        ethertype = struct.unpack("!H", frame[12:14])[0]
        ip = frame[14:]
        if ethertype == 0x0800:
            ihl = (ip[0] & 0x0F) * 4
            total, frag, ttl, proto = struct.unpack("!H2xHBB", ip[2:10])
            if proto != IPPROTO_VRRP or frag & 0x3FFF:
                continue
            yield ("ipv4", ipaddress.IPv4Address(ip[12:16]),
                   ipaddress.IPv4Address(ip[16:20]), ttl, ip[ihl:total])
        elif ethertype == 0x86DD:
            plen, nxt, hlim = struct.unpack("!HBB", ip[4:8])
            off = 40
            # Walk hop-by-hop/routing/destination options headers if a sender adds them.
            while nxt in (0, 43, 60):
                nxt, hdrlen = ip[off], (ip[off + 1] + 1) * 8
                off += hdrlen
            if nxt != IPPROTO_VRRP:
                continue
            yield ("ipv6", ipaddress.IPv6Address(ip[8:24]),
                   ipaddress.IPv6Address(ip[24:40]), hlim, ip[off:40 + plen])


def inet_checksum_ok(data):
    """RFC 1071: the one's complement sum over data including its checksum is 0xffff."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s == 0xFFFF


def pseudo_header(family, src, dst, length):
    if family == "ipv4":  # RFC 768 style
        return src.packed + dst.packed + struct.pack("!BBH", 0, IPPROTO_VRRP, length)
    return src.packed + dst.packed + struct.pack("!I3xB", length, IPPROTO_VRRP)  # RFC 8200 8.1


def checksum_variant(family, version, src, dst, msg):
    """Return the one variant that verifies; anything else is a finding, not a guess."""
    candidates = {"v3-pseudo": pseudo_header(family, src, dst, len(msg)) + msg}
    if family == "ipv4":
        candidates["v3-nopseudo"] = msg
        if dst != VRRP_V2_MCAST:
            # keepalived's old_unicast_checksum puts the multicast group in the pseudo-header.
            candidates["v3-pseudo-mcast-dst"] = (
                pseudo_header(family, src, VRRP_V2_MCAST, len(msg)) + msg)
    ok = [name for name, data in candidates.items() if inet_checksum_ok(data)]
    if version == 2:
        if ok != ["v3-nopseudo"]:
            raise Bad(f"VRRPv2 checksum verifies as {ok or 'nothing'}")
        return "v2"
    if len(ok) != 1:
        raise Bad(f"VRRPv3 checksum verifies as {ok or 'nothing'}")
    return ok[0]


def decode(family, src, dst, ttl, msg):
    """Decode one advert into manifest columns (strings), strictly: any stray byte fails."""
    if len(msg) < 8:
        raise Bad(f"message too short ({len(msg)} bytes)")
    ver_type, vrid, prio, count = msg[:4]
    version, typ = ver_type >> 4, ver_type & 0x0F
    if typ != 1:
        raise Bad(f"type {typ} is not an advertisement")
    alen = 4 if family == "ipv4" else 16
    if version == 2:
        if family != "ipv4":
            raise Bad("VRRPv2 over IPv6")
        auth_type, adver = msg[4], msg[5]
        want = 8 + 4 * count + 8  # RFC 3768 5.1: header, addresses, 8 octets auth data
        auth_raw = msg[8 + 4 * count:]
        # RFC 3768 5.3.7.1: the password is padded with zeros to the full 8 octets.
        auth_data = auth_raw.rstrip(b"\0").decode("ascii") if auth_type else "-"
        if not auth_type and any(auth_raw):
            raise Bad("auth_type 0 but non-zero auth data")
    elif version == 3:
        word = struct.unpack("!H", msg[4:6])[0]
        if word >> 12:
            raise Bad(f"reserved bits set: {word >> 12:#x}")
        adver, auth_type, auth_data = word & 0x0FFF, 0, "-"
        want = 8 + alen * count
    else:
        raise Bad(f"version {version}")
    if len(msg) != want:
        raise Bad(f"length {len(msg)}, expected {want} for {count} addresses")
    cls = ipaddress.IPv4Address if family == "ipv4" else ipaddress.IPv6Address
    addrs = [str(cls(msg[8 + i * alen:8 + (i + 1) * alen])) for i in range(count)]
    return {
        "family": family, "version": str(version), "src": str(src), "dst": str(dst),
        "ttl": str(ttl), "vrid": str(vrid), "priority": str(prio),
        "adver_int": str(adver), "auth_type": str(auth_type), "auth_data": auth_data,
        "checksum": checksum_variant(family, version, src, dst, msg),
        "addresses": ",".join(addrs),
    }


def matching(specs, pcap):
    """Group VRRP payloads by fixture, selected only by what identifies a sender."""
    found = {s["file"]: [] for s in specs}
    for family, src, dst, ttl, msg in vrrp_packets(pcap):
        if len(msg) < 2:
            continue
        for s in specs:
            if (s["family"], s["src"], s["dst"], int(s["version"]), int(s["vrid"])) == \
                    (family, str(src), str(dst), msg[0] >> 4, msg[1]):
                found[s["file"]].append((family, src, dst, ttl, msg))
    return found


def cmd_ready(spec, pcap, minimum):
    found = matching(read_spec(spec), pcap)
    missing = [f"{name}={len(p)}" for name, p in found.items() if len(p) < int(minimum)]
    if missing:
        print("waiting for: " + " ".join(missing))
        return 1
    return 0


def cmd_write(spec, pcap, outdir, *comment):
    specs = read_spec(spec)
    found = matching(specs, pcap)
    rows, errors = [], []
    for s in specs:
        pkts = found[s["file"]]
        try:
            if not pkts:
                raise Bad("no advert captured")
            # A golden file must be reproducible: the master repeats the same bytes, so
            # any variation between adverts means we are not capturing a steady state.
            if len({(p[3], p[4]) for p in pkts}) != 1:
                raise Bad(f"{len(pkts)} adverts are not all identical")
            row = decode(*pkts[-1])
            diff = [f"{k}: captured {row[k]} != configured {s[k]}"
                    for k in EXPECTED[1:] if row[k] != s[k]]
            if diff:
                raise Bad("; ".join(diff))
        except (Bad, UnicodeDecodeError, IndexError, struct.error) as e:
            errors.append(f"{s['file']}: {e}")
            continue
        with open(f"{outdir}/{s['file']}", "wb") as f:
            f.write(pkts[-1][4])
        rows.append([s["file"]] + [row[c] for c in COLUMNS[1:]])
        print(f"{s['file']}: {len(pkts)} identical adverts, {len(pkts[-1][4])} bytes, "
              f"checksum {row['checksum']}")
    if errors:
        print("\n".join(errors), file=sys.stderr)
        return 1
    header = ["# file"] + COLUMNS[1:]
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(len(COLUMNS))]
    with open(f"{outdir}/MANIFEST", "w") as f:
        f.write("# Golden VRRP adverts: the VRRP message only (no IP header), one per file.\n"
                "# Generated by capture.sh from a real capture; see README.md.\n")
        for c in comment:
            f.write(f"# {c}\n")
        f.write("# adver_int is the raw field (v2: seconds, v3: centiseconds); auth_data '-' = none.\n"
                "# checksum: v2 | v3-pseudo (IPv4/IPv6 pseudo-header) | v3-nopseudo (message only).\n")
        for r in [header] + rows:
            f.write("  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() + "\n")
    return 0


def main(argv):
    cmds = {"ready": (cmd_ready, 3), "write": (cmd_write, 3)}
    if len(argv) < 2 or argv[1] not in cmds or len(argv) - 2 < cmds[argv[1]][1]:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        return cmds[argv[1]][0](*argv[2:])
    except (Bad, OSError) as e:
        print(f"extract.py: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
