#!/bin/bash
# Regenerate the golden VRRP advert fixtures in this directory from real keepalived and
# FRR vrrpd. Each daemon runs alone (so it becomes master) in its own network namespace;
# an observer namespace on the same bridge captures what actually crossed the wire.
# Root only, on demand (not CI):   tests/golden/capture.sh [OUTDIR]   (default: here)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:-$here}
min_adverts=3       # per fixture; extract.py insists they are byte-identical
deadline_s=90       # v2 at 3 s: ~10 s to become master, then 2 more intervals

log() { printf 'capture.sh: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

[[ $EUID -eq 0 ]] || die "needs root (network namespaces, raw sockets)"
for tool in ip keepalived tcpdump python3 vtysh /usr/lib/frr/zebra /usr/lib/frr/vrrpd; do
    command -v "$tool" >/dev/null || die "missing $tool"
done
[[ -d $out ]] || die "output directory $out does not exist"

# Unique per run, so a concurrent or crashed run never collides with this one.
prefix="vgold$$"
brns="$prefix-br"
frr_pathspace="$prefix-frr"   # FRR creates /var/run/frr/<pathspace> whatever we tell it
# libfrr also hard-codes /var/tmp/frr/<daemon>.<pid> (crash log buffer); it removes the
# per-pid dir on a clean exit but not the parent, so note whether that existed before.
frr_tmp=/var/tmp/frr
[[ -e $frr_tmp ]] && frr_tmp_existed=1 || frr_tmp_existed=0
frr_pids=()
work=""
namespaces=()
pids=()

any_alive() {
    local pid
    for pid in "$@"; do kill -0 "$pid" 2>/dev/null && return 0; done
    return 1
}

cleanup() {
    local rc=$? pid ns f
    set +e
    trap - INT TERM
    if ((rc != 0)) && [[ -n $work ]]; then
        for f in "$work"/*.log "$work"/*/*.log; do
            [[ -s $f ]] && { log "--- ${f#"$work"/}"; tail -n 20 "$f" >&2; }
        done
    fi
    # TERM first so daemons shut down the normal way (priority 0, VIPs removed), all of
    # it inside the lab; give them 5 s.
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
    for _ in {1..50}; do any_alive "${pids[@]}" || break; sleep 0.1; done
    # Whatever still lives in our namespaces (a keepalived VRRP child whose parent died,
    # a hung daemon) is ours by construction: kill it by pid, never by name.
    for ns in "${namespaces[@]}"; do
        ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
    done
    wait 2>/dev/null
    # Deleting the namespaces also deletes their veths, macvlans and the bridge.
    for ns in "${namespaces[@]}"; do ip netns del "$ns" 2>/dev/null; done
    rmdir "/var/run/frr/$frr_pathspace" 2>/dev/null
    for pid in "${frr_pids[@]}"; do rm -rf -- "$frr_tmp/zebra.$pid" "$frr_tmp/vrrpd.$pid"; done
    ((frr_tmp_existed)) || rmdir "$frr_tmp" 2>/dev/null
    [[ -n $work ]] && rm -rf -- "$work"
    ((rc == 0)) || log "FAILED (exit $rc); nothing was written to $out"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

work=$(mktemp -d)
# FRR daemons drop to user frr and must reach their state dir inside the work dir.
chmod 711 "$work"
spec="$work/expected"   # what each config asks for; extract.py checks the bytes against it
pcap="$work/vrrp.pcap"

# ----------------------------------------------------------------------------- lab --

ns_add() {
    namespaces+=("$1")      # registered first: cleanup must see it even if setup fails
    ip netns add "$1"
    ip -n "$1" link set lo up
}

# RFC 4291 appendix A: the link-local address the kernel derives from a MAC (EUI-64).
# Computed here independently so the fixture proves the source really was EUI-64.
eui64_ll() {
    python3 -c 'import ipaddress, sys
m = bytes.fromhex(sys.argv[1].replace(":", ""))
print(ipaddress.IPv6Address(b"\xfe\x80" + bytes(6) + bytes([m[0] ^ 2]) + m[1:3] + b"\xff\xfe" + m[3:]))' "$1"
}

# add_host NAME MAC [ADDR/LEN...]: namespace $prefix-NAME with eth0 plugged into the bridge.
add_host() {
    local name=$1 mac=$2 ns="$prefix-$1" a
    shift 2
    ns_add "$ns"
    # No DAD: a daemon started right away would otherwise find its link-local address
    # (its IPv6 advert source) still tentative. Set before eth0 exists so it inherits.
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
        net.ipv6.conf.default.accept_dad=0
    ip -n "$ns" link add eth0 address "$mac" type veth peer name "$name" netns "$brns"
    ip -n "$ns" link set eth0 addrgenmode eui64
    for a in "$@"; do ip -n "$ns" addr add "$a" dev eth0; done
    ip -n "$brns" link set "$name" master br0 up
    ip -n "$ns" link set eth0 up
}

# expect FILE FAMILY VERSION SRC DST TTL VRID PRIORITY ADVER_INT AUTH_TYPE AUTH_DATA ADDRS
expect() { echo "$*" >>"$spec"; }

ns_add "$brns"
# The bridge namespace only switches frames; keep it silent.
ip netns exec "$brns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
    net.ipv6.conf.default.disable_ipv6=1
# Snooping off: the observer never joins 224.0.0.18 / ff02::12 but must see every advert.
ip -n "$brns" link add br0 type bridge mcast_snooping 0
ip -n "$brns" link set br0 up

# The observer is also the unicast peer, so unicast adverts reach the capture point.
add_host obs 02:53:00:00:00:02 198.51.100.2/24

# ---------------------------------------------------------------------- keepalived --

# keepalived_conf NAME < instance config: a private config with a common global block.
keepalived_conf() {
    mkdir "$work/$1"
    {
        printf 'global_defs {\n    router_id %s\n}\n\n' "$prefix-$1"
        cat
    } >"$work/$1/keepalived.conf"
}

# Foreground (-n), VRRP only (-P), console log (-l) without syslog (-G), and pid files in
# the work dir so nothing collides with a system keepalived.
keepalived_start() {
    local d="$work/$1"
    ip netns exec "$prefix-$1" keepalived -n -l -G -P -f "$d/keepalived.conf" \
        -p "$d/main.pid" -r "$d/vrrp.pid" >"$d/keepalived.log" 2>&1 &
    pids+=("$!")
}

add_host ka2p 02:53:00:00:00:11 198.51.100.11/24
keepalived_conf ka2p <<'EOF'
vrrp_instance golden {
    interface eth0
    version 2
    virtual_router_id 51
    priority 150
    advert_int 3
    authentication {
        auth_type PASS
        auth_pass secret1
    }
    virtual_ipaddress {
        192.0.2.51/32
    }
}
EOF
expect keepalived-v2-pass.bin ipv4 2 198.51.100.11 224.0.0.18 255 51 150 3 1 secret1 \
    192.0.2.51

add_host ka2n 02:53:00:00:00:12 198.51.100.12/24
# VIPs deliberately not in ascending order: the fixture shows the order on the wire.
keepalived_conf ka2n <<'EOF'
vrrp_instance golden {
    interface eth0
    version 2
    virtual_router_id 52
    priority 200
    advert_int 3
    virtual_ipaddress {
        192.0.2.152/32
        192.0.2.52/32
    }
}
EOF
expect keepalived-v2-none.bin ipv4 2 198.51.100.12 224.0.0.18 255 52 200 3 0 - \
    192.0.2.152,192.0.2.52

add_host ka3 02:53:00:00:00:13 198.51.100.13/24
keepalived_conf ka3 <<'EOF'
vrrp_instance golden {
    interface eth0
    version 3
    virtual_router_id 53
    priority 101
    advert_int 1.2
    virtual_ipaddress {
        192.0.2.53/32
        192.0.2.153/32
        192.0.2.253/32
    }
}
EOF
expect keepalived-v3-ipv4.bin ipv4 3 198.51.100.13 224.0.0.18 255 53 101 120 0 - \
    192.0.2.53,192.0.2.153,192.0.2.253

# No IPv4 address at all: the IPv6 adverts must come from eth0's EUI-64 link-local.
# Two instances: global VIPs only (keepalived warns "the first IPv6 VIP address should be
# link local", FRR never sends one), and the link-local-first list keepalived asks for.
add_host ka6 02:53:00:00:00:14
keepalived_conf ka6 <<'EOF'
vrrp_instance golden {
    interface eth0
    version 3
    virtual_router_id 54
    priority 200
    advert_int 1.2
    virtual_ipaddress {
        2001:db8:54::1/64
        2001:db8:54::2/64
    }
}

vrrp_instance golden_ll {
    interface eth0
    version 3
    virtual_router_id 56
    priority 101
    advert_int 2.5
    virtual_ipaddress {
        fe80::56/64
        2001:db8:56::1/64
    }
}
EOF
expect keepalived-v3-ipv6.bin ipv6 3 "$(eui64_ll 02:53:00:00:00:14)" ff02::12 255 54 200 120 0 - \
    2001:db8:54::1,2001:db8:54::2
expect keepalived-v3-ipv6-ll.bin ipv6 3 "$(eui64_ll 02:53:00:00:00:14)" ff02::12 255 56 101 250 0 - \
    fe80::56,2001:db8:56::1

add_host ka3u 02:53:00:00:00:15 198.51.100.15/24
keepalived_conf ka3u <<'EOF'
vrrp_instance golden {
    interface eth0
    version 3
    virtual_router_id 55
    priority 150
    advert_int 1.2
    unicast_src_ip 198.51.100.15
    unicast_peer {
        198.51.100.2
    }
    virtual_ipaddress {
        192.0.2.55/32
    }
}
EOF
expect keepalived-v3-ipv4-unicast.bin ipv4 3 198.51.100.15 198.51.100.2 255 55 150 120 0 - \
    192.0.2.55

# ---------------------------------------------------------------------------- FRR --
# One zebra + vrrpd pair carries three virtual routers: v3 IPv4 (61), v3 IPv6 (62) and
# v2 IPv4 (63). FRR's advertisement-interval is in milliseconds.

add_host frr 02:53:00:00:00:21 198.51.100.21/24
frrns="$prefix-frr"
# Without these eth0 would also answer ARP for the VIPs (see interop-notes.md).
ip netns exec "$frrns" sysctl -qw net.ipv4.conf.all.arp_ignore=1 \
    net.ipv4.conf.all.arp_announce=2

# vrrpd only serves a VRID through a macvlan carrying the virtual MAC and the VIPs.
# macvlan NAME MAC ADDR...  (MAC is set after creation: this kernel rejects it inline)
macvlan() {
    local dev=$1 mac=$2 a
    shift 2
    ip -n "$frrns" link add "$dev" link eth0 type macvlan mode bridge
    ip -n "$frrns" link set "$dev" address "$mac"
    # nodad: the VIP must be usable at once; the flag only exists for IPv6.
    for a in "$@"; do
        if [[ $a == *:* ]]; then
            ip -n "$frrns" addr add "$a" dev "$dev" nodad
        else
            ip -n "$frrns" addr add "$a" dev "$dev"
        fi
    done
    ip -n "$frrns" link set "$dev" up
}
macvlan vrrp4-61 00:00:5e:00:01:3d 192.0.2.61/32 192.0.2.161/32
# vrrpd sends IPv6 adverts from this macvlan's link-local, not eth0's. FRR's docs give it
# addrgenmode random (routers sharing a VRID would otherwise derive the same address);
# alone on the segment we keep the EUI-64 of the virtual MAC so the source is fixed.
macvlan vrrp6-62 00:00:5e:00:02:3e 2001:db8:62::1/64 2001:db8:62::2/64
macvlan vrrp4-63 00:00:5e:00:01:3f 192.0.2.63/32

frr_dir="$work/frr"
install -d -o frr -g frrvty -m 770 "$frr_dir"
cat >"$frr_dir/vrrpd.conf" <<'EOF'
interface eth0
 vrrp 61 version 3
 vrrp 61 priority 200
 vrrp 61 advertisement-interval 1200
 vrrp 61 ip 192.0.2.161
 vrrp 61 ip 192.0.2.61
 vrrp 62 version 3
 vrrp 62 priority 150
 vrrp 62 advertisement-interval 1200
 vrrp 62 ipv6 2001:db8:62::2
 vrrp 62 ipv6 2001:db8:62::1
 vrrp 63 version 2
 vrrp 63 priority 101
 vrrp 63 advertisement-interval 3000
 vrrp 63 ip 192.0.2.63
EOF
: >"$frr_dir/zebra.conf"
chown frr:frrvty "$frr_dir"/*.conf
expect frr-v3-ipv4.bin ipv4 3 198.51.100.21 224.0.0.18 255 61 200 120 0 - \
    192.0.2.161,192.0.2.61
expect frr-v3-ipv6.bin ipv6 3 "$(eui64_ll 00:00:5e:00:02:3e)" ff02::12 255 62 150 120 0 - \
    2001:db8:62::2,2001:db8:62::1
expect frr-v2-ipv4.bin ipv4 2 198.51.100.21 224.0.0.18 255 63 101 3 0 - \
    192.0.2.63

# Every path FRR would default to (/var/run/frr, /etc/frr, vty port) is redirected here.
frr_start() {
    ip netns exec "$frrns" "/usr/lib/frr/$1" -N "$frr_pathspace" -z "$frr_dir/zserv.api" \
        --vty_socket "$frr_dir" -i "$frr_dir/$1.pid" -f "$frr_dir/$1.conf" -P 0 \
        --log stdout >"$work/frr-$1.log" 2>&1 &
    pids+=("$!")
    frr_pids+=("$!")
}

# ------------------------------------------------------------------------ capture --

# -Z root: tcpdump would otherwise drop to a user that cannot write into the work dir.
ip netns exec "$prefix-obs" tcpdump -i eth0 -n -U -s 0 -Z root -w "$pcap" \
    'ip proto 112 or ip6 proto 112' 2>"$work/tcpdump.log" &
tcpdump_pid=$!
pids+=("$tcpdump_pid")
for _ in {1..50}; do grep -qs 'listening on' "$work/tcpdump.log" && break; sleep 0.1; done
grep -qs 'listening on' "$work/tcpdump.log" || die "tcpdump did not start"

for k in ka2p ka2n ka3 ka6 ka3u; do keepalived_start "$k"; done
frr_start zebra
for _ in {1..50}; do [[ -S $frr_dir/zserv.api ]] && break; sleep 0.1; done
[[ -S $frr_dir/zserv.api ]] || die "zebra did not open its API socket"
frr_start vrrpd

log "waiting up to ${deadline_s}s for $min_adverts adverts from every daemon"
end=$((SECONDS + deadline_s))
until python3 "$here/extract.py" ready "$spec" "$pcap" "$min_adverts" >"$work/ready.log"; do
    if ((SECONDS >= end)); then
        cat "$work/ready.log" >&2
        vtysh --vty_socket "$frr_dir" -c 'show vrrp' >&2 || true
        die "timed out"
    fi
    sleep 0.5
done

# Stop the capture before any daemon: their shutdown adverts (priority 0) stay out.
kill -INT "$tcpdump_pid"
wait "$tcpdump_pid" || true

mkdir "$work/out"
python3 "$here/extract.py" write "$spec" "$pcap" "$work/out" \
    "keepalived $(dpkg-query -W -f '${Version}' keepalived), frr $(dpkg-query -W -f '${Version}' frr)"
# Only a complete, verified set replaces the committed fixtures.
cp "$work"/out/* "$out"/
log "wrote MANIFEST and $(grep -vc '^#' "$work/out/MANIFEST") fixtures to $out"
