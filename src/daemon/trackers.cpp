// Tracker results: scripts from the health checks, links from netlink, files read whole
// when their directory changes.
#include "trackers.hpp"

#include <set>

#include "vipd/os/files.hpp"

namespace vipd {

Trackers::Trackers(boost::asio::io_context& io, const HealthChecks& checks,
                   FindInterface find_interface, std::shared_ptr<spdlog::logger> log,
                   std::function<void()> files_changed)
    : checks_(checks),
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
    file_values_.clear();
    for (const auto& path : paths_)
        file_values_[path] = os::read_tracked_number(path);  // missing or no number: 0
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
        inputs.push_back({.weight = t.weight,
                          .reverse = t.reverse,
                          .value = it == file_values_.end() ? 0 : it->second});
    }
    return inputs;
}

}  // namespace vipd
