#!/usr/bin/env bash
# Interfaces come and go: an instance whose interface does not exist yet waits in FAULT
# and starts when it appears; losing the interface's primary address is a FAULT too, and
# getting it back returns to service.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
lab_init
lab_host a 192.0.2.11/24
lab_host client 192.0.2.100/24
ns=$(lab_ns a)
# eth1 does not exist when vipd starts.
lab_vipd a "$(lab_conf name=late interface=eth1 vrid=62 priority=150 advert_interval=0.1 \
    addresses='"192.0.2.62/24"')"
lab_wait 2000 grep 'interface eth1 does not exist' "$LAB_DIR/a.log" >/dev/null ||
    lab_fail "no warning about the missing interface"
lab_wait 1000 grep -- '-> FAULT' "$LAB_DIR/a.log" >/dev/null || lab_fail "not in FAULT without its interface"

# Plug eth1 into the lab bridge: the instance must pick it up and become master on it.
ip -n "$(lab_ns sw)" link add name a1 type veth peer name eth1 netns "$ns"
ip -n "$(lab_ns sw)" link set dev a1 master br0 up
ip -n "$ns" addr add 192.0.2.21/24 dev eth1
ip -n "$ns" link set dev eth1 up
lab_wait 3000 bash -c "ip -n $ns -o addr show dev eth1 | grep 'inet 192.0.2.62/' >/dev/null" ||
    lab_fail "instance did not start on the late interface"
lab_wait 2000 lab_ping client 192.0.2.62 || lab_fail "VIP on the late interface unreachable"

# Primary address removed: FAULT, VIP released. Back: service resumes.
ip -n "$ns" addr del 192.0.2.21/24 dev eth1
lab_wait 1000 bash -c "! ip -n $ns -o addr show dev eth1 | grep 'inet 192.0.2.62/' >/dev/null" ||
    lab_fail "VIP kept after the primary address vanished"
grep 'MASTER -> FAULT (fault: interface has no usable address)' "$LAB_DIR/a.log" >/dev/null ||
    lab_fail "no FAULT for the lost primary address"
ip -n "$ns" addr add 192.0.2.21/24 dev eth1
lab_wait 3000 bash -c "ip -n $ns -o addr show dev eth1 | grep 'inet 192.0.2.62/' >/dev/null" ||
    lab_fail "instance did not return after the address came back"
lab_log "PASS"
