#!/usr/bin/env bash
# auth_hmac between two vipds (draft-cassen-vrrp-auth-hmac-00; issue 15, item 3): the keys
# come from private files; a rotation in three reloads (learn, sign, retire) causes no
# transition; a third host with the wrong key and a higher priority takes nothing from the
# pair (its adverts are dropped as hmac_bad_tag); and once the master dies, its captured
# adverts replayed under its address do not hold the backup off (hmac_replay).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
lab_init
lab_host a 192.0.2.11/24
lab_host b 192.0.2.12/24
lab_host x 192.0.2.13/24
keys="$LAB_DIR/keys"
mkdir -m 700 "$keys"
printf 'hex:%s\n' "$(printf '11%.0s' $(seq 32))" >"$keys/k1"
printf 'an ASCII key of thirty-two bytes, key two\n' >"$keys/k2"
printf 'hex:%s\n' "$(printf '99%.0s' $(seq 32))" >"$keys/wrong"
chmod 600 "$keys"/*

conf() {  # conf PRIORITY KEYS ACTIVE: KEYS as "1 2" (file k1, k2) or "wrong"
    local list="" id
    for id in $2; do
        local file=$id n=$id
        [ "$id" = wrong ] && n=2
        [ "$id" = wrong ] || file=k$id
        list="$list${list:+, }{ id = $n; key = \"file:$keys/$file\"; }"
    done
    lab_conf name=web vrid=70 priority="$1" advert_interval=0.1 addresses='"192.0.2.70/24"' \
        auth_hmac="{ keys = ( $list ); active_key = $3; }"
}
drops() {  # drops HOST REASON
    lab_ctl "$1" status --json | python3 -c '
import json, sys
print(json.load(sys.stdin)["result"]["instances"][0]["counters"]["drops"][sys.argv[1]])' "$2"
}
reload() {  # reload HOST PRIORITY KEYS ACTIVE
    local before
    before=$(lab_log_count "$1" 'reload done')
    conf "$2" "$3" "$4" >"$LAB_DIR/$1.conf"
    lab_signal "$1" HUP
    lab_wait 2000 lab_log_count_at_least "$1" 'reload done' $((before + 1)) ||
        lab_fail "$1 did not reload"
}

lab_vipd a "$(conf 200 1 1)"
lab_vipd b "$(conf 100 1 1)"
lab_wait 3000 lab_only_holder a 192.0.2.70 || lab_fail "a should be master"
b_is_backup() { [ "$(lab_field b web state)" = BACKUP ]; }
lab_wait 2000 b_is_backup || lab_fail "b should be backup"
masters_b=$(lab_log_count b '-> MASTER')
lab_ctl a show web | grep -E '^auth_hmac: +enforce, signing with key 1 \(accepts keys 1\)' \
    >/dev/null || lab_fail "vipctl show: $(lab_ctl a show web | grep auth_hmac)"

# Rotation: b and a learn key 2, then sign with it, then drop key 1; no transition anywhere.
reload b 100 "1 2" 1
reload a 200 "1 2" 1
reload a 200 "1 2" 2
reload b 100 "1 2" 2
sleep 0.5
reload a 200 2 2
reload b 100 2 2
sleep 0.5
lab_only_holder a 192.0.2.70 || lab_fail "the rotation moved the VIP"
[ "$(lab_log_count a 'MASTER -> ')" = 0 ] || lab_fail "a left MASTER during the rotation"
[ "$(lab_log_count b '-> MASTER')" = "$masters_b" ] || lab_fail "b took over during the rotation"
for r in hmac_unknown_key hmac_bad_tag hmac_missing; do
    [ "$(drops b "$r")" = 0 ] || lab_fail "b dropped $(drops b "$r") as $r during the rotation"
done
lab_ctl a show web | grep -E '^auth_hmac: +enforce, signing with key 2 \(accepts keys 2\)' \
    >/dev/null || lab_fail "after the rotation: $(lab_ctl a show web | grep auth_hmac)"

# A stranger with the wrong secret for key 2 and priority 250: dropped by both, nothing moves.
lab_vipd x "$(conf 250 wrong 2)"
lab_wait 3000 lab_log_count_at_least x 'BACKUP -> MASTER' 1 || lab_fail "x never ran"
sleep 1
[ "$(lab_field a web state)" = MASTER ] || lab_fail "a yielded to a wrong key"
[ "$(lab_log_count a 'MASTER -> ')" = 0 ] || lab_fail "a left MASTER for the wrong key"
[ "$(lab_log_count b '-> MASTER')" = "$masters_b" ] || lab_fail "b moved for the wrong key"
bad_a=$(drops a hmac_bad_tag) bad_b=$(drops b hmac_bad_tag)
[ "$bad_a" -ge 5 ] && [ "$bad_b" -ge 5 ] ||
    lab_fail "the wrong key's adverts were not counted (a $bad_a, b $bad_b)"
lab_log "wrong key: hmac_bad_tag a=$bad_a b=$bad_b"
lab_stop x

# What a puts on the wire: 12 bytes of advert, the 28-byte trailer (type 1, key 2).
lab_capture_signed x 192.0.2.11 70 2 "$LAB_DIR/a.adverts"
# Replay, at once (within the time window, so not merely stale): a dies; x takes its
# address and sends a's captured adverts, every 5 ms, for 2 s.
lab_stop a KILL
killed=$(lab_now_ms)
ip -n "$(lab_ns x)" addr add 192.0.2.11/24 dev eth0
lab_replay x 192.0.2.11 "$LAB_DIR/a.adverts"
# (a's VIP stays on its dead interface: only b's is looked at.)
lab_wait 3000 lab_has_vip b 192.0.2.70 || lab_fail "replayed adverts kept b from taking over"
took=$(($(lab_now_ms) - killed))
wait "$LAB_REPLAYER"
replays=$(drops b hmac_replay)
[ "$replays" -ge 50 ] || lab_fail "replays not counted: $replays (stale: $(drops b hmac_stale))"
[ "$(lab_field b web state)" = MASTER ] || lab_fail "a replayed advert took b back to backup"
# Master_Down_Interval is 361 ms: the replays did not delay the takeover beyond its margin.
[ "$took" -le 1000 ] || lab_fail "b took over $took ms after a died"
lab_log "replay: b took over after ${took} ms; hmac_replay=$replays"
lab_log "PASS"
