#!/usr/bin/env bash
# What health checks and notify scripts get, read from inside the scripts themselves:
# the user (nobody unless root is named, for checks and notifications alike), stdin from
# /dev/null, a minimal environment (nothing of vipd's own), keepalived's arguments and the
# VIPD_* variables for notifications, and a stop notification that vipd waits for before
# it exits. And least privilege: vipd itself keeps only the capabilities it uses, while a
# script run as root still starts with root's full set (nobody's: none) from the launcher,
# without which vipd stops.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
lab_init
chmod 755 "$LAB_DIR"  # the scripts run as nobody
lab_host a 192.0.2.11/24
out="$LAB_DIR/out"
mkdir -m 777 "$out"
rec="$LAB_DIR/record.sh"
# record.sh TAG ARGS...: appends what it saw to out/TAG.txt (one "run" line, then its
# environment); a TAG ending in _slow sleeps 0.5 s first.
cat >"$rec" <<'SH'
#!/bin/sh
tag=$1
shift
case $tag in *_slow) sleep 0.5 ;; esac
dir=$(dirname "$0")/out
{
    printf 'run uid=%s gid=%s stdin=%s cap=%s args=%s\n' "$(id -u)" "$(id -g)" \
        "$(readlink /proc/self/fd/0)" "$(sed -n 's/^CapEff:[[:space:]]*//p' /proc/self/status)" "$*"
    env | sort | sed 's/^/env /'
} >>"$dir/$tag.txt"
SH
chmod 755 "$rec"
# (The timeouts are generous: record.sh starts a dozen processes, and at startup both checks
# and a notification start at once; a check timed out at 0.2 s once in three runs here.)
# (vipd runs with LEAK_MARKER in its environment, as with anything else: no script may see it.)
conf=$(cat <<CONF
scripts = (
  { name = "plain"; command = "/bin/sh $rec check_plain"; interval = 0.2; timeout = 2.0; },
  { name = "rooted"; command = "/bin/sh $rec check_rooted"; interval = 0.2; timeout = 2.0;
    user = "root"; }
);
instances = (
  { name = "web"; interface = "eth0"; vrid = 73; priority = 150; advert_interval = 0.1;
    addresses = ( "192.0.2.73/24" ); track_scripts = ( "plain", "rooted" );
    notify = { master = "/bin/sh $rec notify_master"; any = "/bin/sh $rec notify_any";
               stop = "/bin/sh $rec notify_stop_slow"; timeout = 3.0; }; }
);
CONF
)
LEAK_MARKER=1 lab_vipd a "$conf"
lab_wait 3000 lab_has_vip a 192.0.2.73 || lab_fail "a should be master"
# vipd's own sets once it is running, effective and permitted alike: NET_BIND_SERVICE(10)
# NET_ADMIN(12) NET_RAW(13) IPC_LOCK(14) SYS_NICE(23), nothing inheritable, no_new_privs (a
# program it executed as root would get no more). Its script launcher, forked before any
# input was read: CAP_KILL(5) effective, the permitted set whole (root's scripts get it, and
# setpriv, which starts the others as their users).
status=/proc/${LAB_PIDS[a]}/status
cap() { sed -n "s/^$1:[[:space:]]*//p" "$status"; }
kept=$(printf '%016x' $(((1 << 10) | (1 << 12) | (1 << 13) | (1 << 14) | (1 << 23))))
[ "$(cap CapEff)" = "$kept" ] || lab_fail "vipd's CapEff is $(cap CapEff), not $kept"
[ "$(cap CapPrm)" = "$kept" ] || lab_fail "vipd's CapPrm is $(cap CapPrm), not $kept"
[ "$(cap CapInh)" = 0000000000000000 ] || lab_fail "vipd's CapInh is $(cap CapInh)"
[ "$(cap NoNewPrivs)" = 1 ] || lab_fail "vipd did not set no_new_privs"
full=$(cap CapBnd)
launcher_of() { pgrep -P "${LAB_PIDS[$1]}" -x vipd-launcher || true; }
launcher=$(launcher_of a)
[ -n "$launcher" ] || lab_fail "no vipd-launcher child of vipd"
status=/proc/$launcher/status
[ "$(cap CapEff)" = 0000000000000020 ] || lab_fail "the launcher's CapEff is $(cap CapEff)"
[ "$(cap CapPrm)" = "$full" ] || lab_fail "the launcher's CapPrm is $(cap CapPrm), not $full"
lab_log "vipd CapEff/CapPrm $kept, launcher CapEff $(cap CapEff) CapPrm $full"
lab_wait 2000 test -s "$out/check_plain.txt" -a -s "$out/check_rooted.txt" -a -s "$out/notify_master.txt" ||
    lab_fail "the scripts did not run: $(ls "$out")"
