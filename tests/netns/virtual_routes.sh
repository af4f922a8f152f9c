#!/usr/bin/env bash
# virtual_routes and virtual_rules (keepalived's): a master installs them after its VIPs
# and removes them before; they follow the master to the other host and back; one deleted
# by hand while master is put back at once (and only once: no copies); someone else's route
# with the same key is left alone; what a killed vipd left is removed at the next start.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
lab_init
lab_host a 192.0.2.11/24 2001:db8::11/64
lab_host b 192.0.2.12/24 2001:db8::12/64
conf() {  # conf PRIORITY
    cat <<CONF
instances = ( {
    name = "gw"; interface = "eth0"; vrid = 60; priority = $1; advert_interval = 0.1;
    addresses = ( "192.0.2.5/24" );
    virtual_routes = (
        { to = "198.51.100.0/24"; via = "192.0.2.100"; src = "192.0.2.5"; },
        { to = "203.0.113.0/24"; type = "blackhole"; table = 100; },
        { to = "2001:db8:5::/48"; dev = "eth0"; metric = 20; } );
    virtual_rules = ( { from = "192.0.2.5"; table = 100; priority = 1000; } );
} );
CONF
}
# routes_on HOST: how many of the four are on HOST (each counted once).
routes_on() {
    local ns n=0
    ns=$(lab_ns "$1")
    ip -n "$ns" route show 198.51.100.0/24 | grep 'via 192.0.2.100 dev eth0.*src 192.0.2.5' >/dev/null && n=$((n + 1))
    ip -n "$ns" route show table 100 | grep '^blackhole 203.0.113.0/24' >/dev/null && n=$((n + 1))
    ip -n "$ns" -6 route show 2001:db8:5::/48 | grep 'dev eth0 .*metric 20' >/dev/null && n=$((n + 1))
    ip -n "$ns" rule show | grep '^1000:.*from 192.0.2.5 lookup 100' >/dev/null && n=$((n + 1))
    echo "$n"
}
all_on() { [ "$(routes_on "$1")" = 4 ]; }
# What HOST has, for a failure message.
show() {
    local ns
    ns=$(lab_ns "$1")
    { ip -n "$ns" route; ip -n "$ns" route show table 100; ip -n "$ns" -6 route; ip -n "$ns" rule; } |
        tr '\n' ';'
}
none_on() { [ "$(routes_on "$1")" = 0 ]; }

lab_vipd a "$(conf 200)"
lab_vipd b "$(conf 100)"
lab_wait 3000 lab_only_holder a 192.0.2.5 || lab_fail "a should be master"
lab_wait 1000 all_on a || lab_fail "a (master) has $(routes_on a) of the 4 routes and rules: $(show a)"
none_on b || lab_fail "b (backup) has $(routes_on b) of them"

ip -n "$(lab_ns a)" route show 198.51.100.0/24 | grep 'proto 86' >/dev/null ||
    lab_fail "vipd's route does not carry its protocol (86): $(show a)"

# Deleted by hand on the master: back within a moment, logged and counted.
ip -n "$(lab_ns a)" route del 198.51.100.0/24
ip -n "$(lab_ns a)" rule del priority 1000
lab_wait 1000 all_on a || lab_fail "deleted routes not restored: $(routes_on a) of 4"
[ "$(lab_log_count a 'was deleted while master: added again')" -ge 2 ] ||
    lab_fail "the restored route and rule were not logged"
restored=$(lab_ctl a status --json | python3 -c '
import json, sys
print(json.load(sys.stdin)["result"]["instances"][0]["counters"]["routes_restored"])')
[ "$restored" = 2 ] || lab_fail "routes_restored is $restored, not 2"
rules=$(ip -n "$(lab_ns a)" rule show | grep -c 'lookup 100' || true)
[ "$rules" = 1 ] || lab_fail "$rules copies of the rule after restores, not 1: $(show a)"

# Someone else's route on b with the key of one of vipd's (table 100, 203.0.113.0/24): b,
# when master, leaves it alone and says so, and it is still there when b stops being master.
ip -n "$(lab_ns b)" route add unreachable 203.0.113.0/24 table 100
theirs() { ip -n "$(lab_ns b)" route show table 100 | grep '^unreachable 203.0.113.0/24' >/dev/null; }

# The master stops: the routes go with the VIP to b, and none stay behind on a.
lab_stop a
lab_wait 2000 lab_only_holder b 192.0.2.5 || lab_fail "b did not take over"
lab_wait 1000 lab_log_count_at_least b 'that vipd did not add is in the way' 1 ||
    lab_fail "b did not report the route in the way"
[ "$(routes_on b)" = 3 ] && theirs || lab_fail "b (master) should have 3 of its 4 and the other route: $(show b)"
none_on a || lab_fail "a still has $(routes_on a) after vipd stopped"

# a comes back and preempts: the routes move back, and leave b.
lab_vipd a "$(conf 200)"
lab_wait 3000 lab_only_holder a 192.0.2.5 || lab_fail "a did not take back the VIP"
lab_wait 1000 all_on a || lab_fail "a has $(routes_on a) of the 4 after preempting"
lab_wait 1000 none_on b || lab_fail "b kept $(routes_on b) after losing master"
theirs || lab_fail "b removed a route vipd did not add: $(show b)"

# A killed master leaves its routes; the next start removes them (here as a backup).
lab_stop a KILL
# (a keeps its VIP too: nobody removes it)
lab_wait 2000 lab_has_vip b 192.0.2.5 || lab_fail "b did not take over from the killed a"
all_on a || lab_fail "a killed: its routes should still be there: $(show a)"
lab_vipd a "$(conf 50)"
lab_wait 2000 lab_log_count_at_least a 'removed 4 route\(s\) and rule\(s\) a previous vipd left behind' 1 ||
    lab_fail "a's restart did not remove what the killed vipd left"
none_on a || lab_fail "a (backup after restart) still has $(routes_on a): $(show a)"
lab_log "PASS"
