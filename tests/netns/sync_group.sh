#!/usr/bin/env bash
# Sync groups: two instances per router that must stay together. A member's own FAULT
# takes the whole group to FAULT; a member that loses the election takes its group to
# BACKUP (the other master resigns, and nobody preempts back); a member becoming master
# takes the group along.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
lab_init
chmod 755 "$LAB_DIR"  # notify scripts run as nobody
gout="$LAB_DIR/group-notified"
touch "$gout"
chmod 666 "$gout"
lab_host a 192.0.2.11/24
lab_host b 192.0.2.12/24
ns=$(lab_ns a)
ip -n "$ns" link add uplink type veth peer name uplink-peer
ip -n "$ns" link set dev uplink up
ip -n "$ns" link set dev uplink-peer up
group() {  # group PRIORITY [TRACKERS for web] [GROUP NOTIFY]
    cat <<CONF
instances = (
  { name = "web"; interface = "eth0"; vrid = 80; priority = $1; advert_interval = 0.1;
    addresses = ( "192.0.2.80/24" ); ${2:-} },
  { name = "db"; interface = "eth0"; vrid = 81; priority = $1; advert_interval = 0.1;
    addresses = ( "192.0.2.81/24" ); }
);
sync_groups = ( { name = "pair"; instances = ( "web", "db" ); ${3:-} } );
CONF
}
both_on() { lab_only_holder "$1" 192.0.2.80 && lab_only_holder "$1" 192.0.2.81; }
mkfifo -m 600 "$LAB_DIR/fifo"
exec 3<>"$LAB_DIR/fifo"
lab_bg sh -c "exec cat <&3 >'$LAB_DIR/fifo.txt'"
lab_vipd a "global = { notify_fifo = \"$LAB_DIR/fifo\"; };
$(group 200 "track_interfaces = ( \"uplink\" ); track_files = ( { path = \"$LAB_DIR/drain\"; weight = -150; } );" \
    "notify = { any = \"/bin/sh -c 'echo \$1 \$2 \$3 >> $gout' n\"; };")"
lab_vipd b "$(group 100)"
lab_wait 3000 both_on a || lab_fail "a should hold both VIPs: web '$(lab_holders 192.0.2.80)' db '$(lab_holders 192.0.2.81)'"

# 1. web's uplink fails: web FAULT, db follows into FAULT, b takes both. Both members
#    leave with a priority-0 advert: b takes each over after its Skew_Time, (256 - 100) x
#    100 ms / 256 = 61 ms, not its Master_Down_Interval (361 ms).
skew=61
margin=${FAILOVER_MARGIN_MS:-180}
t0=$(lab_now_ms)
ip -n "$ns" link set dev uplink-peer down
lab_wait $((skew + margin)) both_on b ||
    lab_fail "b should hold both within Skew_Time ${skew}+${margin} ms of a's uplink failing"
echo "group_takeover_ms=$(($(lab_now_ms) - t0))"
grep '\[db vrid 81 v4\] MASTER -> FAULT (fault: another member of the sync group is in fault)' \
    "$LAB_DIR/a.log" >/dev/null || lab_fail "db did not follow web into FAULT"
# (b's db then follows its web as a sync group, or takes over on a's priority 0 itself.)
grep '\[web vrid 80 v4\] BACKUP -> MASTER (master 192.0.2.11 resigned (priority 0))' \
    "$LAB_DIR/b.log" >/dev/null || lab_fail "b's web did not take over on a's priority 0"
ip -n "$ns" link set dev uplink-peer up
lab_wait 3000 both_on a || lab_fail "both should return to a with its uplink"

# 2. web's priority drops below b's: b preempts web, a's db resigns with it, and stays
# backup although its own priority (200) is higher than b's.
echo 1 >"$LAB_DIR/drain"
lab_wait 2000 both_on b || lab_fail "b should hold both after a's web lost the election"
grep '\[db vrid 81 v4\] MASTER -> BACKUP (sync group)' "$LAB_DIR/a.log" >/dev/null ||
    lab_fail "db did not follow web into BACKUP"
sleep 1
both_on b || lab_fail "the group flapped back: web '$(lab_holders 192.0.2.80)' db '$(lab_holders 192.0.2.81)'"

# 3. web recovers and preempts: db comes along.
rm -f "$LAB_DIR/drain"
lab_wait 3000 both_on a || lab_fail "both should return to a when web recovers"

# The group's own notifications: one per group state change, not one per member. On
# SIGTERM the group hands over to b as a whole first (graceful_handover): BACKUP, STOP.
lab_stop a
lab_wait 1000 both_on b || lab_fail "b should hold both groups' VIPs after a stopped"
expected="BACKUP MASTER FAULT BACKUP MASTER BACKUP MASTER BACKUP STOP"
got=$(awk '$1 == "GROUP" && $2 == "pair" { print $3 }' "$gout" | tr '\n' ' ' | sed 's/ $//')
[ "$got" = "$expected" ] || lab_fail "group notifications: '$got' (want '$expected')"
# The same on the notify FIFO, in keepalived's form first (GROUP "name" STATE 0).
got=$(awk '$1 == "GROUP" { print $3 }' "$LAB_DIR/fifo.txt" | tr '\n' ' ' | sed 's/ $//')
[ "$got" = "$expected" ] || lab_fail "GROUP lines on the FIFO: '$got' (want '$expected')"
bad=$(grep -E '^GROUP' "$LAB_DIR/fifo.txt" |
    grep -Ev '^GROUP "pair" (MASTER|BACKUP|FAULT|STOP) 0 "(web|db)" ".+"$' || true)
[ -z "$bad" ] || lab_fail "GROUP lines not in keepalived's form: $bad"
lab_log "PASS"
