// What the daemon takes from the host before it runs: the checks a configuration gets
// (interfaces, users, groups, script paths, the host name) and the log level it asks for.
#include <fmt/format.h>

#include "vipd/daemon/daemon.hpp"
#include "vipd/os/host.hpp"
#include "vipd/os/process.hpp"

namespace vipd {

config::Checks system_checks() {
    config::Checks checks;
    checks.interface_exists = [](std::string_view name) { return os::interface_exists(name); };
    checks.script = [](const std::string& program,
                       const std::string& user) -> std::optional<std::string> {
        uid_t uid = 0;
        if (user != "root") {
            const auto ids = os::lookup_user(user);
            if (!ids) return fmt::format("script user '{}': {}", user, ids.error());
            uid = ids.value().uid;
        }
        return os::insecure_path_reason(program, uid);
    };
    checks.group_exists = [](const std::string& name) { return os::group_id(name).has_value(); };
    checks.host_name = [] { return os::host_name(); };
    return checks;
}

void set_log_level(spdlog::logger& log, config::LogLevel level) {
    switch (level) {
        case config::LogLevel::Debug:
            log.set_level(spdlog::level::debug);
            break;
        case config::LogLevel::Info:
        case config::LogLevel::Notice:
            log.set_level(spdlog::level::info);
            break;
        case config::LogLevel::Warning:
            log.set_level(spdlog::level::warn);
            break;
        case config::LogLevel::Error:
            log.set_level(spdlog::level::err);
            break;
    }
}

}  // namespace vipd
