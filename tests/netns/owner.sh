#!/usr/bin/env bash
# The address owner (priority 255): the VIP is one of its own interface addresses. It is
# master at once (no Master_Down_Interval) and keeps the address when vipd stops; the
# backup holds the VIP while the owner is away and yields when it returns. (The owner
# advertises from its primary address: were that the VIP itself, a backup holding the VIP
# would drop the owner's adverts as coming from a local address; see vipd.conf(5).)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
lab_init
lab_host a 192.0.2.11/24
ip -n "$(lab_ns a)" addr add 192.0.2.65/24 dev eth0  # the owner's own address, the VIP
lab_host b 192.0.2.12/24
lab_host client 192.0.2.100/24
lab_cut a  # until a runs vipd, keep its address away from b's copy of the VIP
lab_vipd b "$(lab_conf name=gw vrid=65 priority=100 advert_interval=0.1 addresses='"192.0.2.65/24"')"
lab_wait 2000 lab_has_vip b 192.0.2.65 || lab_fail "b should hold the VIP while the owner is away"
lab_vipd a "$(lab_conf name=gw vrid=65 priority=255 advert_interval=0.1 addresses='"192.0.2.65/24"')"
lab_wait 1000 grep 'FAULT' "$LAB_DIR/a.log" >/dev/null || lab_fail "a should wait in FAULT without its link"
lab_mend a
lab_wait 1000 grep -- '-> MASTER (address owner (priority 255))' "$LAB_DIR/a.log" >/dev/null ||
    lab_fail "the owner did not go straight to MASTER"
lab_wait 1000 bash -c "! ip -n $(lab_ns b) -o addr show dev eth0 | grep 'inet 192.0.2.65/' >/dev/null" ||
    lab_fail "b did not yield to the owner"
lab_wait 1000 lab_ping client 192.0.2.65 || lab_fail "the owner's address does not answer"
lab_stop a TERM
lab_has_vip a 192.0.2.65 || lab_fail "stopping vipd removed the owner's own address"
lab_wait 1000 grep 'resigned (priority 0)' "$LAB_DIR/b.log" >/dev/null ||
    lab_fail "b did not hear the owner resign"
lab_log "PASS"
