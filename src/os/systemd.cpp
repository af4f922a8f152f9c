// sd_notify(3) and sd_watchdog_enabled(3), through libsystemd.
#include "vipd/os/systemd.hpp"

#include <systemd/sd-daemon.h>

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>

namespace vipd::os {

void sd_notify_state(const std::string& state) {
    (void)::sd_notify(0, state.c_str());
}

bool stderr_is_journal() {
    const char* stream = std::getenv("JOURNAL_STREAM");
    if (stream == nullptr) return false;
    struct stat st {};
    if (::fstat(STDERR_FILENO, &st) != 0) return false;
    return std::string(stream) == fmt::format("{}:{}", st.st_dev, st.st_ino);
}

std::optional<Duration> watchdog_timeout() {
    std::uint64_t usec = 0;
    if (::sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
    return std::chrono::microseconds{usec};
}

}  // namespace vipd::os
