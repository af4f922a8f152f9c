#!/usr/bin/env bash
# SIGHUP: a changed priority applies live with no VIP gap for the client; a removed
# instance releases its VIP; an added one starts and claims its VIP after its
# Master_Down_Interval; an invalid file keeps everything running.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
lab_init
lab_host a 192.0.2.11/24
lab_host b 192.0.2.12/24
lab_host client 192.0.2.100/24
two() {  # two PRIORITY_WEB: instances web (VRID 60) and api (VRID 61)
    cat <<CONF
instances = (
  { name = "web"; interface = "eth0"; vrid = 60; priority = $1; advert_interval = 0.1;
    addresses = ( "192.0.2.10/24" ); },
  { name = "api"; interface = "eth0"; vrid = 61; priority = 150; advert_interval = 0.1;
    addresses = ( "192.0.2.20/24" ); }
);
CONF
}
lab_vipd a "$(two 200)"
lab_vipd b "$(lab_conf name=web vrid=60 priority=100 advert_interval=0.1 addresses='"192.0.2.10/24"')"
lab_wait 3000 lab_only_holder a 192.0.2.10 || lab_fail "a should hold web"
lab_wait 3000 lab_has_vip a 192.0.2.20 || lab_fail "a should hold api"

# 1. Priority change, still the highest: no flap, no client-visible gap.
lab_prober_start client 192.0.2.10
sleep 0.3
two 180 >"$LAB_DIR/a.conf"
lab_signal a HUP
lab_wait 2000 grep -q 'reload done' "$LAB_DIR/a.log" || lab_fail "reload not done"
sleep 0.5
gap=$(lab_prober_stop)
[ "$gap" -le 100 ] || lab_fail "client saw a ${gap} ms gap during a no-op-for-VIPs reload"
[ "$(lab_log_count a 'MASTER -> ')" -eq 0 ] || lab_fail "a left MASTER during the reload"
lab_signal a USR1
lab_wait 1000 test -s "$LAB_DIR/a.run/snapshot.json" || lab_fail "no snapshot"
python3 -c "
import json,sys
s=json.load(open('$LAB_DIR/a.run/snapshot.json'))
web=[i for i in s['instances'] if i['name']=='web'][0]
sys.exit(0 if web['priority']==180 and web['state']=='MASTER' else 1)" ||
    lab_fail "snapshot does not show web at priority 180 as MASTER"

# 2. Invalid file: errors logged with FILE:LINE, everything keeps running unchanged.
echo 'instances = ( { name = "web"; vrid = 999; } );' >"$LAB_DIR/a.conf"
lab_signal a HUP
lab_wait 2000 grep -q 'keeping the running configuration' "$LAB_DIR/a.log" || lab_fail "bad reload not refused"
grep -qE "a\.conf:1: .*vrid" "$LAB_DIR/a.log" || lab_fail "the error does not name FILE:LINE"
lab_running a || lab_fail "vipd died on an invalid reload"
lab_has_vip a 192.0.2.10 && lab_has_vip a 192.0.2.20 || lab_fail "VIPs lost after a refused reload"

# 3. Remove api, lower web below b: api's VIP is released, web moves to b.
lab_conf name=web vrid=60 priority=50 advert_interval=0.1 addresses='"192.0.2.10/24"' >"$LAB_DIR/a.conf"
lab_signal a HUP
lab_wait 2000 bash -c "! ip -n $(lab_ns a) -o addr show dev eth0 | grep -q 'inet 192.0.2.20/'" ||
    lab_fail "removed instance kept its VIP"
lab_wait 2000 lab_only_holder b 192.0.2.10 || lab_fail "web did not move to b after the priority drop"
lab_running a || lab_fail "vipd died during reload"

# 4. Add an instance (VRID 66, alone on it): it starts at once and, nobody else
#    advertising, claims its VIP after its Master_Down_Interval (3 x 100 ms + (256 - 150)
#    x 100 ms / 256 = 341 ms); web carries on as it was.
cat >"$LAB_DIR/a.conf" <<'CONF'
instances = (
  { name = "web"; interface = "eth0"; vrid = 60; priority = 50; advert_interval = 0.1;
    addresses = ( "192.0.2.10/24" ); },
  { name = "extra"; interface = "eth0"; vrid = 66; priority = 150; advert_interval = 0.1;
    addresses = ( "192.0.2.66/24" ); }
);
CONF
t0=$(lab_now_ms)
lab_signal a HUP
lab_wait $((341 + ${FAILOVER_MARGIN_MS:-300})) lab_has_vip a 192.0.2.66 ||
    lab_fail "the added instance did not claim its VIP within 341+${FAILOVER_MARGIN_MS:-300} ms"
echo "added_instance_master_ms=$(($(lab_now_ms) - t0))"
grep '\[extra vrid 66 v4\] INIT -> BACKUP (startup)' "$LAB_DIR/a.log" >/dev/null ||
    lab_fail "the added instance did not start"
lab_only_holder b 192.0.2.10 || lab_fail "web moved during the reload that added an instance"
echo "reload_gap_ms=$gap"
lab_log "PASS"
