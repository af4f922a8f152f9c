# Lab harness for vipd's network-namespace tests and the demo. Source it, then:
#   lab_init                      namespaces prefix, work dir, cleanup trap (always runs)
#   lab_host NAME ADDR4 [ADDR6]   a host namespace with eth0 on the lab bridge
#   lab_vipd NAME CONFIG_TEXT     start vipd in NAME with that config (lab_stop to stop)
#   lab_stop NAME [SIGNAL]        stop it; fails unless TERM ends it with status 0 in 10 s
#   lab_ctl NAME ARGS / lab_field NAME INSTANCE FIELD   vipctl, and one status field
#   lab_wait MS CMD...            poll CMD every 10 ms until it succeeds or MS pass
#   lab_has_vip NAME ADDR         NAME holds ADDR on eth0
#   lab_cut NAME / lab_mend NAME  take NAME's switch port down / up (a cable pull)
# Daemons a scenario leaves running get a TERM at the end and must exit 0 too: a crash, a
# sanitizer report or a hang at shutdown fails the scenario.
# Only documentation addresses (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24,
# 2001:db8::/32) are used, only inside namespaces this lab made. Root-only: a caller that
# is not root gets exit 77 (meson's "skipped").
# Pipelines run under pipefail: grep -q would exit at the first match and kill the writer
# with SIGPIPE, failing the pipeline at random, so matches are written to /dev/null instead.
# shellcheck shell=bash

LAB_ROOT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
: "${VIPD:=$LAB_ROOT_DIR/build/src/vipd}"
: "${VIPCTL:=$(dirname "$VIPD")/vipctl}"

lab_log() { printf '%s %s\n' "$(date +%H:%M:%S.%3N)" "$*" >&2; }
lab_fail() {
    lab_log "FAIL: $*"
    LAB_FAILED=1
    exit 1
}
lab_now_ms() { echo $(($(date +%s%N) / 1000000)); }

lab_require_root() {
    if [ "$(id -u)" -ne 0 ]; then
        echo "needs root (network namespaces): skipped" >&2
        exit 77
    fi
    [ -x "$VIPD" ] || { echo "vipd binary not found at $VIPD" >&2; exit 1; }
}

lab_init() {
    lab_require_root
    LAB="vl$$"  # short: namespace names show up in logs
    LAB_DIR=$(mktemp -d "${TMPDIR:-/tmp}/vipd-lab.XXXXXX")
    LAB_HOSTS=()
    LAB_FAILED=0
    LAB_BG_PIDS=()
    declare -gA LAB_PIDS=()
    trap lab_cleanup EXIT
    trap 'exit 130' INT TERM
    ip netns add "$LAB-sw"
    ip -n "$LAB-sw" link set lo up
    # No multicast snooping: with no querier on the segment it would starve VRRP's group.
    ip -n "$LAB-sw" link add br0 type bridge mcast_snooping 0
    ip -n "$LAB-sw" link set br0 up
}

