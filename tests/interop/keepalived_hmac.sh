#!/usr/bin/env bash
# vipd and keepalived with auth_hmac (draft-cassen-vrrp-auth-hmac-00), keepalived built from
# ../shared/peers (Debian's 2.2.7 predates it), on four VRIDs at once: VRRPv3 over IPv4
# multicast, IPv6 multicast, IPv4 unicast, and VRRPv2. Both directions on each: keepalived
# backs up vipd, then vipd backs up keepalived, every advert verified (no drop on either
# side, no takeover). A keepalived with the wrong key and priority 250 moves nothing and is
# counted (hmac_bad_tag); keys rotate in three reloads on both daemons without a
# transition; keepalived's captured adverts, replayed under its address once it is dead,
# do not hold vipd off (hmac_replay).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
lab_require_keepalived_hmac
lab_init
lab_host v 192.0.2.11/24 2001:db8::11/64
lab_host k 192.0.2.12/24 2001:db8::12/64
lab_host w 192.0.2.13/24
keys="$LAB_DIR/keys"
mkdir -m 700 "$keys"
printf 'hex:%s\n' "$(printf '5a%.0s' $(seq 32))" >"$keys/k1"
printf 'a second key, in ASCII, 40 bytes long!!!\n' >"$keys/k2"
printf 'hex:%s\n' "$(printf 'a5%.0s' $(seq 32))" >"$keys/wrong"
chmod 600 "$keys"/*
# (vrid name vip/prefix version interval) of each instance.
instances=(
    "81 h4 192.0.2.81/24 3 0.1"
    "82 h6 2001:db8::82/64 3 0.1"
    "83 h2 192.0.2.83/24 2 1"
    "84 hu 192.0.2.84/24 3 0.1"
)

# vipd_conf PRIORITY KEYS ACTIVE (KEYS: "1", "1 2" or "2", files k1 k2)
vipd_conf() {
    local list="" id line
    for id in $2; do list="$list${list:+, }{ id = $id; key = \"file:$keys/k$id\"; }"; done
    local sep=""
    echo "instances = ("
    for line in "${instances[@]}"; do
        set -- "$1" "$2" "$3" $line
        local peers=""
        [ "$5" = hu ] && peers='unicast_peers = [ "192.0.2.12" ];'
        echo "$sep  { name = \"$5\"; interface = \"eth0\"; vrid = $4; priority = $1; version = $7;
    advert_interval = $8; addresses = [ \"$6\" ]; $peers
    auth_hmac = { keys = ( $list ); active_key = $3; }; }"
        sep=","
    done
    echo ");"
}
# ka_conf PRIORITY KEYS ACTIVE [ONLY_VRID] (KEYS as above, or "wrong" for id 1)
ka_conf() {
    local line id
    for line in "${instances[@]}"; do
        set -- "$1" "$2" "$3" "${4:-}" $line
        [ -n "$4" ] && [ "$4" != "$5" ] && continue
        echo "vrrp_instance $6 {
    interface eth0
    version $8
    virtual_router_id $5
    priority $1
    advert_int $9
    auth_hmac {"
        for id in $2; do
            if [ "$id" = wrong ]; then echo "        key 1 file:$keys/wrong"
            else echo "        key $id file:$keys/k$id"; fi
        done
        echo "        active_key $3
    }
    virtual_ipaddress {
        $7
    }"
        [ "$6" = hu ] && echo "    unicast_src_ip 192.0.2.12
    unicast_peer {
        192.0.2.11
    }"
        echo "}"
    done
}
vips=(192.0.2.81 2001:db8::82 192.0.2.83 192.0.2.84)
names=(h4 h6 h2 hu)
counter() {  # counter INSTANCE KEY: a counter (or a drop, drops.KEY) of INSTANCE in vipd
    lab_ctl v status --json | python3 -c '
import json, sys
i = next(i for i in json.load(sys.stdin)["result"]["instances"] if i["name"] == sys.argv[1])
k = sys.argv[2]
print(i["counters"]["drops"][k[6:]] if k.startswith("drops.") else i["counters"][k])' "$1" "$2"
}
hmac_drops() {  # every auth_hmac drop in vipd, all instances
    lab_ctl v status --json | python3 -c '
import json, sys
print(sum(v for i in json.load(sys.stdin)["result"]["instances"]
          for k, v in i["counters"]["drops"].items() if k.startswith("hmac_")))'
}
# keepalived's words for vipd's adverts its auth_hmac rejects (w's, from 192.0.2.13, are
# meant to be rejected).
ka_rejections() {
    grep -iE 'authentication trailer|authentication HMAC|authentication key|replayed|stale' \
        "$LAB_DIR/$1.log" | grep -vc 'from 192\.0\.2\.13' || true
}
all_held_by() {
    local vip
    for vip in "${vips[@]}"; do lab_only_holder "$1" "$vip" || return 1; done
}
results=()

# --- 1. vipd master of all four (200), keepalived backup (100) -------------------------
lab_vipd v "$(vipd_conf 200 1 1)"
lab_wait 5000 all_held_by v || lab_fail "vipd should hold every VIP"
lab_keepalived_hmac k "$(ka_conf 100 1 1)"
lab_wait 5000 lab_log_count_at_least k 'Entering BACKUP STATE' 4 ||
    lab_fail "keepalived did not start its four instances"
sleep 4  # quiet period: a keepalived rejecting vipd's adverts would take over in 3.6 s (v2)
all_held_by v || lab_fail "keepalived took a VIP from vipd: $(for x in "${vips[@]}"; do lab_holders "$x"; done)"
[ "$(lab_log_count k 'Entering MASTER STATE')" = 0 ] || lab_fail "keepalived became master"
[ "$(ka_rejections k)" = 0 ] || lab_fail "keepalived rejected vipd's adverts: $(grep -iE 'authentication|replayed|stale' "$LAB_DIR/k.log" | head -3)"
results+=("vipd -> keepalived: v3 IPv4, v3 IPv6, v2, unicast accepted")

# A keepalived with the wrong key, priority 250 on h4: vipd stays master and counts it.
# (At 50 ms: keepalived re-arms its advert timer on every packet it hears, so at vipd's own
# 100 ms it would hardly send.)
lab_keepalived_hmac w "$(ka_conf 250 wrong 1 81 | sed 's/advert_int 0.1/advert_int 0.05/')"
sleep 2
[ "$(lab_field v h4 state)" = MASTER ] || lab_fail "vipd yielded h4 to a wrong key"
bad=$(counter h4 drops.hmac_bad_tag)
[ "$bad" -ge 5 ] || lab_fail "the wrong key was not counted on h4 ($bad)"
results+=("wrong key (keepalived, priority 250): vipd stayed master, hmac_bad_tag=$bad")
lab_stop w TERM

# --- 2. vipd stops (its priority-0 adverts signed too): keepalived takes over at once ---
t0=$(lab_now_ms)
lab_stop v TERM
lab_wait 3000 all_held_by k || lab_fail "keepalived did not take every VIP"
results+=("vipd SIGTERM -> keepalived master of all four: $(($(lab_now_ms) - t0)) ms")
lab_stop k TERM
lab_keepalived_hmac k "$(ka_conf 200 1 1)"
lab_wait 5000 lab_log_count_at_least k 'Entering MASTER STATE' 8 || lab_fail "keepalived (200) not master"
lab_vipd v "$(vipd_conf 100 1 1)"
masters=$(lab_log_count v 'BACKUP -> MASTER')
sleep 4
all_held_by k || lab_fail "vipd took a VIP from keepalived"
[ "$(lab_log_count v 'BACKUP -> MASTER')" = "$masters" ] || lab_fail "vipd became master beside keepalived"
[ "$(hmac_drops)" = 0 ] || lab_fail "vipd dropped keepalived's adverts: $(lab_ctl v show h4 | grep hmac)"
for n in "${names[@]}"; do
    [ "$(counter "$n" adverts_received)" -ge 3 ] || lab_fail "vipd heard no adverts on $n"
done
results+=("keepalived -> vipd: v3 IPv4, v3 IPv6, v2, unicast accepted")

# --- 3. key rotation on both, three reloads each: learn 2, sign with 2, retire 1 --------
reload_both() {  # reload_both KEYS ACTIVE
    local before
    before=$(lab_log_count v 'reload done')
    vipd_conf 100 "$1" "$2" >"$LAB_DIR/v.conf"
    lab_signal v HUP
    lab_wait 2000 lab_log_count_at_least v 'reload done' $((before + 1)) || lab_fail "vipd did not reload"
    ka_conf 200 "$1" "$2" >"$LAB_DIR/k.ka/keepalived.conf"
    kill -HUP "$(cat "$LAB_DIR/k.ka/main.pid")"
    sleep 1.5
}
reload_both "1 2" 1
reload_both "1 2" 2
reload_both 2 2
all_held_by k || lab_fail "the rotation moved a VIP"
[ "$(lab_log_count v 'BACKUP -> MASTER')" = "$masters" ] || lab_fail "vipd took over during the rotation"
[ "$(hmac_drops)" = 0 ] || lab_fail "vipd dropped adverts during the rotation"
[ "$(ka_rejections k)" = 0 ] || lab_fail "keepalived dropped adverts during the rotation"
lab_ctl v show h4 | grep -E '^auth_hmac: +enforce, signing with key 2 \(accepts keys 2\)' >/dev/null ||
    lab_fail "vipd after the rotation: $(lab_ctl v show h4 | grep auth_hmac)"
results+=("key rotation 1 -> 2 (three reloads each): no transition, no drop")

# --- 4. replay: keepalived's h4 adverts captured, keepalived killed, replayed ------------
lab_capture_signed w 192.0.2.12 81 2 "$LAB_DIR/k.adverts"
lab_stop k KILL
t0=$(lab_now_ms)
ip -n "$(lab_ns w)" addr add 192.0.2.12/24 dev eth0
lab_replay w 192.0.2.12 "$LAB_DIR/k.adverts"
lab_wait 3000 lab_has_vip v 192.0.2.81 || lab_fail "replayed adverts kept vipd from taking h4 over"
took=$(($(lab_now_ms) - t0))
wait "$LAB_REPLAYER"
replays=$(counter h4 drops.hmac_replay)
[ "$replays" -ge 50 ] || lab_fail "replays not counted on h4: $replays"
[ "$(lab_field v h4 state)" = MASTER ] || lab_fail "a replayed advert took vipd back to backup"
[ "$took" -le 1000 ] || lab_fail "vipd took h4 over $took ms after keepalived died"
results+=("keepalived's adverts replayed: vipd took over after $took ms, hmac_replay=$replays")
printf '%s\n' "${results[@]}" >&2
lab_log "PASS"
