#!/usr/bin/env bash
# vipd's files on the host: the pid file keeps a second vipd on the same runtime files from
# starting (and that attempt disturbs nothing of the first); the control socket belongs to
# control_group with mode 0660, so a member who is not root can use vipctl and anyone else
# is refused. A stale pid file never blocks a restart (flock, not the pid in it); a runtime
# directory others can write to is refused.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
lab_init
chmod 755 "$LAB_DIR"  # vipctl runs as nobody below
lab_host a 192.0.2.11/24
group=daemon  # exists on every Debian system; nobody is not a member
gid=$(getent group "$group" | cut -d: -f3)
lab_vipd a "global = { control_group = \"$group\"; };
$(lab_conf name=web vrid=74 priority=150 advert_interval=0.1 addresses='"192.0.2.74/24"')"
lab_wait 3000 lab_has_vip a 192.0.2.74 || lab_fail "a should be master"
run="$LAB_DIR/a.run"
pid=${LAB_PIDS[a]}
[ "$(cat "$run/vipd.pid")" = "$pid" ] || lab_fail "pid file holds '$(cat "$run/vipd.pid")', not $pid"

# 1. A second vipd on the same runtime directory refuses to start.
set +e
second=$(timeout 10 ip netns exec "$(lab_ns a)" "$VIPD" -f "$LAB_DIR/a.conf" --runtime-dir "$run" 2>&1)
rc=$?
set -e
echo "$second"
[ "$rc" -eq 1 ] || lab_fail "a second vipd exited $rc, not 1"
echo "$second" | grep "another vipd (pid $pid) is running" >/dev/null ||
    lab_fail "the second vipd does not name the first: $second"
lab_running a || lab_fail "the first vipd died"
[ "$(cat "$run/vipd.pid")" = "$pid" ] || lab_fail "the second vipd changed the pid file"
[ "$(lab_ctl a ping)" = pong ] || lab_fail "the first vipd's control socket no longer answers"
lab_has_vip a 192.0.2.74 || lab_fail "the first vipd lost its VIP"

# 2. The control socket: root:daemon, 0660; a member gets answers, a non-member does not.
[ "$(stat -c '%U:%G %a' "$run/vipd.sock")" = "root:$group 660" ] ||
    lab_fail "control socket is $(stat -c '%U:%G %a' "$run/vipd.sock"), not root:$group 660"
as_nobody() {  # as_nobody GROUPS ARGS...: vipctl as uid/gid nobody with those groups
    local groups=(--clear-groups)
    [ -z "$1" ] || groups=(--groups "$1")
    shift
    setpriv --reuid=65534 --regid=65534 "${groups[@]}" "$VIPCTL" --socket "$run/vipd.sock" "$@"
}
out=$(as_nobody "$gid" status) || lab_fail "a member of $group cannot use vipctl: $out"
echo "$out" | grep -E '^web .* MASTER ' >/dev/null || lab_fail "status as a member: $out"
set +e
err=$(as_nobody "" status 2>&1)
rc=$?
set -e
echo "$err"
[ "$rc" -eq 3 ] || lab_fail "a non-member got exit $rc, not 3 (cannot connect)"
echo "$err" | grep -i 'permission denied' >/dev/null || lab_fail "a non-member's error: $err"

# 3. Stopped, vipd removes its pid file and its socket.
lab_stop a
[ ! -e "$run/vipd.pid" ] || lab_fail "pid file left behind"
[ ! -e "$run/vipd.sock" ] || lab_fail "control socket left behind"

# 4. A stale pid file left by a crash, naming a pid that is now some other live process:
# the lock, not the pid, says whether vipd runs, so the restart goes ahead (the old check,
# kill(pid, 0), refused it and the stale VIP stayed on the box).
sleep 60 &
other=$!
LAB_BG_PIDS+=("$other")
echo "$other" >"$run/vipd.pid"
lab_vipd a "$(cat "$LAB_DIR/a.conf")"
lab_wait 3000 lab_has_vip a 192.0.2.74 || lab_fail "vipd did not start over a stale pid file: $(tail -3 "$LAB_DIR/a.log")"
[ "$(cat "$run/vipd.pid")" = "${LAB_PIDS[a]}" ] || lab_fail "the pid file does not name the new vipd"
lab_stop a

# 5. Files vipd will not use: a runtime directory others can write to (they could plant the
# socket or pid file), a notify_fifo that is a regular file.
chmod 777 "$run"
set +e
out=$(timeout 10 ip netns exec "$(lab_ns a)" "$VIPD" -f "$LAB_DIR/a.conf" --runtime-dir "$run" 2>&1)
rc=$?
set -e
[ "$rc" -eq 1 ] || lab_fail "vipd started with a world-writable runtime directory (exit $rc)"
echo "$out" | grep "runtime directory $run is writable by others" >/dev/null ||
    lab_fail "no reason given for the runtime directory: $out"
chmod 755 "$run"
lab_log "PASS"