lab_cleanup() {
    local status=$?
    set +e
    local name pid
    # Daemons still running stop as at the end of a real run: TERM, all at once (masters
    # hand over side by side), then each must exit 0. A crash, a sanitizer report or a hang
    # at shutdown fails a scenario that had passed. After a failure they are just killed.
    local sig=TERM
    [ "$status" -ne 0 ] || [ "${LAB_FAILED:-0}" -ne 0 ] && sig=KILL
    for name in "${!LAB_PIDS[@]}"; do kill -"$sig" "${LAB_PIDS[$name]}" 2>/dev/null; done
    for name in "${!LAB_PIDS[@]}"; do
        lab_reap "$name" "$sig"
        if [ -n "$LAB_REAP_PROBLEM" ] && [ "$sig" = TERM ]; then
            lab_log "FAIL at cleanup: $LAB_REAP_PROBLEM"
            status=1
        fi
    done
    for pid in "${LAB_BG_PIDS[@]}"; do kill -9 "$pid" 2>/dev/null; done
    for name in "${LAB_HOSTS[@]}"; do
        # Anything else we started in there (pingers, tcpdump) goes too.
        ip netns pids "$LAB-$name" 2>/dev/null | xargs -r kill -9 2>/dev/null
        ip netns del "$LAB-$name" 2>/dev/null
    done
    ip netns del "$LAB-sw" 2>/dev/null
    # No scenario asks for a run the configuration lacks: a refusal by the script launcher
    # means the daemon and the launcher disagree (vipd(8), SECURITY).
    if [ "$status" -eq 0 ] && [ "${LAB_FAILED:-0}" -eq 0 ] &&
        grep -h 'vipd-launcher: refused' "$LAB_DIR"/*.log >&2 2>/dev/null; then
        lab_log "FAIL at cleanup: the script launcher refused a run (above)"
        status=1
    fi
    if [ "$status" -ne 0 ] || [ "${LAB_FAILED:-0}" -ne 0 ]; then
        for f in "$LAB_DIR"/*.log; do
            [ -f "$f" ] || continue
            echo "----- $(basename "$f") (last 40 lines)" >&2
            tail -n 40 "$f" >&2
        done
    fi
    if [ -n "${LAB_KEEP:-}" ]; then cp -r "$LAB_DIR" "$LAB_KEEP"; fi
    rm -rf "$LAB_DIR"
    exit "$status"
}

# lab_host NAME ADDR4/PREFIX [ADDR6/PREFIX]
lab_host() {
    local name=$1 addr4=$2 addr6=${3:-}
    local ns="$LAB-$name"
    ip netns add "$ns"
    LAB_HOSTS+=("$name")
    ip -n "$ns" link set lo up
    # Link-local addresses usable at once: the lab has no duplicates to detect.
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.accept_dad=0 \
        net.ipv6.conf.all.accept_dad=0
    ip -n "$LAB-sw" link add name "$name" type veth peer name eth0 netns "$ns"
    ip -n "$LAB-sw" link set dev "$name" master br0 up
    ip -n "$ns" link set eth0 up
    [ -n "$addr4" ] && ip -n "$ns" addr add "$addr4" dev eth0
    [ -n "$addr6" ] && ip -n "$ns" addr add "$addr6" dev eth0 nodad
    return 0
}

lab_ns() { echo "$LAB-$1"; }

# lab_vipd NAME CONFIG_TEXT [extra vipd args]: writes the config and starts vipd in NAME,
# logging at LAB_LOG_LEVEL (debug) with the debug lines of LAB_DEBUG (packets and timers,
# a line per advert, only when asked for); LAB_LOG_LEVEL=config: as its configuration says.
lab_vipd() {
    local name=$1 conf=$2
    shift 2
    local logging=(--log-level "${LAB_LOG_LEVEL:-debug}" --debug "${LAB_DEBUG:-scripts,netlink,control}")
    [ "${LAB_LOG_LEVEL:-}" = config ] && logging=()
    printf '%s\n' "$conf" >"$LAB_DIR/$name.conf"
    mkdir -p "$LAB_DIR/$name.run"
    ip netns exec "$LAB-$name" "$VIPD" -f "$LAB_DIR/$name.conf" \
        --runtime-dir "$LAB_DIR/$name.run" "${logging[@]}" "$@" \
        >>"$LAB_DIR/$name.log" 2>&1 &
    LAB_PIDS[$name]=$!
}

# lab_stop NAME [SIGNAL]: stops the daemon in NAME and waits for it (TERM by default), and
# fails the scenario unless it ended as that signal should end it: exit 0 within 10 s for
# TERM or INT (a crash, a sanitizer report, a non-zero status or a hang fails), death by
# the signal for KILL. Sets LAB_LAST_EXIT. (A master hands over first: up to two advert
# intervals and 100 ms without a backup.)
lab_stop() {
    local name=$1 sig=${2:-TERM}
    local pid=${LAB_PIDS[$name]:-}
    [ -n "$pid" ] || return 0
    kill -"$sig" "$pid" 2>/dev/null || true
    lab_wait_exit "$name" "$sig"
}

# lab_reap NAME SIGNAL: waits (10 s at most, then kills) for NAME's daemon, which was sent
# SIGNAL; sets LAB_LAST_EXIT, and LAB_REAP_PROBLEM to what was wrong with how it ended
# (empty if nothing). (Not in a subshell: only this shell can wait for its children.)
lab_reap() {
    local name=$1 sig=$2 pid=${LAB_PIDS[$1]} i hung=0
    LAB_REAP_PROBLEM=""
    for i in $(seq 1 1000); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.01
    done
    if kill -0 "$pid" 2>/dev/null; then
        hung=1
        kill -9 "$pid" 2>/dev/null
    fi
    LAB_LAST_EXIT=0
    wait "$pid" 2>/dev/null || LAB_LAST_EXIT=$?
    case $sig in
        KILL | 9) [ "$LAB_LAST_EXIT" -eq 137 ] ||
            LAB_REAP_PROBLEM="$name: exited $LAB_LAST_EXIT before SIGKILL reached it" ;;
        *)
            if [ "$hung" = 1 ]; then
                LAB_REAP_PROBLEM="$name did not exit within 10 s of SIG$sig (killed)"
            elif [ "$LAB_LAST_EXIT" -ne 0 ]; then
                LAB_REAP_PROBLEM="$name exited $LAB_LAST_EXIT after SIG$sig, not 0"
            fi ;;
    esac
}

lab_signal() { kill -"$2" "${LAB_PIDS[$1]}"; }

# lab_wait_exit NAME [SIGNAL]: as lab_stop, for a daemon already sent SIGNAL (TERM).
lab_wait_exit() {
    local name=$1 sig=${2:-TERM}
    [ -n "${LAB_PIDS[$name]:-}" ] || return 0
    lab_reap "$name" "$sig"
    unset "LAB_PIDS[$name]"
    [ -z "$LAB_REAP_PROBLEM" ] || lab_fail "$LAB_REAP_PROBLEM"
}

# lab_ctl NAME ARGS...: vipctl against NAME's vipd.
lab_ctl() {
    local name=$1
    shift
    "$VIPCTL" --socket "$LAB_DIR/$name.run/vipd.sock" "$@"
}

# lab_field NAME INSTANCE FIELD: FIELD of INSTANCE in NAME's `vipctl status --json` (empty
# for null; fails if vipd does not answer or has no such instance).
lab_field() {
    lab_ctl "$1" status --json | python3 -c '
import json, sys
r = json.load(sys.stdin)["result"]["instances"]
v = next(i for i in r if i["name"] == sys.argv[1])[sys.argv[2]]
print("" if v is None else v)' "$2" "$3"
}

# lab_bg CMD...: a helper process outside the namespaces, killed by the cleanup. Its output
# goes to the lab's bg.log: a process holding the test's stdout would keep meson waiting.
lab_bg() {
    "$@" </dev/null >>"$LAB_DIR/bg.log" 2>&1 &
    LAB_BG_PIDS+=($!)
}
lab_running() { kill -0 "${LAB_PIDS[$1]:-0}" 2>/dev/null; }

# lab_wait TIMEOUT_MS CMD...: 0 as soon as CMD succeeds, 1 if it never did in time.
lab_wait() {
    local timeout=$1
    shift
    local deadline=$(($(lab_now_ms) + timeout))
    while :; do
        "$@" && return 0
        [ "$(lab_now_ms)" -ge "$deadline" ] && return 1
        sleep 0.01
    done
}

lab_has_vip() {
    ip -n "$LAB-$1" -o addr show dev eth0 | grep -E "inet6? ${2}/" >/dev/null
}

# Every lab host holding ADDR, space separated.
lab_holders() {
    local h out=""
    for h in "${LAB_HOSTS[@]}"; do
        lab_has_vip "$h" "$1" && out="$out $h"
    done
    echo "${out# }"
}

lab_only_holder() { [ "$(lab_holders "$2")" = "$1" ]; }

lab_cut() { ip -n "$LAB-sw" link set dev "$1" down; }
lab_mend() { ip -n "$LAB-sw" link set dev "$1" up; }

lab_ping() {  # lab_ping FROM ADDR
    ip netns exec "$LAB-$1" ping -q -c 1 -W 1 "$2" >/dev/null 2>&1
}

# The log line count of PATTERN in NAME's vipd log.
lab_log_count() { grep -cE -e "$2" "$LAB_DIR/$1.log" || true; }

# lab_prober_start FROM ADDR: pings ADDR every 10 ms in the background, with timestamps.
lab_prober_start() {
    ip netns exec "$LAB-$1" ping -D -n -i 0.01 -W 1 "$2" >"$LAB_DIR/probe.$1.txt" 2>&1 &
    LAB_PROBER=$!
}

# lab_longest_gap FILE END: the longest time in ms between two replies in a `ping -D`
# output, the prober's END (epoch seconds) counting as the last: an outage still going on
# at the end counts up to it. Prints "REPLIES GAP_MS".
lab_longest_gap() {
    awk -F'[][]' -v end="$2" '
        /bytes from/ { t = $2 * 1000; if (n++ && t - p > gap) gap = t - p; p = t }
        END { if (n && end * 1000 - p > gap) gap = end * 1000 - p; printf "%d %.1f\n", n, gap }' "$1"
}

# lab_prober_stop [MIN_REPLIES]: stops the prober and prints the longest time without a
# reply, in ms, up to now. Fails (status 1, reason on stderr) with fewer than
# MIN_REPLIES (default 10) replies: a prober that never got through measured nothing.
lab_prober_stop() {
    local min=${1:-10} stopped replies gap
    kill -INT "$LAB_PROBER" 2>/dev/null || true
    wait "$LAB_PROBER" 2>/dev/null || true
    stopped=$(date +%s.%N)
    read -r replies gap < <(lab_longest_gap "$LAB_DIR"/probe.*.txt "$stopped")
    rm -f "$LAB_DIR"/probe.*.txt
    if [ "$replies" -lt "$min" ]; then
        lab_log "FAIL: the prober got $replies replies (fewer than $min)"
        return 1
    fi
    echo "${gap%.*}"
}

# lab_fast_probe_start FROM ADDR COUNT: pings ADDR every 1 ms, COUNT times, in the
# background (for handovers: one lost ping counts).
lab_fast_probe_start() {
    rm -f "$LAB_DIR/fast.end"
    { ip netns exec "$LAB-$1" ping -D -n -i 0.001 -c "$3" -W 1 "$2"
      date +%s.%N >"$LAB_DIR/fast.end"; } >"$LAB_DIR/fast.txt" 2>&1 &
    LAB_FAST=$!
}

# lab_fast_probe_wait [MIN_REPLIES]: waits for it; sets LAB_SENT, LAB_LOST and LAB_GAP (the
# longest wait for a reply, up to the prober's end, ms), and fails the scenario
# with fewer than MIN_REPLIES (default 10) replies. (ping slows down while unanswered:
# LAB_GAP measures an outage better than LAB_LOST does.)
lab_fast_probe_wait() {
    local min=${1:-10} got
    wait "$LAB_FAST" || true
    LAB_SENT=$(sed -nE 's/^([0-9]+) packets transmitted.*/\1/p' "$LAB_DIR/fast.txt")
    got=$(sed -nE 's/.* ([0-9]+) received.*/\1/p' "$LAB_DIR/fast.txt")
    [ -n "$LAB_SENT" ] && [ "$LAB_SENT" -gt 0 ] || lab_fail "the 1 ms prober sent nothing"
    [ "${got:-0}" -ge "$min" ] || lab_fail "the 1 ms prober got ${got:-0} replies (fewer than $min)"
    LAB_LOST=$((LAB_SENT - got))
    LAB_GAP=$(lab_longest_gap "$LAB_DIR/fast.txt" "$(cat "$LAB_DIR/fast.end")" | cut -d' ' -f2)
}

