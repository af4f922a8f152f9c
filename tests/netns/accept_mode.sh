#!/usr/bin/env bash
# accept = false (RFC 9568 §6.4.3): the master refuses traffic to its VIPs through vipd's
# own nftables table, while ARP and neighbour discovery still resolve them; true lets it
# in; a reload switches it live; a flushed ruleset gets the table back; TERM removes the
# table; one left by a crash (KILL) is replaced at the next start; nobody else's table is
# touched.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
lab_init
lab_host a 192.0.2.11/24 2001:db8::11/64
lab_host client 192.0.2.100/24 2001:db8::100/64
a=$(lab_ns a)
client=$(lab_ns client)
conf() {  # conf ACCEPT
    cat <<CONF
instances = (
  { name = "web4"; interface = "eth0"; vrid = 55; priority = 150; advert_interval = 0.1;
    accept = $1; addresses = ( "192.0.2.5/24" ); },
  { name = "web6"; interface = "eth0"; vrid = 56; priority = 150; advert_interval = 0.1;
    accept = $1; addresses = ( "2001:db8::5/64" ); }
);
CONF
}
# Someone else's table, which vipd must leave exactly as it is.
ip netns exec "$a" nft -f - <<'NFT' || lab_fail "cannot make the bystander table in a"
table inet bystander {
  chain input { type filter hook input priority 10; policy accept; tcp dport 9 counter drop; }
}
NFT
ip netns exec "$a" nft list table inet bystander >"$LAB_DIR/a-bystander.before"
# A service bound to the VIPs (any address) on port 8080.
ip netns exec "$a" python3 -c '
import socket
s = socket.socket(socket.AF_INET6)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", 8080))
s.listen(16)
while True:
    s.accept()[0].close()
' &
lab_bg $!
mac_a=$(ip -n "$a" -j link show eth0 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["address"])')

connects() {  # connects ADDR: a TCP connection to ADDR:8080 from the client succeeds
    ip netns exec "$client" timeout 1 bash -c "exec 3<>/dev/tcp/$1/8080" 2>/dev/null
}
ping6_client() { ip netns exec "$client" ping -6 -q -c 1 -W 1 "$1" >/dev/null 2>&1; }
# The client's neighbour entry for ADDR is a's MAC (resolved: ARP / ND answered).
resolved_to_a() {
    ip -n "$client" neigh show "$1" | grep -i "lladdr $mac_a" >/dev/null ||
        { ip -n "$client" neigh show "$1" >&2; return 1; }
}
table() { ip netns exec "$a" nft list table inet vipd 2>/dev/null; }
refused() {  # refused: nothing gets through to either VIP, yet both resolve
    ! lab_ping client 192.0.2.5 || lab_fail "$1: ping to the v4 VIP was answered"
    ! connects 192.0.2.5 || lab_fail "$1: TCP connect to the v4 VIP succeeded"
    ! ping6_client 2001:db8::5 || lab_fail "$1: ping to the v6 VIP was answered"
    ! connects 2001:db8::5 || lab_fail "$1: TCP connect to the v6 VIP succeeded"
    resolved_to_a 192.0.2.5 || lab_fail "$1: ARP for the v4 VIP was not answered"
    resolved_to_a 2001:db8::5 || lab_fail "$1: ND for the v6 VIP was not answered"
}
accepted() {
    lab_wait 2000 lab_ping client 192.0.2.5 || lab_fail "$1: ping to the v4 VIP unanswered"
    connects 192.0.2.5 || lab_fail "$1: TCP connect to the v4 VIP failed"
    lab_wait 2000 ping6_client 2001:db8::5 || lab_fail "$1: ping to the v6 VIP unanswered"
    connects 2001:db8::5 || lab_fail "$1: TCP connect to the v6 VIP failed"
}
masters() {
    lab_wait 3000 lab_has_vip a 192.0.2.5 && lab_wait 3000 lab_has_vip a 2001:db8::5 ||
        lab_fail "$1: a did not claim both VIPs"
}

# 1. accept = false: refused, resolved; the table holds the VIPs.
lab_vipd a "$(conf false)"
masters "accept=false"
table | grep 'elements = { 192.0.2.5 }' >/dev/null && table | grep 'elements = { 2001:db8::5 }' >/dev/null ||
    lab_fail "the table does not hold the VIPs: $(table)"
refused "accept=false"
table | grep -E 'ip daddr @no_accept_v4 counter packets [1-9]' >/dev/null ||
    lab_fail "the table's counter saw nothing: $(table)"

# 2. Reload to true: let in at once, with no transition.
conf true >"$LAB_DIR/a.conf"
lab_signal a HUP
lab_wait 2000 grep -q 'reload done' "$LAB_DIR/a.log" || lab_fail "reload to true not done"
accepted "reloaded to accept=true"
! table | grep 'elements' >/dev/null || lab_fail "the VIPs are still in the table: $(table)"
[ "$(lab_log_count a 'MASTER -> ')" -eq 0 ] || lab_fail "a left MASTER during the reloads"

# 3. Back to false by reload, then KILL: the table stays behind (a crash cleans nothing)...
conf false >"$LAB_DIR/a.conf"
lab_signal a HUP
lab_wait 2000 bash -c "[ \$(grep -c 'reload done' '$LAB_DIR/a.log') -ge 2 ]" ||
    lab_fail "reload to false not done"
refused "reloaded to accept=false"
lab_stop a KILL
table >/dev/null || lab_fail "expected the killed vipd's table to remain"
# ...and a vipd started with accept = true replaces it: nothing blocks traffic to the VIPs
# it claims (the killed one's VIPs are still on the interface and are taken back).
lab_vipd a "$(conf true)"
masters "restart"
accepted "after a crash, restarted with accept=true"
! table >/dev/null || lab_fail "a crashed vipd's table outlived the restart: $(table)"

# 4. The bystander table is as it was. A firewall reload that flushes the whole ruleset
#    takes vipd's table too: vipd writes it again. TERM removes it.
lab_stop a
lab_vipd a "$(conf false)"
masters "accept=false again"
table >/dev/null || lab_fail "no table with accept=false"
ip netns exec "$a" nft list table inet bystander | diff "$LAB_DIR/a-bystander.before" - ||
    lab_fail "vipd changed another table in its namespace"
ip netns exec "$a" nft flush ruleset
lab_wait 2000 bash -c "ip netns exec $a nft list table inet vipd 2>/dev/null | grep -q 'elements = { 2001:db8::5 }'" ||
    lab_fail "the flushed table was not written again"
grep -q 'removed by someone else' "$LAB_DIR/a.log" || lab_fail "the restored table was not logged"
refused "after a flush ruleset"
lab_stop a
! table >/dev/null || lab_fail "the table outlived vipd: $(table)"
lab_log "PASS"
