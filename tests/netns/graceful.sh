#!/usr/bin/env bash
# Graceful shutdown as RFC 9568 has it (graceful_handover = false): SIGTERM makes the master
# send priority 0 and release its VIPs; the backup takes over after Skew_Time (not
# Master_Down_Interval); vipd exits 0.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
lab_init
lab_host a 192.0.2.11/24
lab_host b 192.0.2.12/24
lab_host client 192.0.2.100/24
# The RFC's shutdown, without vipd's handover (handover.sh covers that).
lab_vipd a "global = { graceful_handover = false; };
$(lab_conf name=web vrid=54 priority=200 advert_interval=1 addresses='"192.0.2.4/24"')"
lab_vipd b "$(lab_conf name=web vrid=54 priority=100 advert_interval=1 addresses='"192.0.2.4/24"')"
lab_wait 6000 lab_only_holder a 192.0.2.4 || lab_fail "a should be master"
sleep 0.5  # b has heard a's adverts

# With 1 s adverts b's Skew_Time is (256 - 100) / 256 s = 609 ms, its MDI 3.6 s: a takeover
# well under the MDI proves the priority-0 advert was sent and honoured.
skew=609
margin=${FAILOVER_MARGIN_MS:-150}
t0=$(lab_now_ms)
lab_stop a TERM
[ "$LAB_LAST_EXIT" -eq 0 ] || lab_fail "vipd exited $LAB_LAST_EXIT on SIGTERM"
lab_has_vip a 192.0.2.4 && lab_fail "a kept the VIP after shutdown"
lab_wait $((skew + margin)) lab_has_vip b 192.0.2.4 ||
    lab_fail "b did not take over within Skew_Time ${skew}+${margin} ms"
t1=$(lab_now_ms)
lab_wait 1000 lab_ping client 192.0.2.4 || lab_fail "VIP unreachable after handover"
grep -q 'resigned (priority 0)' "$LAB_DIR/b.log" || lab_fail "b's log does not name the resignation"
echo "graceful_takeover_ms=$((t1 - t0)) skew_ms=$skew"
lab_log "PASS: takeover $((t1 - t0)) ms after SIGTERM"
