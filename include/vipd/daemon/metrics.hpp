// Prometheus text exposition (format 0.0.4) of a daemon snapshot: states, priorities,
// counters, drops by reason, trackers and health-check scripts. Pure: the snapshot is the
// JSON the control socket's status command returns, so both views always agree.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace vipd {

[[nodiscard]] std::string render_metrics(const nlohmann::json& snapshot);

}  // namespace vipd
