#!/usr/bin/env bash
# --log-target syslog: lines reach /dev/log with vipd's syslog priority and the facility
# chosen by log_facility (or --log-facility). The host has no syslog daemon, so the test
# puts its own /dev/log in front of vipd: a mount namespace whose /dev is a directory with
# /dev/null and a datagram socket read by a small listener. Root only (exit 77 otherwise).
set -uo pipefail
VIPD=${VIPD:?VIPD must point at the vipd binary}
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root for a mount namespace"; exit 77; }
dir=$(mktemp -d)
listener=""
cleanup() {
    [ -n "$listener" ] && kill "$listener" 2>/dev/null
    rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
mkdir "$dir/dev"
touch "$dir/dev/null"
python3 - "$dir/dev/log" "$dir/got" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(20)
with open(sys.argv[2], "ab", buffering=0) as out:
    while True:
        try:
            out.write(s.recv(65536) + b"\n")
        except socket.timeout:
            break
PY
listener=$!
for _ in $(seq 100); do [ -S "$dir/dev/log" ] && break; sleep 0.05; done
[ -S "$dir/dev/log" ] || fail "the listener did not start"
printf 'global = { log_facility = "local3"; };\ninstances = ( { name = "web"; interface = "lo"; vrid = 51;\n  addresses = ( "192.0.2.1/24" ); } );\n' >"$dir/a.conf"

run() {  # extra vipd arguments; vipd logs one error (no runtime directory) and exits 1
    unshare -m bash -c 'mount --make-rprivate / && mount --bind /dev/null "$1/dev/null" &&
        mount --rbind "$1/dev" /dev && shift && exec "$@"' _ "$dir" \
        "$VIPD" -f "$dir/a.conf" --log-target syslog --runtime-dir /proc/vipd-none "$@" \
        2>"$dir/err"
    [ $? -eq 1 ] || fail "vipd did not exit 1: $(cat "$dir/err")"
}
got() {  # PATTERN: waits for a datagram matching it
    for _ in $(seq 100); do
        grep -E "$1" "$dir/got" >/dev/null 2>&1 && return 0
        sleep 0.05
    done
    return 1
}
run
# local3 = 19 << 3, err = 3: <155>; then syslog(3)'s time stamp and "vipd[PID]: ".
got '^<155>.* vipd\[[0-9]+\]: cannot create runtime directory /proc/vipd-none' ||
    fail "no local3 error line on /dev/log: $(cat "$dir/got" 2>/dev/null)"
run --log-facility daemon
got '^<27>.* vipd\[[0-9]+\]: cannot create runtime directory /proc/vipd-none' ||
    fail "--log-facility daemon did not beat the config: $(cat "$dir/got")"
run -S 5  # keepalived's form: local5 = 21 << 3
got '^<171>.* vipd\[[0-9]+\]: cannot create runtime directory /proc/vipd-none' ||
    fail "-S 5 did not choose local5: $(cat "$dir/got")"
[ -s "$dir/err" ] && fail "with --log-target syslog something went to stderr: $(cat "$dir/err")"
echo PASS
