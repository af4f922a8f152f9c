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

# The keepalived with auth_hmac (../shared/peers, a newer upstream than Debian's): built
# once from its tarball into a cache outside the repository, keyed by the tarball's hash,
# under a lock (another test may be building it). Sets KEEPALIVED_HMAC. Skipped (77) when
# the tarball is not beside the repository; a failed build fails the test.
lab_require_keepalived_hmac() {
    local peers=${VIPD_PEERS_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)/shared/peers}
    local tarball="$peers/keepalived-auth-hmac.tar.gz"
    [ -f "$tarball" ] || { echo "$tarball missing: skipped" >&2; exit 77; }
    local cache=${VIPD_PEER_CACHE:-/var/cache/vipd-peers} hash
    hash=$(sha256sum "$tarball" | cut -c1-12)
    KEEPALIVED_HMAC="$cache/keepalived-auth-hmac-$hash/sbin/keepalived"
    mkdir -p "$cache"
    (
        flock 9
        [ -x "$KEEPALIVED_HMAC" ] && exit 0
        echo "building the keepalived test peer from $tarball (about a minute)" >&2
        local work prefix="$cache/keepalived-auth-hmac-$hash"
        work=$(mktemp -d "$cache/build.XXXXXX")
        trap 'rm -rf "$work"' EXIT
        tar -xzf "$tarball" -C "$work"
        (cd "$work/keepalived" && ./autogen.sh && ./configure --disable-lvs --prefix="$prefix.tmp" &&
            make -j2 && make install) >"$work/build.log" 2>&1 ||
            { tail -30 "$work/build.log" >&2; rm -rf "$prefix.tmp"; exit 1; }
        rm -rf "$prefix"
        mv "$prefix.tmp" "$prefix"
    ) 9>"$cache/.lock" || lab_fail "could not build the keepalived test peer"
    # (Read whole before matching: grep -q would close the pipe early, and under pipefail
    # keepalived's SIGPIPE would fail the check now and then.)
    local version
    version=$("$KEEPALIVED_HMAC" --version 2>&1) || lab_fail "$KEEPALIVED_HMAC does not run"
    [[ $version == *"Keepalived v"* ]] || lab_fail "$KEEPALIVED_HMAC is not keepalived: $version"
}

# lab_keepalived_hmac NAME CONFIG_TEXT: as lab_keepalived, with the auth_hmac build (which
# rejects -P: it runs its VRRP child only when the config has no virtual servers anyway).
lab_keepalived_hmac() {
    local name=$1 conf=$2 d="$LAB_DIR/$1.ka"
    mkdir -p "$d"
    printf 'global_defs {\n    router_id %s\n    vrrp_version 3\n}\n%s\n' "$LAB-$name" "$conf" \
        >"$d/keepalived.conf"
    ip netns exec "$LAB-$name" "$KEEPALIVED_HMAC" -n -l -G -f "$d/keepalived.conf" \
        -p "$d/main.pid" -r "$d/vrrp.pid" >>"$LAB_DIR/$name.log" 2>&1 &
    LAB_PIDS[$name]=$!
}
