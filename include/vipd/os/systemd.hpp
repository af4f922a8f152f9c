// Talking to systemd (Type=notify): state changes (READY=1, RELOADING=1, STOPPING=1,
// STATUS=...) and the watchdog. Without NOTIFY_SOCKET (not under systemd) nothing happens.
#pragma once

#include <optional>
#include <string>

#include "vipd/core/types.hpp"

namespace vipd::os {

void sd_notify_state(const std::string& state);
// Whether standard error is the journal's stream (JOURNAL_STREAM names its device and
// inode, systemd.exec(5)): then lines carry a <N> priority prefix and no time stamp.
[[nodiscard]] bool stderr_is_journal();
// The unit's WatchdogSec, if the watchdog is on for this process.
[[nodiscard]] std::optional<Duration> watchdog_timeout();

}  // namespace vipd::os
