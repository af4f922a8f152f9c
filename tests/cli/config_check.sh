#!/usr/bin/env bash
# `vipd -t`: 0 and a summary for a valid file; non-zero and one FILE:LINE: message per
# error for an invalid one; an unknown interface is only a warning. No root needed.
set -uo pipefail
VIPD=${VIPD:?VIPD must point at the vipd binary}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

out=$("$VIPD" -t -f "$ROOT/etc/vipd.conf" 2>&1) || fail "shipped etc/vipd.conf rejected: $out"
echo "$out" | grep 'configuration valid' >/dev/null || fail "no summary for a valid file: $out"

# keepalived's options (vipd(8)): aliases and no-ops, and its others still refused.
out=$("$VIPD" --config-test -n -D -P -l -f "$ROOT/etc/vipd.conf" 2>&1) ||
    fail "keepalived's options refused: $out"
echo "$out" | grep 'configuration valid' >/dev/null || fail "--config-test did not check: $out"
"$VIPD" --config-test -f "$dir/missing.conf" >/dev/null 2>&1 && fail "--config-test passed a missing file"
[ "$("$VIPD" -v)" = "$("$VIPD" --version)" ] || fail "-v is not --version"
"$VIPD" -v | grep -E '^vipd [0-9]' >/dev/null || fail "-v printed no version"
"$VIPD" -C -t -f "$ROOT/etc/vipd.conf" >/dev/null 2>&1
[ $? -eq 2 ] || fail "keepalived's -C (checkers only) must be a usage error"

# -d: the effective configuration, itself a valid file that -d prints the same again.
"$VIPD" -d -f "$ROOT/etc/vipd.conf" >"$dir/dumped.conf" 2>/dev/null || fail "-d failed on the example"
grep -Fx '    script_user = "nobody";' "$dir/dumped.conf" >/dev/null ||
    fail "-d left out a default: $(cat "$dir/dumped.conf")"
grep -F "    {   # $ROOT/etc/vipd.conf:" "$dir/dumped.conf" >/dev/null ||
    fail "-d does not say where an instance came from"
out=$("$VIPD" -t -f "$dir/dumped.conf" 2>&1) || fail "-d wrote an invalid file: $out"
"$VIPD" -d -f "$dir/dumped.conf" 2>/dev/null | grep -v '^ *[{#]' >"$dir/again.conf"
grep -v '^ *[{#]' "$dir/dumped.conf" | diff - "$dir/again.conf" >/dev/null ||
    fail "-d of -d's output differs: $(grep -v '^ *[{#]' "$dir/dumped.conf" | diff - "$dir/again.conf")"
"$VIPD" -d -f "$dir/missing.conf" >"$dir/out" 2>/dev/null && fail "-d passed a missing file"
[ -s "$dir/out" ] && fail "-d printed a configuration for a missing file"

cat >"$dir/bad.conf" <<'CONF'
instances = (
  { name = "web"; interface = "lo"; vrid = 300; priority = 100;
    addresses = ( "192.0.2.1/24" ); },
  { name = "web"; interface = "lo"; vrid = 51; prority = 100;
    addresses = ( "192.0.2.2/24" ); }
);
CONF
out=$("$VIPD" -t -f "$dir/bad.conf" 2>&1) && fail "invalid file accepted"
echo "$out"
echo "$out" | grep -E "^$dir/bad.conf:2: .*vrid" >/dev/null || fail "no FILE:2 error for vrid 300"
echo "$out" | grep -E "^$dir/bad.conf:4: .*prority" >/dev/null || fail "no FILE:4 error for the unknown key"
echo "$out" | grep -E "^$dir/bad.conf:4: .*duplicate" >/dev/null || fail "no FILE:4 error for the duplicate name"
[ "$(echo "$out" | grep -c "^$dir/bad.conf:")" -ge 3 ] || fail "expected one line per error"

cat >"$dir/noif.conf" <<'CONF'
instances = ( { name = "web"; interface = "vipd-no-such0"; vrid = 51;
                addresses = ( "192.0.2.1/24" ); } );
CONF
out=$("$VIPD" -t -f "$dir/noif.conf" 2>&1) || fail "unknown interface must only warn: $out"
echo "$out" | grep -E "noif.conf:1: warning: .*vipd-no-such0" >/dev/null || fail "no warning for the unknown interface: $out"

# A source address the interface lacks is a warning; --strict makes warnings fatal.
cat >"$dir/src.conf" <<'CONF'
instances = ( { name = "web"; interface = "lo"; vrid = 51; source_address = "192.0.2.99";
                addresses = ( "192.0.2.1/24" ); } );
