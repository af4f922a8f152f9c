#!/usr/bin/env bash
# SIGUSR1 writes RUNTIME_DIR/snapshot.json: mode 0600, never through a planted symlink,
# with state, timers and per-reason drop counters.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
lab_init
lab_host a 192.0.2.11/24
lab_vipd a "$(lab_conf name=web vrid=64 priority=150 advert_interval=0.1 addresses='"192.0.2.64/24"')"
lab_wait 2000 lab_has_vip a 192.0.2.64 || lab_fail "a did not become master"
run="$LAB_DIR/a.run"
echo keep >"$LAB_DIR/victim"
ln -s "$LAB_DIR/victim" "$run/snapshot.json"
pid=${LAB_PIDS[a]}
ln -s "$LAB_DIR/victim" "$run/snapshot.json.tmp.$pid"
lab_signal a USR1
lab_wait 1000 test -f "$run/snapshot.json" -a ! -L "$run/snapshot.json" ||
    lab_fail "snapshot.json is still the planted symlink"
[ "$(cat "$LAB_DIR/victim")" = keep ] || lab_fail "the snapshot was written through a symlink"
[ "$(stat -c %a "$run/snapshot.json")" = 600 ] || lab_fail "snapshot mode is $(stat -c %a "$run/snapshot.json")"
python3 - "$run/snapshot.json" <<'PY' || lab_fail "snapshot content"
import json, sys
s = json.load(open(sys.argv[1]))
i = s["instances"][0]
assert i["name"] == "web" and i["state"] == "MASTER" and i["vrid"] == 64, i
assert i["priority"] == 150 and i["adver_timer_ms"] is not None
assert set(i["counters"]["drops"]) >= {"bad_ttl", "bad_checksum", "auth_failure", "not_a_peer"}
assert i["counters"]["adverts_sent"] > 0
assert s["sockets"][0]["interface"] == "eth0"
PY
lab_log "PASS"