# A vipd config with one instance, from key=value words:
#   lab_conf name=web vrid=51 priority=150 addresses='"192.0.2.1/24"' [key=value ...]
lab_conf() {
    local kv body=""
    for kv in "$@"; do
        local key=${kv%%=*} value=${kv#*=}
        case $key in
            name | interface) value="\"$value\"" ;;
            addresses | unicast_peers) value="( $value )" ;;
        esac
        body="$body $key = $value;"
    done
    case $body in *"interface ="*) ;; *) body=" interface = \"eth0\";$body" ;; esac
    printf 'instances = ( {%s } );\n' "$body"
}

lab_log_count_at_least() { [ "$(lab_log_count "$1" "$2")" -ge "$3" ]; }

# --- auth_hmac labs: capture signed adverts, and replay them --------------------------------

# lab_capture_signed HOST SRC VRID KEY_ID OUT: 1.5 s of the VRRP packets HOST's eth0 sees;
# writes the adverts SRC sent for VRID to OUT (hex, one per line), failing unless there are
# at least 10 and each is 12 bytes of advert and a 28-byte trailer of type 1 naming KEY_ID.
lab_capture_signed() {
    local host=$1 src=$2 vrid=$3 key=$4 out=$5 pcap="$LAB_DIR/$1-$3.pcap"
    lab_bg ip netns exec "$LAB-$host" tcpdump -i eth0 -U -n -w "$pcap" 'ip proto 112'
    sleep 1.5
    kill "${LAB_BG_PIDS[-1]}"
    sleep 0.2
    python3 - "$pcap" "$out" "$LAB_ROOT_DIR/tests/golden" "$src" "$vrid" "$key" <<'PY' ||
import sys
sys.path.insert(0, sys.argv[3])
from extract import vrrp_packets
src, vrid, key = sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
msgs = [m for fam, s, dst, ttl, m in vrrp_packets(sys.argv[1])
        if str(s) == src and str(dst) == "224.0.0.18" and m[1] == vrid]
assert len(msgs) >= 10, f"{len(msgs)} adverts from {src} for VRID {vrid} in 1.5 s"
for m in msgs:
    assert len(m) == 40 and m[12] == 1 and m[13] == key, m.hex()
open(sys.argv[2], "w").write("\n".join(m.hex() for m in msgs))
PY
        lab_fail "$src's adverts for VRID $vrid are not signed with key $key as they should be"
}

# lab_replay HOST SRC FILE: from HOST, which must have SRC as an address, sends the adverts
# of FILE (lab_capture_signed's) to 224.0.0.18 again and again, one every 5 ms, for 2 s,
# in the background (its pid in LAB_REPLAYER).
lab_replay() {
    ip netns exec "$LAB-$1" python3 - "$2" "$3" <<'PY' &
import socket, sys, time
msgs = [bytes.fromhex(h) for h in open(sys.argv[2]).read().split()]
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 112)
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 255)
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(sys.argv[1]))
end = time.monotonic() + 2
while time.monotonic() < end:
    for m in msgs:
        s.sendto(m, ("224.0.0.18", 0))
        time.sleep(0.005)
PY
    LAB_REPLAYER=$!
}
