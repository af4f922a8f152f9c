#!/usr/bin/env bash
# Unicast peers: adverts go only to the configured peers; an advert from anyone else is
# dropped and counted (not_a_peer), and election and failover work as with multicast.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
lab_init
lab_host a 192.0.2.11/24
lab_host b 192.0.2.12/24
lab_host c 192.0.2.13/24
lab_host client 192.0.2.100/24
conf() {
    lab_conf name=uni vrid=57 priority="$1" advert_interval=0.1 addresses='"192.0.2.7/24"' \
        unicast_peers="$2"
}
lab_vipd a "$(conf 200 '"192.0.2.12"')"
lab_vipd b "$(conf 100 '"192.0.2.11"')"
# c is not a peer of anyone: its higher priority must be ignored by a and b.
lab_vipd c "$(conf 250 '"192.0.2.11", "192.0.2.12"')"
lab_wait 3000 lab_has_vip a 192.0.2.7 || lab_fail "a should be master (c is not its peer)"
sleep 0.5
lab_has_vip b 192.0.2.7 && lab_fail "b claims the VIP: it did not hear a's unicast adverts"
lab_signal a USR1
lab_wait 1000 test -s "$LAB_DIR/a.run/snapshot.json" || lab_fail "no snapshot from a"
python3 - "$LAB_DIR/a.run/snapshot.json" <<'PY' || lab_fail "a did not count c's adverts as not_a_peer"
import json, sys
snap = json.load(open(sys.argv[1]))
drops = snap["instances"][0]["counters"]["drops"]
sys.exit(0 if drops["not_a_peer"] > 0 else 1)
PY
lab_stop c
lab_cut a
lab_wait 600 lab_has_vip b 192.0.2.7 || lab_fail "unicast failover to b failed"
lab_wait 1000 lab_ping client 192.0.2.7 || lab_fail "VIP unreachable after unicast failover"
lab_log "PASS"
