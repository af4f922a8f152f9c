#!/usr/bin/env bash
# A VIP deleted by hand on the master comes back at once (netlink event, no polling), also
# when its event was lost in a netlink overrun, and a master killed with SIGKILL leaves no
# duplicate VIP once it restarts.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
lab_init
lab_host a 192.0.2.11/24
lab_host b 192.0.2.12/24
conf() { lab_conf name=web vrid=59 priority="$1" advert_interval=0.1 addresses='"192.0.2.9/24"'; }
lab_vipd a "$(conf 200)"
lab_vipd b "$(conf 100)"
lab_wait 3000 lab_only_holder a 192.0.2.9 || lab_fail "a should be master"

ip -n "$(lab_ns a)" addr del 192.0.2.9/24 dev eth0
lab_wait 500 lab_has_vip a 192.0.2.9 || lab_fail "the deleted VIP was not restored"
grep -q 'restoring it' "$LAB_DIR/a.log" || lab_fail "restore not logged"

# Deleted while a cannot read its events, behind enough other changes to overrun its netlink
# receive buffer: the deletion's event is lost, and only the resync after the overrun can
# find the VIP missing. b is held too, so nobody takes over meanwhile.
lab_signal b STOP
lab_signal a STOP
{
    for _ in $(seq 1 40000); do
        echo "addr add 198.51.100.7/32 dev eth0"
        echo "addr del 198.51.100.7/32 dev eth0"
    done
    echo "addr del 192.0.2.9/24 dev eth0"
} | ip -n "$(lab_ns a)" -batch -
lab_has_vip a 192.0.2.9 && lab_fail "the VIP should be gone before a reads its events"
lab_signal a CONT
lab_signal b CONT
lab_wait 1000 lab_has_vip a 192.0.2.9 || lab_fail "the VIP deleted while events were lost is gone"
grep -q 'netlink: events lost (receive buffer overrun)' "$LAB_DIR/a.log" ||
    lab_fail "no overrun: the scenario did not happen (more changes needed?)"
lab_wait 1000 lab_only_holder a 192.0.2.9 || lab_fail "duplicate VIP: '$(lab_holders 192.0.2.9)'"

# kill -9: nothing is released; b takes over after its Master_Down_Interval and a still
# carries the stale VIP in its namespace.
lab_stop a KILL
lab_wait 1000 lab_has_vip b 192.0.2.9 || lab_fail "b did not take over from the killed master"
lab_has_vip a 192.0.2.9 || lab_fail "expected the stale VIP on a after SIGKILL"
# Restarted, a must first remove the stale copy; with preempt it then takes over cleanly.
lab_vipd a "$(conf 200 | sed 's/priority = 200;/priority = 200; preempt = false;/')"
lab_wait 1000 bash -c "! ip -n $(lab_ns a) -o addr show dev eth0 | grep -q 'inet 192.0.2.9/'" ||
    lab_fail "restarted a kept the stale VIP"
sleep 1
lab_only_holder b 192.0.2.9 || lab_fail "duplicate or missing VIP: '$(lab_holders 192.0.2.9)'"
lab_log "PASS"
