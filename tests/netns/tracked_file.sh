#!/usr/bin/env bash
# A tracked file that someone replaces with a FIFO or a link to /dev/zero must not freeze
# vipd (issue 13, item 2): a blocking read of a FIFO without a writer never returns, adverts
# stop, the backup takes over while this host keeps its VIPs. Now the master keeps
# advertising at 100 ms (no transition on the peer), answers vipctl, logs why the file
# counts as failed (its negative weight applies), and reads the file again once it is a
# plain file (the test can fail: a real value does move the VIP).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
lab_init
lab_host a 192.0.2.11/24
lab_host b 192.0.2.12/24
state="$LAB_DIR/state"
mkdir -m 755 "$state"
echo 0 >"$state/level"
b_is_backup() { [ "$(lab_field b web state)" = BACKUP ]; }
lab_vipd a "$(lab_conf name=web vrid=74 priority=200 advert_interval=0.1 \
    addresses='"192.0.2.74/24"' track_files="( { path = \"$state/level\"; weight = -10; } )")"
lab_vipd b "$(lab_conf name=web vrid=74 priority=100 advert_interval=0.1 addresses='"192.0.2.74/24"')"
lab_wait 3000 lab_only_holder a 192.0.2.74 || lab_fail "a should be master"
lab_wait 2000 lab_log_count_at_least b '-> BACKUP' 1 ||
    lab_fail "b never became backup"
# b may have been master for a moment at startup, before a's first advert (b starts first,
# and its Master_Down_Interval is the longer one by less than a's start takes under ASan):
# only a takeover while the file is hostile counts.
lab_wait 2000 b_is_backup || lab_fail "b is not backup before the file changes"
masters_before=$(lab_log_count b '-> MASTER')

# answering_for MS: vipctl on a answers every 100 ms for MS, and a alone holds the VIP.
answering_for() {
    local end=$(($(lab_now_ms) + $1))
    while [ "$(lab_now_ms)" -lt "$end" ]; do
        lab_running a || lab_fail "vipd on a died"
        timeout 2 "$VIPCTL" --socket "$LAB_DIR/a.run/vipd.sock" ping >/dev/null ||
            lab_fail "vipd on a did not answer vipctl ping"
        lab_only_holder a 192.0.2.74 || lab_fail "a lost the VIP: $(lab_holders 192.0.2.74)"
        sleep 0.1
    done
}

# 1. A FIFO (no writer, ever) in place of the file.
mkfifo "$state/level.new" && mv -f "$state/level.new" "$state/level"
lab_wait 2000 grep -q "tracked file $state/level is a FIFO: counts as failed" "$LAB_DIR/a.log" ||
    lab_fail "no log line for the FIFO"
answering_for 1500
[ "$(lab_field a web priority)" = 190 ] || lab_fail "a failed file with weight -10 should give 190"
lab_ctl a show web | grep -E "file +$state/level .*failed" >/dev/null ||
    lab_fail "vipctl show does not say the file failed: $(lab_ctl a show web | grep file)"

# 2. A link to /dev/zero (reading would never find a number, nor an end).
ln -sfn /dev/zero "$state/level.new" && mv -Tf "$state/level.new" "$state/level"
lab_wait 2000 grep -q "tracked file $state/level is a symbolic link: counts as failed" \
    "$LAB_DIR/a.log" || lab_fail "no log line for the symlink"
answering_for 1000

# No transition on the peer so far: b heard every advert in time.
[ "$(lab_log_count b '-> MASTER')" = "$masters_before" ] ||
    lab_fail "b took over while a's file was hostile: $(grep -- '-> MASTER' "$LAB_DIR/b.log")"

# 3. A plain file again: read at once; 12 x -10 takes a to 80 < 100 and b preempts.
echo 12 >"$state/level.new" && mv -f "$state/level.new" "$state/level"
lab_wait 2000 grep -q "tracked file $state/level is readable again" "$LAB_DIR/a.log" ||
    lab_fail "no log line for the file's recovery"
lab_wait 2000 lab_only_holder b 192.0.2.74 || lab_fail "the file's value did not move the VIP"
grep -E 'priority 190 -> 80 \(trackers\)' "$LAB_DIR/a.log" >/dev/null ||
    lab_fail "no priority log for the value: $(grep -E 'priority .* -> ' "$LAB_DIR/a.log")"
lab_log "PASS"
