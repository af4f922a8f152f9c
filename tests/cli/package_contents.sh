#!/usr/bin/env bash
# What vipd's Debian package installs (scripts/package builds it; lintian has passed by
# then): the programs, the unit where systemd looks, the sysusers file for the control
# socket's group and vipd's own user, man pages, bash completion, the example as
# documentation; /etc/default/vipd as its only conffile and /etc/vipd an empty directory
# (no live configuration); the unit enabled by dh_installsystemd and sysusers run in postinst.
# Usage: package_contents.sh DEB
set -euo pipefail
deb=$1
fail() {
    echo "FAIL: $*"
    dpkg-deb -c "$deb"
    exit 1
}
files=$(dpkg-deb -c "$deb" | awk '{print $6}')
for f in ./usr/sbin/vipd ./usr/sbin/vipctl ./lib/systemd/system/vipd.service \
    ./usr/lib/sysusers.d/vipd.conf ./usr/share/man/man8/vipd.8.gz \
    ./usr/share/man/man5/vipd.conf.5.gz ./usr/share/man/man8/vipctl.8.gz \
    ./usr/share/bash-completion/completions/vipctl ./usr/share/doc/vipd/examples/vipd.conf \
    ./usr/share/doc/vipd/copyright ./etc/default/vipd ./etc/vipd/; do
    grep -Fx -- "$f" <<<"$files" >/dev/null || fail "$f is not in the package"
done
[ -z "$(grep -E '^\./etc/vipd/.' <<<"$files")" ] || fail "files under /etc/vipd: a live configuration"
ctrl=$(mktemp -d)
trap 'rm -rf "$ctrl"' EXIT
dpkg-deb -e "$deb" "$ctrl"
[ "$(cat "$ctrl/conffiles")" = /etc/default/vipd ] || fail "conffiles: $(cat "$ctrl/conffiles")"
grep 'systemd-sysusers' "$ctrl/postinst" >/dev/null || fail "postinst does not create the group and user"
grep "deb-systemd-helper enable 'vipd.service'" "$ctrl/postinst" >/dev/null ||
    fail "postinst does not enable the unit"
grep -E '^Depends:.*systemd \| systemd-standalone-sysusers' "$ctrl/control" >/dev/null ||
    fail "no dependency that provides systemd-sysusers"
unit=$(dpkg-deb --fsys-tarfile "$deb" | tar -xO ./lib/systemd/system/vipd.service)
grep -E '^ExecStart=/usr/sbin/vipd -f /etc/vipd/vipd.conf ' <<<"$unit" >/dev/null ||
    fail "the unit's ExecStart: $(grep ExecStart <<<"$unit")"
grep -E '^ConditionFileNotEmpty=/etc/vipd/vipd.conf$' <<<"$unit" >/dev/null ||
    fail "the unit would start without a configuration"
echo "package contents of $(basename "$deb"):"
dpkg-deb -c "$deb" | awk '$6 !~ /\/$/ {print $6}'