# A reload that changes a command: the launcher reads the configuration again and runs the
# new one (it would refuse a command it has not read).
printf '%s\n' "${conf/check_plain\"/check_reloaded\"}" >"$LAB_DIR/a.conf"
grep check_reloaded "$LAB_DIR/a.conf" >/dev/null || lab_fail "the reloaded configuration is unchanged"
lab_signal a HUP
lab_wait 3000 test -s "$out/check_reloaded.txt" ||
    lab_fail "the command changed by the reload did not run: $(grep -i 'refused\|launcher' "$LAB_DIR/a.log" | tail -3)"
lab_stop a  # returns when vipd has exited: the slow stop notification must be done by then
[ -s "$out/notify_stop_slow.txt" ] || lab_fail "vipd exited before its stop notification ran"

python3 - "$out" "$full" <<'PY' || lab_fail "what the scripts saw: see above"
import os, sys
out, full = sys.argv[1], sys.argv[2]
def runs(tag):
    """[(run fields, {env})] per run of TAG."""
    result = []
    for line in open(os.path.join(out, tag + ".txt")):
        kind, _, rest = line.rstrip("\n").partition(" ")
        if kind == "run":
            fields = dict(w.split("=", 1) for w in rest.split(" args=")[0].split())
            fields["args"] = rest.split(" args=", 1)[1]
            result.append((fields, {}))
        else:
            k, _, v = rest.partition("=")
            result[-1][1][k] = v
    return result
bad = []
def want(cond, what):
    if not cond:
        bad.append(what)
nobody = ("65534", "65534")
for tag, user in (("check_plain", nobody), ("check_rooted", ("0", "0")),
                  ("notify_master", nobody), ("notify_any", nobody), ("notify_stop_slow", nobody)):
    for fields, env in runs(tag):
        want((fields["uid"], fields["gid"]) == user, f"{tag} ran as {fields['uid']}:{fields['gid']}, not {user}")
        cap = full if user == ("0", "0") else "0000000000000000"
        want(fields["cap"] == cap, f"{tag} had capabilities {fields['cap']}, not {cap}")
        want(fields["stdin"] == "/dev/null", f"{tag}: stdin {fields['stdin']}")
        # dash adds PWD itself; nothing else comes from vipd's environment.
        extra = set(env) - {"PATH", "PWD", "VIPD_SCRIPT"} - {k for k in env if k.startswith("VIPD_")}
        want(not extra, f"{tag}: environment has {sorted(extra)}")
for tag, name in (("check_plain", "plain"), ("check_rooted", "rooted")):
    fields, env = runs(tag)[0]
    want(fields["args"] == "", f"{tag}: arguments '{fields['args']}'")
    want(set(env) <= {"PATH", "PWD", "VIPD_SCRIPT"} and env.get("VIPD_SCRIPT") == name,
         f"{tag}: environment {env}")
fields, env = runs("notify_master")[0]
want(fields["args"] == "INSTANCE web MASTER 150", f"notify master arguments '{fields['args']}'")
expected = {"VIPD_TYPE": "INSTANCE", "VIPD_INSTANCE": "web", "VIPD_STATE": "MASTER",
            "VIPD_PREVIOUS_STATE": "BACKUP", "VIPD_PRIORITY": "150", "VIPD_VRID": "73",
            "VIPD_INTERFACE": "eth0", "VIPD_FAMILY": "ipv4"}
