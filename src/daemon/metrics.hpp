// Prometheus text exposition (format 0.0.4) of a daemon's status: states, priorities,
// counters, drops by reason, trackers and health-check scripts. Pure: rendered from the
// same typed status as the control socket's status reply, so both views always agree.
#pragma once

#include <string>

#include "vipd/daemon/status.hpp"

namespace vipd {

[[nodiscard]] std::string render_metrics(const DaemonStatus& status);

}  // namespace vipd
