// sd_notify(3) and sd_watchdog_enabled(3), through libsystemd.
#include "vipd/os/systemd.hpp"

#include <systemd/sd-daemon.h>

#include <cstdint>

namespace vipd::os {

void sd_notify_state(const std::string& state) {
    (void)::sd_notify(0, state.c_str());
}

std::optional<Duration> watchdog_timeout() {
    std::uint64_t usec = 0;
    if (::sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
    return std::chrono::microseconds{usec};
}

}  // namespace vipd::os
