// The status and statistics reports gathered from what runs: instances, sockets, health
// checks; and the lists the daemon derives from its instances. Rendering them (JSON, metrics,
// vipctl) is daemon/status's and metrics' job.
#pragma once

#include <set>
#include <string>
#include <system_error>
#include <vector>

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

// SIGUSR1's snapshot: the status as JSON, written whole and privately (0600), never through
// a planted symlink (os::write_file_atomically).
[[nodiscard]] std::error_code write_snapshot_file(const std::string& path,
                                                  const DaemonStatus& status);

// The instances' names, and the scripts they track (the health checks to run).
[[nodiscard]] std::vector<std::string> instance_names(const InstanceMap& instances);
[[nodiscard]] std::set<std::string> tracked_scripts(const InstanceMap& instances);
// The processes some instance tracks (the others are not watched at all).
[[nodiscard]] std::vector<config::ProcessConfig> tracked_processes(
    const InstanceMap& instances, const std::vector<config::ProcessConfig>& all);

// One line for systemd's STATUS=: "3 instance(s): 1 master, 2 backup, 0 fault, 0 init".
[[nodiscard]] std::string status_line(const InstanceMap& instances);

}  // namespace vipd
