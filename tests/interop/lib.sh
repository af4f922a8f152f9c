# Interop additions to the netns lab (tests/netns/lib.sh): keepalived as a peer.
# shellcheck shell=bash
source "$(dirname "${BASH_SOURCE[0]}")/../netns/lib.sh"

lab_require_keepalived() {
    command -v keepalived >/dev/null || { echo "keepalived not installed: skipped" >&2; exit 77; }
}

# lab_keepalived NAME CONFIG_TEXT: keepalived in NAME, in the foreground (-n), VRRP only
# (-P), logging to the console (-l) and not to syslog (-G), pid files in the lab.
lab_keepalived() {
    local name=$1 conf=$2 d="$LAB_DIR/$1.ka"
    mkdir -p "$d"
    printf 'global_defs {\n    router_id %s\n}\n%s\n' "$LAB-$name" "$conf" >"$d/keepalived.conf"
    ip netns exec "$LAB-$name" keepalived -n -l -G -P -f "$d/keepalived.conf" \
        -p "$d/main.pid" -r "$d/vrrp.pid" >>"$LAB_DIR/$name.log" 2>&1 &
    LAB_PIDS[$name]=$!
}
