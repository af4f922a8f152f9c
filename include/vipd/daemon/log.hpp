// vipd's log levels and debug categories on spdlog.
//
// vipd has syslog's five levels (debug, info, notice, warning, error); spdlog has no
// notice. So each of vipd's levels sits on the spdlog level one below its name: notice on
// spdlog's info, info on spdlog's debug, debug on spdlog's trace. Code never calls
// logger.info() or .debug() by name: it calls logs::notice(), logs::info() and logs::debug()
// (warn and error are the same in both). The sinks make_logger builds write vipd's names and
// syslog priorities.
//
// Debug lines belong to a category (packets, timers, netlink, scripts, control) and are
// written when their category is on, whatever the level: `vipctl log-level debug packets`
// traces packets on a daemon that otherwise logs notices. All debug lines share one budget
// (kDebugLinesPerSecond, below journald's default rate limit of 10000 lines in 30 s, so
// that tracing cannot make journald drop vipd's other lines); what goes over it is counted
// and said in the next line. Arguments are evaluated before logs::debug() can check the
// category: on hot paths, test logs::debugging() first.
#pragma once

#include <fmt/format.h>
#include <spdlog/logger.h>

#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>

#include "vipd/config/model.hpp"

namespace vipd::logs {

inline constexpr auto kDebug = spdlog::level::trace;
inline constexpr auto kInfo = spdlog::level::debug;
inline constexpr auto kNotice = spdlog::level::info;
inline constexpr auto kWarning = spdlog::level::warn;
inline constexpr auto kError = spdlog::level::err;

// Debug lines per second, all categories together, and the burst allowed at once.
inline constexpr double kDebugLinesPerSecond = 200;
inline constexpr double kDebugLinesBurst = 400;

[[nodiscard]] spdlog::level::level_enum to_spdlog(config::LogLevel level);
// vipd's name of an spdlog level ("notice" for spdlog's info).
[[nodiscard]] std::string_view level_name(spdlog::level::level_enum level);
// The syslog priority (LOG_ERR ...) of an spdlog level.
[[nodiscard]] int syslog_priority(spdlog::level::level_enum level);

// The level and the debug categories, together: what the config, the command line and
// vipctl set, and what `vipctl log-level` shows. Setting the level to debug turns every
// category on, and any other level turns them all off; a category is then switched alone.
struct Settings {
    config::LogLevel level = config::LogLevel::Info;
    config::DebugSet debug = 0;
    friend bool operator==(const Settings&, const Settings&) = default;
};
// From the configuration: `debug` when given (even empty), else every category at
// log_level debug and none at any other level.
[[nodiscard]] Settings settings_of(config::LogLevel level, std::optional<config::DebugSet> debug);

// Applies `s` to `log` (its level) and to the process's debug categories.
void apply(spdlog::logger& log, const Settings& s);
[[nodiscard]] Settings current(const spdlog::logger& log);

// Whether debug lines of `c` are written now (one relaxed atomic load: cheap on hot paths).
[[nodiscard]] bool debugging(config::DebugCategory c);

// A place in the debug budget now: the number of lines suppressed since the last one
// written (to be said in this one), or nullopt when over budget (counted).
[[nodiscard]] std::optional<std::uint64_t> debug_slot();
// Writes a debug line of `c` ("packets: ...") to the sinks of `log` whatever its level.
void write_debug(spdlog::logger& log, config::DebugCategory c, std::string_view text,
                 std::uint64_t suppressed);
// Empties the budget's history (tests).
void reset_debug_budget();

template <typename... Args>
void debug(spdlog::logger& log, config::DebugCategory c, fmt::format_string<Args...> f,
           Args&&... args) {
    if (!debugging(c)) return;
    const auto slot = debug_slot();
    if (!slot) return;  // not even formatted
    write_debug(log, c, fmt::format(f, std::forward<Args>(args)...), *slot);
}

// Routine facts: what vipd set up, read or chose.
template <typename... Args>
void info(spdlog::logger& log, fmt::format_string<Args...> f, Args&&... args) {
    log.log(kInfo, f, std::forward<Args>(args)...);
}

// What an operator wants to see at the default level: transitions, priority changes,
// handovers, start, stop and reload.
template <typename... Args>
void notice(spdlog::logger& log, fmt::format_string<Args...> f, Args&&... args) {
    log.log(kNotice, f, std::forward<Args>(args)...);
}

}  // namespace vipd::logs
