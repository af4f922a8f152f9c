#!/usr/bin/env bash
# What `meson install` puts on a host, for a build configured with --prefix=/usr: the
# programs (stripped), the man pages, the unit where systemd looks with an ExecStart that is
# in the tree, the example configuration as documentation, and no live configuration.
# Usage: install_tree.sh BUILD_DIR (scripts/test runs it on build-release).
set -euo pipefail
build=$1
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
meson install -C "$build" --no-rebuild --destdir "$dest" >/dev/null
fail() {
    echo "FAIL: $*"
    (cd "$dest" && find . ! -type d | sort)
    exit 1
}
for f in usr/sbin/vipd usr/sbin/vipctl; do
    [ -x "$dest/$f" ] || fail "$f is not installed"
    ! readelf -S "$dest/$f" | grep -E '\.symtab|\.debug_info' >/dev/null || fail "$f is not stripped"
done
for m in man8/vipd.8 man5/vipd.conf.5 man8/vipctl.8; do
    [ -f "$dest/usr/share/man/$m" ] || fail "man page $m is not installed"
done
unit=$dest$(pkg-config --variable=systemdsystemunitdir systemd)/vipd.service
[ -f "$unit" ] || fail "no unit where systemd looks for it"
exec=$(sed -n 's/^ExecStart=\([^ ]*\) .*/\1/p' "$unit")
[ "$exec" = /usr/sbin/vipd ] || fail "ExecStart runs '$exec'"
[ -x "$dest$exec" ] || fail "ExecStart's $exec is not in the tree"
grep -E '^ConditionFileNotEmpty=/etc/vipd/vipd.conf$' "$unit" >/dev/null ||
    fail "the unit would start without a configuration"
grep -E '^EnvironmentFile=-/etc/default/vipd$' "$unit" >/dev/null || fail "no EnvironmentFile"
grep -E '^ExecStart=.* \$VIPD_ARGS$' "$unit" >/dev/null || fail "ExecStart ignores VIPD_ARGS"
live=$(find "$dest/etc" ! -type d 2>/dev/null || true)
[ -z "$live" ] || fail "files installed under /etc (a live configuration?): $live"
[ -f "$dest/usr/share/doc/vipd/examples/vipd.conf" ] || fail "no example configuration"
[ -f "$dest/usr/share/bash-completion/completions/vipctl" ] || fail "no bash completion for vipctl"
echo "install tree ($build, --prefix=/usr):"
(cd "$dest" && find . ! -type d | sort)
