#!/usr/bin/env bash
# Under systemd vipd's standard error is the journal's stream: each line then starts with
# its syslog priority (<3> for an error, so `journalctl -p err` finds it) and carries no
# time stamp of vipd's own (journald has one). Anywhere else (JOURNAL_STREAM unset, or
# naming another file) lines keep the time stamp and the level word. No root needed: an
# impossible runtime directory makes vipd log one error and exit 1.
set -uo pipefail
VIPD=${VIPD:?VIPD must point at the vipd binary}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
printf 'instances = ( { name = "web"; interface = "lo"; vrid = 51;\n  addresses = ( "192.0.2.1/24" ); } );\n' >"$dir/a.conf"
run() {  # JOURNAL_STREAM value ("" = unset); stderr goes to $dir/err
    : >"$dir/err"
    local stream=$1
    [ "$stream" = self ] && stream=$(stat -c '%d:%i' "$dir/err")
    if [ -n "$stream" ]; then
        JOURNAL_STREAM=$stream "$VIPD" -f "$dir/a.conf" --runtime-dir /proc/vipd-none 2>>"$dir/err"
    else
        env -u JOURNAL_STREAM "$VIPD" -f "$dir/a.conf" --runtime-dir /proc/vipd-none 2>>"$dir/err"
    fi
    [ $? -eq 1 ] || fail "vipd did not exit 1: $(cat "$dir/err")"
}
run self
grep -Ex '<3>cannot create runtime directory /proc/vipd-none: .*' "$dir/err" >/dev/null ||
    fail "on the journal's stream: $(cat "$dir/err")"
# journald reads one digit there and no facility (the unit's SyslogFacility= sets that):
# another log_facility, or keepalived's -S, leaves the prefix alone.
printf 'global = { log_facility = "local3"; };\n' >"$dir/b.conf"
cat "$dir/a.conf" >>"$dir/b.conf"
cp "$dir/a.conf" "$dir/a.conf.orig"
cp "$dir/b.conf" "$dir/a.conf"
run self
grep -Ex '<3>cannot create runtime directory /proc/vipd-none: .*' "$dir/err" >/dev/null ||
    fail "log_facility local3 on the journal's stream: $(cat "$dir/err")"
: >"$dir/err"
JOURNAL_STREAM=$(stat -c '%d:%i' "$dir/err") "$VIPD" -f "$dir/a.conf" -S 5 \
    --runtime-dir /proc/vipd-none 2>>"$dir/err"
grep -Ex '<3>cannot create runtime directory /proc/vipd-none: .*' "$dir/err" >/dev/null ||
    fail "-S 5 on the journal's stream: $(cat "$dir/err")"
"$VIPD" -f "$dir/a.conf" --log-facility kern --runtime-dir /proc/vipd-none 2>"$dir/err"
[ $? -eq 2 ] || fail "--log-facility kern was not a usage error"
grep -F -- "--log-facility must be daemon or local0..local7, not 'kern'" "$dir/err" >/dev/null ||
    fail "no message for --log-facility kern: $(cat "$dir/err")"
cp "$dir/a.conf.orig" "$dir/a.conf"
for other in "" "1:1"; do
    run "$other"
    grep -E '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:.]+ error cannot create runtime directory' \
        "$dir/err" >/dev/null || fail "JOURNAL_STREAM='$other': $(cat "$dir/err")"
    grep -F '<3>' "$dir/err" >/dev/null && fail "a priority prefix off the journal: $(cat "$dir/err")"
done
echo PASS