want(all(env.get(k) == v for k, v in expected.items()), f"notify master environment {env}")
want(env.get("VIPD_REASON", "").startswith("master down"), f"notify master reason {env.get('VIPD_REASON')}")
states = [f["args"] for f, _ in runs("notify_any")]
want(states == ["INSTANCE web BACKUP 150", "INSTANCE web MASTER 150", "INSTANCE web STOP 150"],
     f"notify any: {states}")
fields, env = runs("notify_stop_slow")[0]
want(fields["args"] == "INSTANCE web STOP 150" and env.get("VIPD_STATE") == "STOP"
     and env.get("VIPD_PREVIOUS_STATE") == "MASTER", f"notify stop: {fields} {env}")
for b in bad:
    print("FAIL:", b)
sys.exit(1 if bad else 0)
PY

# With --user the daemon also leaves uid 0 (root's files, sockets and processes, the
# launcher among them, are then out of its reach); the launcher stays root and the scripts
# run as before. Debian's "daemon" user (uid 1) stands in for a user of vipd's own.
rm -f "$out"/*.txt
lab_vipd a "$conf" --user daemon
lab_wait 3000 lab_has_vip a 192.0.2.73 || lab_fail "a should be master as user daemon"
status=/proc/${LAB_PIDS[a]}/status
uids=$(cap Uid | tr -s '\t ' ' ')
[ "$uids" = "1 1 1 1" ] || lab_fail "with --user daemon vipd's uids are $uids"
[ "$(cap Gid | tr -s '\t ' ' ')" = "1 1 1 1" ] || lab_fail "with --user daemon vipd's gids are $(cap Gid)"
[ "$(cap CapEff)" = "$kept" ] || lab_fail "as user daemon vipd's CapEff is $(cap CapEff), not $kept"
[ "$(cap CapPrm)" = "$kept" ] || lab_fail "as user daemon vipd's CapPrm is $(cap CapPrm), not $kept"
status=/proc/$(launcher_of a)/status
[ "$(cap Uid | tr -s '\t ' ' ')" = "0 0 0 0" ] || lab_fail "the launcher left uid 0: $(cap Uid)"
lab_wait 2000 test -s "$out/check_plain.txt" -a -s "$out/check_rooted.txt" ||
    lab_fail "the scripts did not run with --user: $(ls "$out")"
case $(head -n 1 "$out/check_rooted.txt") in *"uid=0 "*"cap=$full "*) ;;
    *) lab_fail "root's check with --user: $(head -n 1 "$out/check_rooted.txt")" ;; esac
[ "$(stat -c %u "$LAB_DIR/a.run")" = 1 ] || lab_fail "the runtime directory was not given to daemon"
lab_signal a USR1
lab_wait 2000 test -s "$LAB_DIR/a.run/snapshot.json" || lab_fail "no snapshot written as user daemon"
printf '%s\n' "${conf/check_plain\"/check_reloaded\"}" >"$LAB_DIR/a.conf"
lab_signal a HUP
lab_wait 3000 test -s "$out/check_reloaded.txt" || lab_fail "reload as user daemon: the new command did not run"
lab_ctl a status >/dev/null || lab_fail "vipctl status as root failed with --user"
lab_stop a
[ ! -e "$LAB_DIR/a.run/vipd.sock" ] && [ ! -e "$LAB_DIR/a.run/vipd.pid" ] ||
    lab_fail "the socket or pid file stayed after a stop as user daemon"
lab_log "as user daemon: uid 1, CapEff/CapPrm $kept, launcher uid 0"
# Started again: the runtime directory is now the user's, and accepted.
lab_vipd a "$conf" --user daemon
lab_wait 3000 lab_has_vip a 192.0.2.73 || lab_fail "a second start as user daemon failed"
lab_stop a
chown root:root "$LAB_DIR/a.run"  # a vipd as root refuses a directory others own

# As etc/vipd.service(.in) runs it: its CapabilityBoundingSet, and NoNewPrivileges, under which
# a new program gets no more than vipd may have. Scripts as nobody still start (setpriv
# needs CAP_SETUID/CAP_SETGID from vipd's permitted set) and root's get the unit's set.
unit="$LAB_ROOT_DIR/etc/vipd.service.in"
grep '^NoNewPrivileges=yes' "$unit" >/dev/null || lab_fail "the unit no longer sets NoNewPrivileges"
unit_caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$unit" | tr 'A-Z ' 'a-z,' | sed 's/cap_/+/g')
[ -n "$unit_caps" ] || lab_fail "no CapabilityBoundingSet in $unit"
wrapper="$LAB_DIR/vipd-as-unit"
printf '#!/bin/sh\nexec setpriv --no-new-privs --bounding-set -all,%s -- %s "$@"\n' \
    "$unit_caps" "$VIPD" >"$wrapper"
chmod 755 "$wrapper"
rm -f "$out"/*.txt
VIPD=$wrapper lab_vipd a "$conf"
lab_wait 3000 lab_has_vip a 192.0.2.73 || lab_fail "a should be master under the unit's limits"
lab_wait 2000 test -s "$out/check_plain.txt" -a -s "$out/check_rooted.txt" ||
    lab_fail "the scripts did not run under the unit's limits: $(ls "$out")"
status=/proc/${LAB_PIDS[a]}/status
[ "$(cap NoNewPrivs)" = 1 ] || lab_fail "the wrapper did not set no_new_privs"
unit_set=$(cap CapBnd)
# NET_ADMIN(12) NET_RAW(13): what the unit leaves of what vipd keeps; the launcher, KILL(5).
[ "$(cap CapEff)" = "$(printf '%016x' $(((1 << 12) | (1 << 13))))" ] ||
    lab_fail "under the unit vipd's CapEff is $(cap CapEff)"
[ "$(cap CapPrm)" = "$(cap CapEff)" ] || lab_fail "under the unit vipd's CapPrm is $(cap CapPrm)"
unit_eff=$(cap CapEff)
status=/proc/$(launcher_of a)/status
[ "$(cap CapEff)" = 0000000000000020 ] || lab_fail "under the unit the launcher's CapEff is $(cap CapEff)"
[ "$(cap CapPrm)" = "$unit_set" ] || lab_fail "under the unit the launcher's CapPrm is $(cap CapPrm)"
plain=$(head -n 1 "$out/check_plain.txt")
rooted=$(head -n 1 "$out/check_rooted.txt")
case $plain in *"uid=65534 "*"cap=0000000000000000 "*) ;; *) lab_fail "nobody's check: $plain" ;; esac
case $rooted in *"uid=0 "*"cap=$unit_set "*) ;; *) lab_fail "root's check (want $unit_set): $rooted" ;; esac
lab_log "under the unit's limits: vipd CapEff $unit_eff, root's scripts $unit_set"

# Without its launcher vipd cannot run a check or a notification again (nor make another
# launcher): it says so, releases its VIPs as on a stop, and exits 1 for systemd to restart it.
kill -9 "$(launcher_of a)"
pid=${LAB_PIDS[a]}
for _ in $(seq 1 500); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.01
done
kill -0 "$pid" 2>/dev/null && lab_fail "vipd still runs 5 s after its launcher was killed"
code=0
wait "$pid" 2>/dev/null || code=$?
unset "LAB_PIDS[a]"
[ "$code" -eq 1 ] || lab_fail "vipd exited with $code after losing its launcher, not 1"
grep 'script launcher has gone' "$LAB_DIR/a.log" >/dev/null || lab_fail "no log line for the lost launcher"
lab_has_vip a 192.0.2.73 && lab_fail "vipd left its VIP behind when it stopped"
lab_log "PASS"
