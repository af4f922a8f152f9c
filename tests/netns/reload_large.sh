#!/usr/bin/env bash
# A reload, however large, never delays adverts (issue 13, item 6): the file is read,
# validated and its users looked up on a thread beside the event loop. A master at 30 ms
# adverts (the backup's Master_Down_Interval ~112 ms) is told to reload a 4 MiB file that
# takes far longer than that to load and is invalid at its very end: the reload is refused
# with the FILE:LINE, the backup never hears silence long enough to take over, and a plain
# reload (SIGHUP) asked for meanwhile runs after it.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
lab_init
lab_host a 192.0.2.11/24
lab_host b 192.0.2.12/24
b_is_backup() { [ "$(lab_field b web state)" = BACKUP ]; }
conf() { lab_conf name=web vrid=76 priority="$1" advert_interval=0.03 addresses='"192.0.2.76/24"'; }
lab_vipd a "$(conf 200)"
lab_vipd b "$(conf 100)"
lab_wait 3000 lab_only_holder a 192.0.2.76 || lab_fail "a should be master"
lab_wait 2000 lab_log_count_at_least b '-> BACKUP' 1 || lab_fail "b never became backup"
# b may have been master for a moment at startup, before a's first advert (an ASan build
# starts slowly): only a takeover during the reload counts.
lab_wait 3000 b_is_backup || lab_fail "b is not backup before the reload"
masters_before=$(lab_log_count b '-> MASTER')

# Just under 4 MiB: a thousand instances on interfaces that do not exist, 1,000 unicast peers
# each, then a duplicate name on the last line.
python3 - "$LAB_DIR/big.conf" <<'PY'
import sys
peers = ", ".join('"198.18.%d.%d"' % (i // 250, i % 250 + 1) for i in range(1000))
out, size, i = ["instances = (\n"], 0, 0
while size < 4 * 1024 * 1024 - 20000:
    line = ('  { name = "x%d"; interface = "nx%d"; vrid = %d; addresses = [ "198.19.%d.%d" ]; '
            'unicast_peers = [ %s ]; },\n' % (i, i // 200, i % 200 + 1, (i // 250) % 256,
                                                i % 250 + 1, peers))
    out.append(line)
    size += len(line)
    i += 1
out.append('  { name = "x0"; interface = "eth0"; vrid = 1; addresses = [ "192.0.2.1" ]; }\n);\n')
open(sys.argv[1], "w").write("".join(out))
PY
cp "$LAB_DIR/a.conf" "$LAB_DIR/a.good.conf"
cp "$LAB_DIR/big.conf" "$LAB_DIR/a.conf"
lines=$(wc -l <"$LAB_DIR/a.conf")
t0=$(lab_now_ms)
lab_ctl a reload >"$LAB_DIR/reload.out" 2>&1 &
ctl=$!
# Once the first load has started (and read the file), a SIGHUP: it must follow the first,
# reading the file as it is then, which is the good one again.
lab_wait 10000 lab_log_count_at_least a 'reload: reading' 1 || lab_fail "the reload did not start"
lab_signal a HUP
lab_wait 10000 lab_log_count_at_least a 'reload: one is being loaded; another follows it' 1 ||
    lab_fail "the SIGHUP did not wait for the running reload"
sleep 0.3
cp "$LAB_DIR/a.good.conf" "$LAB_DIR/a.conf"
set +e
wait "$ctl"
rc=$?
set -e
took=$(($(lab_now_ms) - t0))
cat "$LAB_DIR/reload.out"
echo "large reload: refused after ${took} ms"
[ "$rc" -eq 1 ] || lab_fail "the invalid reload exited $rc, not 1"
grep -F "a.conf:$((lines - 1)): duplicate instance name 'x0'" "$LAB_DIR/reload.out" >/dev/null ||
    lab_fail "no FILE:LINE for the invalid reload"
[ "$took" -ge 300 ] || lab_fail "the reload took only ${took} ms: too quick to show anything"
lab_wait 5000 lab_log_count_at_least a 'reload done: 1 instance' 1 ||
    lab_fail "the SIGHUP asked for during the load did not follow it"
[ "$(lab_log_count b '-> MASTER')" = "$masters_before" ] ||
    lab_fail "b took over during the reload: $(grep -- '-> MASTER' "$LAB_DIR/b.log")"
lab_only_holder a 192.0.2.76 || lab_fail "a lost the VIP"
lab_log "PASS"
