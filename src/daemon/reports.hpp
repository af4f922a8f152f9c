// The status and statistics reports gathered from what runs: instances, sockets, health
// checks. Rendering them (JSON, metrics, vipctl) is daemon/status's and metrics' job.
#pragma once

#include <string>

#include "health_checks.hpp"
#include "receiver.hpp"
#include "reconciler.hpp"
#include "vipd/daemon/status.hpp"

namespace vipd {

// Each instance's status and the sockets' and scripts'; the caller fills in the daemon's own
// fields (pid, version, start time, file).
void collect_status(DaemonStatus& out, const InstanceMap& instances, const Receiver& receiver,
                    const HealthChecks& checks, TimePoint now);

// vipctl stats: the counts since the last clear (`elapsed` ago); with `clear`, read and reset
// in one step, so nothing counted in between is lost. Only baselines move: the metrics'
// counters never go backwards.
[[nodiscard]] StatsReport collect_stats(InstanceMap& instances, Receiver& receiver,
                                        HealthChecks& checks, Duration elapsed, bool clear);

// One line for systemd's STATUS=: "3 instance(s): 1 master, 2 backup, 0 fault, 0 init".
[[nodiscard]] std::string status_line(const InstanceMap& instances);

}  // namespace vipd
