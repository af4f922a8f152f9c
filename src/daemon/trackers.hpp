// The trackers' results an instance's priority is computed from (core/tracking): its
// scripts' states (the health checks), its interfaces' links (netlink) and its files'
// numbers (read at every reload, and whenever something changes in their directories;
// one that cannot be read safely counts as failed, and why is logged when it changes), and
// its processes' quorums (process_tracker.hpp).
#pragma once

#include <spdlog/logger.h>

#include <boost/asio/io_context.hpp>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "health_checks.hpp"
#include "process_tracker.hpp"
#include "reconciler.hpp"
#include "vipd/core/tracking.hpp"
#include "vipd/os/file_watch.hpp"
#include "vipd/os/files.hpp"
#include "vipd/os/netlink.hpp"

namespace vipd {

class Trackers {
public:
    using FindInterface = std::function<const os::InterfaceInfo*(const std::string& name)>;
    // `files_changed` runs after a tracked file's directory changed (the files were read).
    Trackers(boost::asio::io_context& io, const HealthChecks& checks,
             const ProcessTracker& processes, FindInterface find_interface,
             std::shared_ptr<spdlog::logger> log, std::function<void()> files_changed);

    // The files these instances track: watched from now on, and read now.
    void track_files(const InstanceMap& instances);
    // One instance's tracker results, in its configuration's order (scripts, interfaces,
    // files, processes), as tracked_priority() takes them.
    [[nodiscard]] std::vector<TrackerInput> inputs(const config::InstanceConfig& c) const;

private:
    void read_files();

    const HealthChecks& checks_;
    const ProcessTracker& processes_;
    FindInterface find_interface_;
    std::shared_ptr<spdlog::logger> log_;
    std::function<void()> files_changed_;
    std::vector<std::string> paths_;                      // every tracked file, once
    std::map<std::string, os::TrackedRead> file_values_;  // by path, as last read
    os::DirectoryWatch watch_;
};

}  // namespace vipd