CONF
out=$("$VIPD" -t -f "$dir/src.conf" 2>&1) || fail "a warning alone made -t fail: $out"
echo "$out" | grep -E "src.conf:1: warning: source_address 192.0.2.99 is not an address of 'lo'" \
    >/dev/null || fail "no warning for source_address: $out"
out=$("$VIPD" --strict -t -f "$dir/src.conf" 2>&1) && fail "--strict accepted a warning: $out"
echo "$out" | grep -- '--strict makes the warnings above errors' >/dev/null || fail "--strict said: $out"
sed -i 's/192.0.2.99/127.0.0.1/' "$dir/src.conf"
out=$("$VIPD" --strict -t -f "$dir/src.conf" 2>&1) || fail "--strict refused a clean file: $out"

# A health-check script others can replace is refused, naming the culprit (as root, the
# world-writable directory; as anyone else, also the owner).
mkdir -m 0777 "$dir/open"
printf '#!/bin/sh\nexit 0\n' >"$dir/open/check.sh"
chmod 0755 "$dir/open/check.sh"
cat >"$dir/insecure.conf" <<CONF
global = { script_user = "root"; };
scripts = ( { name = "chk"; command = "$dir/open/check.sh"; } );
instances = ( { name = "web"; interface = "lo"; vrid = 51; addresses = ( "192.0.2.1/24" );
                track_scripts = ( "chk" ); } );
CONF
out=$("$VIPD" -t -f "$dir/insecure.conf" 2>&1) && fail "insecure script path accepted"
echo "$out"
echo "$out" | grep -E "^$dir/insecure.conf:2: .*$dir/open" >/dev/null || fail "the error does not name the insecure path: $out"
# The same script handed to an interpreter ("/bin/sh x.sh", keepalived's habit) runs as the
# script user just the same: refused, naming it.
sed "s|command = \"$dir/open/check.sh\"|command = \"/bin/sh $dir/open/check.sh\"|" \
    "$dir/insecure.conf" >"$dir/argument.conf"
grep -q "/bin/sh $dir/open/check.sh" "$dir/argument.conf" || fail "argument.conf not written"
out=$("$VIPD" -t -f "$dir/argument.conf" 2>&1) && fail "insecure script argument accepted"
echo "$out"
echo "$out" | grep -E "^$dir/argument.conf:2: script argument $dir/open/check.sh: " >/dev/null || fail "the error does not name the insecure argument: $out"
# And a script whose #! interpreter others could replace.
mkdir -m 0755 "$dir/safe"
printf '#!%s\nexit 0\n' "$dir/open/check.sh" >"$dir/safe/wrapped.sh"
chmod 0755 "$dir/safe/wrapped.sh"
sed "s|command = \"$dir/open/check.sh\"|command = \"$dir/safe/wrapped.sh\"|" \
    "$dir/insecure.conf" >"$dir/interpreter.conf"
out=$("$VIPD" -t -f "$dir/interpreter.conf" 2>&1) && fail "insecure #! interpreter accepted"
echo "$out" | grep -E "^$dir/interpreter.conf:2: interpreter $dir/open/check.sh of " >/dev/null || fail "the error does not name the insecure interpreter: $out"
chmod 0755 "$dir/open"
if [ "$(id -u)" -eq 0 ]; then
    out=$("$VIPD" -t -f "$dir/argument.conf" 2>&1) || fail "secured script argument still refused: $out"
    out=$("$VIPD" -t -f "$dir/interpreter.conf" 2>&1) || fail "secured interpreter still refused: $out"
    out=$("$VIPD" -t -f "$dir/insecure.conf" 2>&1) || fail "secured script still refused: $out"
fi
sed 's/track_scripts = ( "chk" )/track_scripts = ( "nope" )/' "$dir/insecure.conf" >"$dir/unknown.conf"
out=$("$VIPD" -t -f "$dir/unknown.conf" 2>&1) && fail "unknown tracked script accepted"
echo "$out" | grep "no script named 'nope'" >/dev/null || fail "unknown script not named: $out"

out=$("$VIPD" -t -f "$dir/missing.conf" 2>&1) && fail "missing file accepted"
echo "$out" | grep "missing.conf" >/dev/null || fail "missing file not named: $out"
"$VIPD" --version | grep '^vipd ' >/dev/null || fail "--version"
"$VIPD" --help | grep -- '--config-file' >/dev/null || fail "--help"
"$VIPD" --bogus >/dev/null 2>&1 && fail "unknown option accepted"
echo "PASS"
