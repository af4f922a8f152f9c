#!/usr/bin/env bash
# Local users against the control socket (issue 13, items 3 and 4).
# 1. 2,000 connections that never send anything (more than vipd's 1,024 descriptors): vipd
#    keeps at most 32 open, closing the longest idle one for each new one, so `vipctl
#    status` still answers, the health check goes on running (its runs never fail to start
#    for want of descriptors) and nothing changes state.
# 2. Reading is for every member of control_group; changing state takes root or
#    control_admin_group (checked with the kernel's credentials, supplementary groups too),
#    and each change asked for is logged with the caller's uid and pid.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
lab_init
chmod 755 "$LAB_DIR"  # vipctl runs as nobody below
lab_host a 192.0.2.11/24
members=daemon   # control_group; nobody is not a member of either
admins=operator  # control_admin_group once the config says so
conf() {
    cat <<CONF
global = { control_group = "$members"; $1 };
scripts = ( { name = "check"; command = "/bin/true"; interval = 0.05; } );
instances = (
  { name = "web"; interface = "eth0"; vrid = 75; priority = 150; advert_interval = 0.1;
    addresses = ( "192.0.2.75/24" ); track_scripts = ( "check" ); }
);
CONF
}
lab_vipd a "$(conf "")"
lab_wait 3000 lab_has_vip a 192.0.2.75 || lab_fail "a should be master"
run="$LAB_DIR/a.run"
pid=${LAB_PIDS[a]}
script_field() {  # script_field FIELD: the check's FIELD in status --json
    lab_ctl a status --json |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["result"]["scripts"][0][sys.argv[1]])' "$1"
}

# --- 1. the flood --------------------------------------------------------------------------
transitions_before=$(lab_log_count a ' -> ')
python3 - "$run/vipd.sock" "$LAB_DIR/flood.ready" "$LAB_DIR/flood.stop" <<'PY' &
import os, resource, socket, sys, time
path, ready, stop = sys.argv[1:4]
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))
held = []
for _ in range(2000):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    held.append(s)
open(ready, "w").close()
deadline = time.time() + 30
while not os.path.exists(stop) and time.time() < deadline:
    time.sleep(0.05)
PY
flood=$!
LAB_BG_PIDS+=("$flood")
lab_wait 20000 test -e "$LAB_DIR/flood.ready" || lab_fail "the flood did not connect"
worst=0
for _ in $(seq 10); do
    t0=$(lab_now_ms)
    lab_ctl a status >/dev/null || lab_fail "vipctl status failed during the flood"
    t=$(($(lab_now_ms) - t0))
    [ "$t" -le "$worst" ] || worst=$t
    fds=$(ls "/proc/$pid/fd" | wc -l)
    [ "$fds" -le 100 ] || lab_fail "vipd holds $fds descriptors during the flood"
    sleep 0.1
done
echo "flood: 2000 idle connections; slowest vipctl status ${worst} ms; vipd descriptors $fds"
touch "$LAB_DIR/flood.stop"
wait "$flood" || true
lab_log_count_at_least a 'control socket: 32 connections open \(the limit\)' 1 ||
    lab_fail "no log line for the connection limit"
[ "$(script_field start_failures)" = 0 ] || lab_fail "health-check runs failed to start"
[ "$(script_field failures)" = 0 ] || lab_fail "the health check failed during the flood"
[ "$(script_field state)" = UP ] || lab_fail "the health check is not UP"
[ "$(lab_log_count a ' -> ')" = "$transitions_before" ] ||
    lab_fail "state changed during the flood: $(grep -- ' -> ' "$LAB_DIR/a.log")"
lab_has_vip a 192.0.2.75 || lab_fail "a lost the VIP during the flood"

# --- 2. who may do what ---------------------------------------------------------------------
as_nobody() {  # as_nobody GROUPS ARGS...: vipctl as uid/gid nobody with those groups
    local groups=$1
    shift
    setpriv --reuid=65534 --regid=65534 --groups "$groups" "$VIPCTL" --socket "$run/vipd.sock" "$@"
}
member=$(getent group "$members" | cut -d: -f3)
admin=$(getent group "$admins" | cut -d: -f3)
out=$(as_nobody "$member" status) || lab_fail "a member cannot read the status: $out"
echo "$out" | grep -E '^web .* MASTER ' >/dev/null || lab_fail "status as a member: $out"
as_nobody "$member" stats >/dev/null || lab_fail "a member cannot read the stats"
for cmd in "handover web" "set-priority web 254" "maintenance web on" "reload" "stats --clear"; do
    set +e
    # shellcheck disable=SC2086
    err=$(as_nobody "$member" $cmd 2>&1)
    rc=$?
    set -e
    [ "$rc" -eq 1 ] || lab_fail "$cmd as a plain member: exit $rc ($err)"
    echo "$err" | grep 'permission denied: uid 65534 may read but not change state' >/dev/null ||
        lab_fail "$cmd as a plain member: $err"
done
lab_log_count_at_least a "control: refused handover web \(uid 65534 pid [0-9]+" 1 ||
    lab_fail "the refused handover is not logged with uid and pid"
[ "$(lab_field a web priority)" = 150 ] || lab_fail "a refused set-priority changed the priority"
lab_has_vip a 192.0.2.75 || lab_fail "a refused command moved the VIP"

# An admin (by a supplementary group) may, once control_admin_group names the group; root
# always may. Both are logged with who asked.
printf '%s\n' "$(conf "control_admin_group = \"$admins\";")" >"$LAB_DIR/a.conf"
lab_ctl a reload >/dev/null || lab_fail "reload as root"
lab_log_count_at_least a "control: reload \(uid 0 pid [0-9]+\)" 1 || lab_fail "root's reload not logged"
out=$(as_nobody "$member,$admin" set-priority web 140) || lab_fail "an admin was refused: $out"
[ "$(lab_field a web priority)" = 140 ] || lab_fail "the admin's set-priority did not apply"
lab_log_count_at_least a "control: set-priority web 140 \(uid 65534 pid [0-9]+\)" 1 ||
    lab_fail "the admin's change is not logged with uid and pid"
set +e
as_nobody "$member" set-priority web 200 >/dev/null 2>&1
rc=$?
set -e
[ "$rc" -eq 1 ] || lab_fail "a plain member could change the priority after the reload"
lab_log "PASS"
