#!/usr/bin/env bash
# sd_notify as systemd would see it (Type=notify, WatchdogSec): a datagram socket stands in
# for systemd's NOTIFY_SOCKET and records what vipd says: READY=1 once it runs, STATUS=
# with the instance counts, WATCHDOG=1 every WATCHDOG_USEC/2, RELOADING=1 then READY=1
# around a reload (SIGHUP and vipctl), STOPPING=1 on TERM.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
VIPCTL=${VIPCTL:-$(dirname "$VIPD")/vipctl}
lab_init
lab_host a 192.0.2.11/24
notify="$LAB_DIR/notify.sock"
lab_bg python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a", buffering=1) as out:
    while True:
        msg = s.recv(4096).decode()
        out.write(msg.replace("\n", " | ") + "\n")' "$notify" "$LAB_DIR/notify.txt"
lab_wait 2000 test -S "$notify" || lab_fail "no notify socket"
got() { grep -E -e "$1" "$LAB_DIR/notify.txt" >/dev/null 2>&1; }
count() { grep -cE -e "$1" "$LAB_DIR/notify.txt" || true; }
at_least() { [ "$(count "$1")" -ge "$2" ]; }  # re-read at every try of lab_wait

export NOTIFY_SOCKET=$notify WATCHDOG_USEC=200000
lab_vipd a "$(lab_conf name=web vrid=96 priority=150 advert_interval=0.1 addresses='"192.0.2.96/24"')"
unset NOTIFY_SOCKET WATCHDOG_USEC
lab_wait 2000 got '^READY=1$' || lab_fail "no READY=1"
lab_wait 2000 lab_has_vip a 192.0.2.96 || lab_fail "a should be master"
lab_wait 2000 got '^STATUS=1 instance\(s\): 1 master, 0 backup' || lab_fail "no STATUS with the master"
sleep 1
n=$(count '^WATCHDOG=1$')
echo "watchdog pings in about 1.3 s: $n"
[ "$n" -ge 8 ] && [ "$n" -le 30 ] || lab_fail "expected a WATCHDOG=1 every 100 ms, got $n"

lab_signal a HUP
lab_wait 2000 got '^RELOADING=1 \| MONOTONIC_USEC=[0-9]+$' || lab_fail "no RELOADING=1 on SIGHUP"
lab_wait 2000 at_least '^READY=1$' 2 || lab_fail "no READY=1 after the reload"
"$VIPCTL" --socket "$LAB_DIR/a.run/vipd.sock" reload >/dev/null
lab_wait 2000 at_least '^READY=1$' 3 || lab_fail "no READY=1 after vipctl reload"
[ "$(count '^RELOADING=1')" -eq 2 ] || lab_fail "expected two RELOADING=1"

lab_stop a TERM
lab_wait 2000 got '^STOPPING=1$' || lab_fail "no STOPPING=1"
sort "$LAB_DIR/notify.txt" | uniq -c | sort -rn | head
lab_log "PASS"
