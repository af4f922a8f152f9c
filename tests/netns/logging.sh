#!/usr/bin/env bash
# Log levels and debug categories at runtime (vipd(8), LOGGING): at log level notice the
# transitions are logged and routine info lines are not; `vipctl log-level debug packets`
# traces adverts on that daemon alone, within a budget of lines per second that says what
# it suppressed; `vipctl log-level info packets` ends the trace; a reload that does not
# change the configured level keeps what vipctl set; `vipctl log-level info` lowers the
# level for everything; a reload that changes log_level replaces what vipctl set.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
lab_init
lab_host a 192.0.2.11/24
lab_host b 192.0.2.12/24
# Five instances at 10 ms: 500 adverts a second from the master, over the packet budget.
conf() {
    local prio=$1 i
    printf 'global = { log_level = "%s"; };\ninstances = (\n' "${2:-notice}"
    for i in 1 2 3 4 5; do
        printf '  { name = "web%d"; interface = "eth0"; vrid = %d; priority = %d; advert_interval = 0.01;\n    addresses = ( "192.0.2.%d/24" ); }%s\n' \
            "$i" "$((80 + i))" "$prio" "$((80 + i))" "$([ "$i" = 5 ] || echo ,)"
    done
    printf ');\n'
}
LAB_LOG_LEVEL=config lab_vipd a "$(conf 200)"
LAB_LOG_LEVEL=config lab_vipd b "$(conf 100)"
lab_wait 3000 lab_only_holder a 192.0.2.85 || lab_fail "a should be master"
sleep 0.5

# notice: transitions, as "notice"; nothing at info or debug.
grep -E '^[0-9-]+ [0-9:.]+ notice \[web1 vrid 81 v4\] .*-> MASTER' "$LAB_DIR/a.log" >/dev/null ||
    lab_fail "no notice line for the transition"
grep -E '^[0-9-]+ [0-9:.]+ (info|debug) ' "$LAB_DIR/a.log" &&
    lab_fail "info or debug lines at log level notice"
[ "$(lab_ctl a log-level)" = "level notice; debug lines: none" ] ||
    lab_fail "log-level shows: $(lab_ctl a log-level)"

# Packets on a alone.
t0=$(lab_now_ms)
lab_ctl a log-level debug packets >/dev/null
[ "$(lab_ctl a log-level)" = "level notice; debug lines: packets" ] ||
    lab_fail "after 'debug packets': $(lab_ctl a log-level)"
sleep 1.5
sent=$(lab_log_count a '^[0-9-]+ [0-9:.]+ debug packets: \[web[1-5] vrid 8[1-5] v4\] sent to 224\.0\.0\.18: priority 200$')
[ "$sent" -ge 100 ] || lab_fail "only $sent packet lines in 1.5 s of 500 adverts a second"
grep -E 'debug packets: .* \([0-9]+ debug lines suppressed: over 200 per second\)' \
    "$LAB_DIR/a.log" >/dev/null || lab_fail "the packet trace went over its budget unsaid"
total=$(lab_log_count a 'debug packets: ')
elapsed=$(($(lab_now_ms) - t0))
# A burst of 400, then 200 a second for as long as it ran.
[ "$total" -le $((400 + 200 * elapsed / 1000 + 20)) ] ||
    lab_fail "$total packet lines in $elapsed ms: the budget did not hold"
grep -E '^[0-9-]+ [0-9:.]+ (info|debug) ' "$LAB_DIR/a.log" | grep -v 'debug packets: ' &&
    lab_fail "lines other than packets below notice"
[ "$(lab_log_count b 'debug packets')" = 0 ] || lab_fail "b traced packets too"

# A reload that leaves log_level alone keeps the trace.
lab_ctl a reload >/dev/null
[ "$(lab_ctl a log-level)" = "level notice; debug lines: packets" ] ||
    lab_fail "the reload reset what vipctl set: $(lab_ctl a log-level)"

# Off again.
lab_ctl a log-level info packets >/dev/null
sleep 0.2
before=$(lab_log_count a 'debug packets: ')
sleep 0.5
[ "$(lab_log_count a 'debug packets: ')" = "$before" ] || lab_fail "packet lines after 'info packets'"

# info for everything: routine lines appear (the snapshot's).
lab_ctl a log-level info >/dev/null
[ "$(lab_ctl a log-level)" = "level info; debug lines: none" ] ||
    lab_fail "after 'info': $(lab_ctl a log-level)"
lab_signal a USR1
lab_wait 2000 lab_log_count_at_least a '^[0-9-]+ [0-9:.]+ info SIGUSR1: snapshot written' 1 ||
    lab_fail "no info line at log level info"
# A reload that changes log_level replaces what vipctl set.
lab_ctl a log-level debug timers >/dev/null
conf 200 warning >"$LAB_DIR/a.conf"
lab_ctl a reload >/dev/null
[ "$(lab_ctl a log-level)" = "level warning; debug lines: none" ] ||
    lab_fail "a reload with log_level = warning left: $(lab_ctl a log-level)"
lab_only_holder a 192.0.2.85 || lab_fail "a lost its VIPs while tracing"
lab_log "PASS"
