// The status and statistics reports gathered from instances, sockets and health checks.
#include "reports.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "vipd/os/files.hpp"

#include <array>

namespace vipd {

void collect_status(DaemonStatus& out, const InstanceMap& instances, const Receiver& receiver,
                    const HealthChecks& checks, TimePoint now) {
    out.instances.reserve(instances.size());
    for (const auto& [key, inst] : instances)
        out.instances.push_back(inst->status(now));
    out.sockets = receiver.status();
    out.scripts = checks.status();
}

StatsReport collect_stats(InstanceMap& instances, Receiver& receiver, HealthChecks& checks,
                          Duration elapsed, bool clear) {
    StatsReport r{.seconds = std::chrono::duration<double>(elapsed).count(), .cleared = clear};
    for (const auto& [key, inst] : instances) {
        const auto c = inst->stats_counters();
        std::uint64_t dropped = 0;
        for (std::size_t i = 0; i < r.drops.size(); ++i) {
            r.drops[i] += c.drops[i];
            dropped += c.drops[i];
        }
        r.instances.push_back({.name = key.name,
                               .state = inst->state(),
                               .adverts_sent = c.adverts_sent,
                               .adverts_received = c.adverts_received,
                               .drops = dropped,
                               .send_errors = c.send_errors,
                               .transitions = c.transitions,
                               .became_master = c.became_master,
                               .announcements = c.announcements});
    }
    const auto socket_drops = receiver.drops_since_clear();
    for (std::size_t i = 0; i < r.drops.size(); ++i)
        r.drops[i] += socket_drops[i];
    r.scripts = checks.stats();
    if (clear) {
        for (auto& [key, inst] : instances)
            inst->clear_stats();
        receiver.clear_stats();
        checks.clear_stats();
    }
    return r;
}

std::error_code write_snapshot_file(const std::string& path, const DaemonStatus& status) {
    // Names come from the config file and the kernel: invalid UTF-8 is replaced rather than
    // thrown on (nlohmann::json's default).
    const auto text =
        nlohmann::json(status).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    return os::write_file_atomically(path, text, 0600);
}

std::vector<std::string> instance_names(const InstanceMap& instances) {
    std::vector<std::string> names;
    names.reserve(instances.size());
    for (const auto& [key, inst] : instances)
        names.push_back(key.name);
    return names;
}

std::set<std::string> tracked_scripts(const InstanceMap& instances) {
    std::set<std::string> wanted;
    for (const auto& [key, inst] : instances) {
        for (const auto& t : inst->config().track_scripts)
            wanted.insert(t.name);
    }
    return wanted;
}

std::vector<config::ProcessConfig> tracked_processes(
    const InstanceMap& instances, const std::vector<config::ProcessConfig>& all) {
    std::set<std::string> wanted;
    for (const auto& [key, inst] : instances) {
        for (const auto& t : inst->config().track_processes)
            wanted.insert(t.name);
    }
    std::vector<config::ProcessConfig> out;
    for (const auto& p : all) {
        if (wanted.contains(p.name)) out.push_back(p);
    }
    return out;
}

std::string status_line(const InstanceMap& instances) {
    std::array<std::size_t, 4> count{};
    for (const auto& [key, inst] : instances)
        ++count[static_cast<std::size_t>(inst->state())];
    const auto n = [&](State s) { return count[static_cast<std::size_t>(s)]; };
    return fmt::format("{} instance(s): {} master, {} backup, {} fault, {} init", instances.size(),
                       n(State::Master), n(State::Backup), n(State::Fault), n(State::Initialize));
}

}  // namespace vipd
