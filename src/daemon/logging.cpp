// vipd's logger: syslog, or standard error, which under systemd is the journal's stream
// (then each line starts with its sd-daemon(3) priority, and journald stamps the time).
// Levels and debug categories as vipd/daemon/log.hpp describes them.
#include <spdlog/details/log_msg.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <syslog.h>

#include <array>
#include <atomic>
#include <memory>
#include <mutex>

#include "rate_limiter.hpp"
#include "vipd/daemon/daemon.hpp"
#include "vipd/daemon/log.hpp"
#include "vipd/os/systemd.hpp"

namespace vipd {
namespace logs {
namespace {

std::atomic<config::DebugSet> g_debug{0};

// The budget of debug lines, shared by every category and thread.
struct DebugBudget {
    std::mutex mutex;
    RateLimiter limit{kDebugLinesPerSecond, kDebugLinesBurst};
};

DebugBudget& budget() {
    static DebugBudget b;
    return b;
}

// "<N>": the line's syslog priority, as journald reads it from a stream (one digit: journald
// takes no facility there; the unit's SyslogFacility= sets it).
class JournalPriority final : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& msg, const std::tm& /*time*/,
                spdlog::memory_buf_t& dest) override {
        fmt::format_to(std::back_inserter(dest), "<{}>", syslog_priority(msg.level));
    }
    [[nodiscard]] std::unique_ptr<custom_flag_formatter> clone() const override {
        return std::make_unique<JournalPriority>();
    }
};

// vipd's name of the line's level (spdlog's own would say "info" for a notice).
class LevelName final : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& msg, const std::tm& /*time*/,
                spdlog::memory_buf_t& dest) override {
        const auto name = level_name(msg.level);
        dest.append(name.data(), name.data() + name.size());
    }
    [[nodiscard]] std::unique_ptr<custom_flag_formatter> clone() const override {
        return std::make_unique<LevelName>();
    }
};

// syslog(3) with vipd's priorities (spdlog's syslog sink has a fixed table without notice).
class SyslogSink final : public spdlog::sinks::base_sink<std::mutex> {
public:
    explicit SyslogSink(int facility) { ::openlog("vipd", LOG_PID, facility); }
    ~SyslogSink() override { ::closelog(); }
    SyslogSink(const SyslogSink&) = delete;
    SyslogSink& operator=(const SyslogSink&) = delete;

protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        const auto& text = msg.payload;
        ::syslog(syslog_priority(msg.level), "%.*s", static_cast<int>(text.size()), text.data());
    }
    void flush_() override {}
};

}  // namespace

spdlog::level::level_enum to_spdlog(config::LogLevel level) {
    switch (level) {
        case config::LogLevel::Debug:
            return kDebug;
        case config::LogLevel::Info:
            return kInfo;
        case config::LogLevel::Notice:
            return kNotice;
        case config::LogLevel::Warning:
            return kWarning;
        case config::LogLevel::Error:
            return kError;
    }
    return kInfo;
}

std::string_view level_name(spdlog::level::level_enum level) {
    switch (level) {
        case spdlog::level::trace:
            return "debug";
        case spdlog::level::debug:
            return "info";
        case spdlog::level::info:
            return "notice";
        case spdlog::level::warn:
            return "warning";
        case spdlog::level::err:
            return "error";
        case spdlog::level::critical:
            return "critical";
        case spdlog::level::off:
        case spdlog::level::n_levels:
            break;
    }
    return "?";
}

int syslog_priority(spdlog::level::level_enum level) {
    switch (level) {
        case spdlog::level::trace:
            return LOG_DEBUG;
        case spdlog::level::debug:
            return LOG_INFO;
        case spdlog::level::info:
            return LOG_NOTICE;
        case spdlog::level::warn:
            return LOG_WARNING;
        case spdlog::level::err:
            return LOG_ERR;
        case spdlog::level::critical:
            return LOG_CRIT;
        case spdlog::level::off:
        case spdlog::level::n_levels:
            break;
    }
    return LOG_INFO;
}

Settings settings_of(config::LogLevel level, std::optional<config::DebugSet> debug) {
    if (debug) return {level, *debug};
    return {level, level == config::LogLevel::Debug ? config::kAllDebug : config::DebugSet{0}};
}

void apply(spdlog::logger& log, const Settings& s) {
    log.set_level(to_spdlog(s.level));
    g_debug.store(s.debug, std::memory_order_relaxed);
}

Settings current(const spdlog::logger& log) {
    Settings s;
    for (const auto l : {config::LogLevel::Debug, config::LogLevel::Info, config::LogLevel::Notice,
                         config::LogLevel::Warning, config::LogLevel::Error}) {
        if (to_spdlog(l) == log.level()) s.level = l;
    }
    s.debug = g_debug.load(std::memory_order_relaxed);
    return s;
}

bool debugging(config::DebugCategory c) {
    return (g_debug.load(std::memory_order_relaxed) & config::bit(c)) != 0;
}

std::optional<std::uint64_t> debug_slot() {
    auto& b = budget();
    const std::lock_guard lock(b.mutex);
    if (!b.limit.allow(Clock::now())) return std::nullopt;
    return b.limit.take_suppressed();
}

void reset_debug_budget() {
    auto& b = budget();
    const std::lock_guard lock(b.mutex);
    b.limit = RateLimiter(kDebugLinesPerSecond, kDebugLinesBurst);
}

void write_debug(spdlog::logger& log, config::DebugCategory c, std::string_view text,
                 std::uint64_t suppressed) {
    const auto name = config::to_string(c);
    const std::string line =
        suppressed == 0 ? fmt::format("{}: {}", name, text)
                        : fmt::format("{}: {} ({} debug lines suppressed: over {:.0f} per second)",
                                      name, text, suppressed, kDebugLinesPerSecond);
    // Past the logger's level on purpose: a category is on whatever the level is.
    const spdlog::details::log_msg msg(log.name(), kDebug, line);
    for (const auto& sink : log.sinks()) {
        if (sink->should_log(kDebug)) sink->log(msg);
    }
}

}  // namespace logs

std::shared_ptr<spdlog::logger> make_logger(std::string_view target, int facility) {
    if (target == "syslog") {
        return std::make_shared<spdlog::logger>("vipd",
                                                std::make_shared<logs::SyslogSink>(facility));
    }
    auto log = spdlog::stderr_logger_mt("vipd");
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    if (os::stderr_is_journal()) {
        formatter->add_flag<logs::JournalPriority>('*').set_pattern("%*%v");
    } else {
        // A terminal or a test log needs the time.
        formatter->add_flag<logs::LevelName>('*').set_pattern("%Y-%m-%d %H:%M:%S.%e %* %v");
    }
    log->set_formatter(std::move(formatter));
    return log;
}

}  // namespace vipd
