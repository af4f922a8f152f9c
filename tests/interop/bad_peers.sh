#!/usr/bin/env bash
# Peers that must not disturb the election: keepalived with the wrong VRRPv2 password, and
# keepalived speaking VRRPv2 to a VRRPv3 instance, both with a higher priority on the same
# VRID. vipd drops their adverts, counts them by reason (auth_failure, version_mismatch),
# rate-limits the log lines about them, and stays master.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
lab_require_keepalived
lab_init
lab_host v 192.0.2.11/24
lab_host k 192.0.2.12/24
lab_host k2 192.0.2.13/24
lab_vipd v "$(cat <<'CONF'
instances = (
  { name = "pass"; interface = "eth0"; vrid = 91; priority = 100; version = 2;
    advert_interval = 3; addresses = ( "192.0.2.91/24" );
    authentication = { type = "pass"; password = "secret1"; }; },
  { name = "v3"; interface = "eth0"; vrid = 92; priority = 100; advert_interval = 3;
    addresses = ( "192.0.2.92/24" ); }
);
CONF
)"
lab_wait 12000 lab_has_vip v 192.0.2.91 || lab_fail "vipd should be master of VRID 91"
lab_wait 5000 lab_has_vip v 192.0.2.92 || lab_fail "vipd should be master of VRID 92"
# Wrong password, priority 200, same VRID 91.
lab_keepalived k "$(cat <<'CONF'
vrrp_instance wrong {
    interface eth0
    version 2
    virtual_router_id 91
    priority 200
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass wrong1
    }
    virtual_ipaddress {
        192.0.2.91/24
    }
}
CONF
)"
# VRRPv2, priority 200, on the VRID vipd runs as VRRPv3.
lab_keepalived k2 "$(cat <<'CONF'
vrrp_instance old {
    interface eth0
    version 2
    virtual_router_id 92
    priority 200
    advert_int 1
    virtual_ipaddress {
        192.0.2.92/24
    }
}
CONF
)"
# Both bad peers hear nothing they accept either, become master after their 3.2 s, and
# advertise every second: wait until vipd has dropped several adverts of each. (vipd
# advertises every 3 s here: keepalived 2.2.7 re-arms its advert timer on every packet
# it receives, valid or not, so a peer sending faster than its interval silences it.)
counted() {
    rm -f "$LAB_DIR/v.run/snapshot.json"
    lab_signal v USR1
    lab_wait 1000 test -s "$LAB_DIR/v.run/snapshot.json" || return 1
    python3 - "$LAB_DIR/v.run/snapshot.json" <<'PY'
import json, sys
s = {i["name"]: i for i in json.load(open(sys.argv[1]))["instances"]}
sys.exit(0 if s["pass"]["counters"]["drops"]["auth_failure"] >= 4
         and s["v3"]["counters"]["drops"]["version_mismatch"] >= 4 else 1)
PY
}
lab_wait 15000 counted || lab_fail "drops not counted by reason: $(python3 -c "import json,sys; s=json.load(open(sys.argv[1])); print([(i[\"name\"], {k: v for k, v in i[\"counters\"][\"drops\"].items() if v}) for i in s[\"instances\"]], [{k: v for k, v in x[\"drops\"].items() if v} for x in s[\"sockets\"]])" "$LAB_DIR/v.run/snapshot.json"); $(grep -c MASTER "$LAB_DIR/k.log") MASTER lines in k.log, $(grep -c "Entering MASTER" "$LAB_DIR/k2.log") in k2.log; k2: $(grep -vE "wrong version|Received 3" "$LAB_DIR/k2.log" | tail -5 | tr "\n" "|")"
lab_has_vip v 192.0.2.91 || lab_fail "a peer with the wrong password took VRID 91 from vipd"
lab_has_vip v 192.0.2.92 || lab_fail "a VRRPv2 peer took the VRRPv3 VRID 92 from vipd"
[ "$(lab_log_count v 'MASTER -> BACKUP')" -eq 0 ] || lab_fail "vipd yielded to a bad peer"
# Rate limited: a few lines, not one per dropped advert.
n=$(lab_log_count v 'dropped advert')
lab_log "drop log lines: $n"
[ "$n" -le 12 ] || lab_fail "$n log lines for dropped adverts: not rate limited"
[ "$n" -ge 1 ] || lab_fail "dropped adverts were not logged at all"
lab_log "PASS"
