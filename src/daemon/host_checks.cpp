// What the daemon takes from and sets on the host: the checks a configuration gets
// (interfaces, users, groups, script paths, the host name), scheduling and memory locking,
// and the log level.
#include <fmt/format.h>

#include "daemon_impl.hpp"
#include "vipd/daemon/log.hpp"
#include "vipd/os/files.hpp"
#include "vipd/os/host.hpp"
#include "vipd/os/process.hpp"

namespace vipd {

config::Checks system_checks() {
    config::Checks checks;
    checks.interface_exists = [](std::string_view name) { return os::interface_exists(name); };
    checks.script = [](const std::vector<std::string>& argv,
                       const std::string& user) -> std::optional<std::string> {
        uid_t uid = 0;
        if (user != "root") {
            const auto ids = os::lookup_user(user);
            if (!ids) return fmt::format("script user '{}': {}", user, ids.error());
            uid = ids.value().uid;
        }
        return os::insecure_command_reason(argv, uid);
    };
    checks.tracked_file = [](const std::string& path) {
        return os::insecure_tracked_file_reason(path);
    };
    checks.address_interface = [](const IpAddress& a) { return os::interface_with_address(a); };
    checks.group_exists = [](const std::string& name) { return os::group_id(name).has_value(); };
    checks.host_name = [] { return os::host_name(); };
    checks.read_secret = [](const std::string& path) { return os::read_secret_file(path); };
    return checks;
}

void apply_scheduling(int realtime_priority, spdlog::logger& log) {
    // SCHED_RR keeps adverts on time when other processes saturate the CPUs (keepalived's
    // vrrp_rt_priority); RESET_ON_FORK so scripts start as ordinary processes.
    if (auto ec = os::set_realtime_priority(realtime_priority)) {
        log.error("realtime_priority {}: {}", realtime_priority, ec.message());
    } else if (realtime_priority > 0) {
        logs::info(log, "scheduling: SCHED_RR priority {}", realtime_priority);
    } else {
        logs::info(log, "scheduling: SCHED_OTHER (realtime_priority 0)");
    }
}

bool apply_memory_lock(bool lock, bool memory_locked, spdlog::logger& log) {
    // keepalived's vrrp_no_swap: every page resident, so no page fault delays an advert.
    if (lock && !memory_locked) {
        if (auto ec = os::lock_memory(true)) {
            log.error("lock_memory: mlockall: {}", ec.message());
        } else {
            memory_locked = true;
            logs::info(log, "memory locked (mlockall)");
        }
    } else if (!lock && memory_locked) {
        (void)os::lock_memory(false);
        memory_locked = false;
    }
    return memory_locked;
}

}  // namespace vipd
