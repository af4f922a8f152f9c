// Tracker results: scripts from the health checks, links from netlink, files read whole
// when their directory changes.
#include "trackers.hpp"
#include "vipd/daemon/log.hpp"

#include <set>

namespace vipd {

Trackers::Trackers(boost::asio::io_context& io, const HealthChecks& checks,
                   const ProcessTracker& processes, FindInterface find_interface,
                   std::shared_ptr<spdlog::logger> log, std::function<void()> files_changed)
    : checks_(checks),
      processes_(processes),
      find_interface_(std::move(find_interface)),
      log_(std::move(log)),
      files_changed_(std::move(files_changed)),
      watch_(io, [this] {
          read_files();
          files_changed_();
      }) {}

void Trackers::track_files(const InstanceMap& instances) {
    // Their directories are watched: a file that is replaced (rename) or created later is
    // seen too, which a watch on the file itself would miss.
    std::set<std::string> paths, dirs;
    for (const auto& [key, inst] : instances) {
        for (const auto& t : inst->config().track_files) {
            paths.insert(t.path);
            dirs.insert(t.path.substr(0, std::max<std::size_t>(1, t.path.rfind('/'))));
        }
    }
    paths_.assign(paths.begin(), paths.end());
    for (const auto& [dir, ec] : watch_.watch(dirs)) {
        log_->warn("cannot watch {} for tracked files: {}; read on reload only", dir, ec.message());
    }
    read_files();
}

void Trackers::read_files() {
    std::map<std::string, os::TrackedRead> values;
    for (const auto& path : paths_) {
        auto read = os::read_tracked_file(path);  // missing or no number: 0
        const auto before = file_values_.find(path);
        const std::string was = before == file_values_.end() ? "" : before->second.error;
        if (read.error != was) {
            if (read.error.empty()) {
                logs::notice(*log_, "tracked file {} is readable again", path);
            } else {
                log_->warn("tracked file {} {}: counts as failed", path, read.error);
            }
        }
        values.emplace(path, std::move(read));
    }
    file_values_ = std::move(values);
}

std::vector<TrackerInput> Trackers::inputs(const config::InstanceConfig& c) const {
    std::vector<TrackerInput> inputs;
    for (const auto& t : c.track_scripts)
        inputs.push_back({.weight = t.weight, .reverse = t.reverse, .up = checks_.up(t.name)});
    for (const auto& t : c.track_interfaces) {
        const auto* info = find_interface_(t.interface);
        inputs.push_back(
            {.weight = t.weight, .reverse = t.reverse, .up = info != nullptr && info->up});
    }
    for (const auto& t : c.track_files) {
        const auto it = file_values_.find(t.path);
        const bool known = it != file_values_.end();
        inputs.push_back({.weight = t.weight,
                          .reverse = t.reverse,
                          .value = known ? it->second.value : 0,
                          .failed = known && !it->second.error.empty()});
    }
    for (const auto& t : c.track_processes)
        inputs.push_back({.weight = t.weight, .reverse = t.reverse, .up = processes_.up(t.name)});
    return inputs;
}

}  // namespace vipd
