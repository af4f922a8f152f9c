// vipd's logger: syslog, or standard error, which under systemd is the journal's stream
// (then each line starts with its sd-daemon(3) priority, and journald stamps the time).
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/sinks/syslog_sink.h>
#include <syslog.h>

#include <memory>

#include "vipd/daemon/daemon.hpp"
#include "vipd/os/systemd.hpp"

namespace vipd {
namespace {

// "<N>": the syslog priority of the line's level, as journald reads it from a stream.
class JournalPriority final : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& msg, const std::tm& /*time*/,
                spdlog::memory_buf_t& dest) override {
        const char* p = "<6>";
        switch (msg.level) {
            case spdlog::level::trace:
            case spdlog::level::debug:
                p = "<7>";
                break;
            case spdlog::level::info:
                p = "<6>";
                break;
            case spdlog::level::warn:
                p = "<4>";
                break;
            case spdlog::level::err:
                p = "<3>";
                break;
            case spdlog::level::critical:
                p = "<2>";
                break;
            case spdlog::level::off:
            case spdlog::level::n_levels:
                break;
        }
        dest.append(p, p + 3);
    }
    [[nodiscard]] std::unique_ptr<custom_flag_formatter> clone() const override {
        return std::make_unique<JournalPriority>();
    }
};

}  // namespace

std::shared_ptr<spdlog::logger> make_logger(std::string_view target) {
    if (target == "syslog") return spdlog::syslog_logger_mt("vipd", "vipd", LOG_PID, LOG_DAEMON);
    auto log = spdlog::stderr_logger_mt("vipd");
    if (os::stderr_is_journal()) {
        auto formatter = std::make_unique<spdlog::pattern_formatter>();
        formatter->add_flag<JournalPriority>('*').set_pattern("%*%v");
        log->set_formatter(std::move(formatter));
    } else {
        // A terminal or a test log needs the time.
        log->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ %v");
    }
    return log;
}

}  // namespace vipd
