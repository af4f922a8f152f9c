// The daemon's insides (private to daemon/): the loop, signals and the instances, and the
// modules that serve them, behind the Daemon facade of vipd/daemon/daemon.hpp.
#pragma once

#include <spdlog/logger.h>
#include <array>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "change_watch.hpp"
#include "control.hpp"
#include "control_handlers.hpp"
#include "exit_handover.hpp"
#include "health_checks.hpp"
#include "instance.hpp"
#include "link_events.hpp"
#include "metrics.hpp"
#include "metrics_http.hpp"
#include "notify_queue.hpp"
#include "observed_runner.hpp"
#include "receiver.hpp"
#include "service.hpp"
#include "sync_groups.hpp"
#include "timer_queue.hpp"
#include "trackers.hpp"
#include "users.hpp"
#include "vipd/config/config.hpp"
#include "vipd/daemon/daemon.hpp"
#include "vipd/daemon/log.hpp"
#include "vipd/daemon/status.hpp"
#include "vipd/os/announcer.hpp"
#include "vipd/os/clock.hpp"
#include "vipd/os/file_watch.hpp"
#include "vipd/os/host.hpp"
#include "vipd/os/launcher.hpp"
#include "vipd/os/netlink.hpp"
#include "vipd/os/packet_filter.hpp"
#include "vipd/os/privileges.hpp"
#include "vipd/os/process.hpp"
#include "vipd/os/vrrp_socket.hpp"

namespace vipd {

// SCHED_RR at `realtime_priority` (0: SCHED_OTHER), with reset-on-fork.
void apply_scheduling(int realtime_priority, spdlog::logger& log);
// Locks (or unlocks) the daemon's memory; returns whether it is locked now.
bool apply_memory_lock(bool lock, bool memory_locked, spdlog::logger& log);

class Daemon::Impl {
public:
    Impl(DaemonOptions options, std::shared_ptr<spdlog::logger> log);
    ~Impl();
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;

    // Opens netlink and sockets, starts every instance of `config`, and runs until SIGTERM
    // or SIGINT. Returns the process exit code.
    int run(config::Config config);

    // SIGHUP and vipctl reload: the file is read, validated and its users looked up on a
    // thread of its own, so the loop (adverts) goes on meanwhile however long that takes;
    // applied on the loop only if it has no errors; then `done` (if any) gets the result.
    // A reload asked for while one is loading starts once it ends (the file may have
    // changed since that one read it).
    void reload(std::function<void(ReloadResult)> done);
    [[nodiscard]] DaemonStatus status() const;

private:
    Instance* find_instance(const std::string& name);
    // vipctl stats: the counts since the last clear; with `clear`, read and reset at once.
    [[nodiscard]] StatsReport stats(bool clear);

    // What the loading thread hands back to the loop.
    struct Loaded {
        config::LoadResult result;
        UserTable users;
        std::vector<std::string> user_problems;
        Duration took{};
    };
    void start_reload();
    void finish_reload(Loaded loaded);
    void apply(config::Config config, UserTable users);
    void wait_signals();
    void write_snapshot();
    void sync_scripts();
    void recompute_tracking();
    void write_notify_line(const std::string& line);
    void finish_shutdown(TimePoint deadline);
    void reap_retired();
    void script_finished();
    void shutdown();
    void launcher_lost();
    // vipd's nftables table: a crashed vipd's goes; false when `config` needs one and
    // nftables cannot be used.
    bool open_accept_filter(const config::Config& config);
    // A ChangeWatch on `watch`, or null with a warning that says what is not watched.
    std::unique_ptr<ChangeWatch> watch(
        Expected<std::unique_ptr<os::NetlinkWatch>, std::error_code> watch,
        std::vector<std::uint16_t> types, std::function<void()> settled, const char* unwatched);
    // Once some instance has virtual routes or rules: their deletions are watched.
    void watch_routes(const config::Config& config);
    void restore_routes();  // masters put back what is missing
    [[nodiscard]] Instance::Env env();

    DaemonOptions options_;
    std::shared_ptr<spdlog::logger> log_;
    boost::asio::io_context io_;
    os::RealTime time_{io_};    // the daemon reads no clock but this one
    TimerQueue timers_{time_};  // every instance's protocol timers (outlives the instances)
    boost::asio::signal_set signals_;
    bool stopping_ = false;
    int exit_code_ = 0;
    bool memory_locked_ = false;
    std::optional<logs::Settings> configured_logging_;
    std::optional<int>
        scheduled_;  // the realtime_priority applied last  // from the config and command line
    std::chrono::system_clock::time_point started_at_ = std::chrono::system_clock::now();
    TimePoint stats_since_{};  // the last stats --clear, or the start
    MetricsCache metrics_{time_, [this] { return render_metrics(status()); }};
    std::unique_ptr<MetricsHttpServer> metrics_http_;
    std::unique_ptr<os::Netlink> netlink_;
    // accept = false (outlive the instances, which unblock their VIPs as they go).
    std::unique_ptr<os::Nftables> nftables_;
    std::unique_ptr<os::AcceptFilter> accept_filter_;
    std::unique_ptr<ChangeWatch> ruleset_watch_;  // puts the table back after a flush
    std::unique_ptr<ChangeWatch> route_watch_;    // once routes are configured
    std::unique_ptr<LinkEvents> link_events_;     // after netlink is open
    std::unique_ptr<os::SocketAnnouncer> announcer_;
    std::unique_ptr<os::RemoteRunner> launcher_;
    std::unique_ptr<ObservedRunner> runner_;  // every script, through the launcher
    std::unique_ptr<ControlHandlers> control_handlers_;
    std::unique_ptr<ControlServer> control_;
    std::unique_ptr<ProcessTracker> processes_;  // before trackers_, which reads it
    std::unique_ptr<Trackers> trackers_;         // after netlink is open
    // Waits without polling: set for now when a script finished (script_finished), else
    // for the deadline.
    std::unique_ptr<os::Alarm> stop_wait_;  // the last notifications
    std::unique_ptr<os::Alarm> reap_;       // instances a reload removed
    bool reaping_ = false;                  // some still run their notifications
    TimePoint stop_deadline_{};
    // Removed by a reload but still running their STOP notifications.
    std::vector<std::unique_ptr<Instance>> retired_;
    HealthChecks checks_;  // the scripts instances track
    ServiceNotifier service_;
    SyncGroupDriver groups_;
    config::Config config_;
    InstanceMap instances_;
    ExitHandover exit_handover_;          // SIGTERM with graceful_handover
    std::unique_ptr<Receiver> receiver_;  // the VRRP sockets
    std::string pid_file_;
    std::unique_ptr<os::PidFile> pid_file_handle_;
    // Lines about received packets, for every socket and instance: one budget (5 at once,
    // then one a second), so a flood over many VRIDs cannot crowd out real errors.
    RateLimiter input_log_{1.0, 5.0};
    UserTable users_;  // for config_; instances and groups point to it
    // The reload being loaded, and those waiting for its result or for the next one.
    bool loading_ = false;
    std::vector<std::function<void(ReloadResult)>> reload_waiting_;  // for the current one
    std::vector<std::function<void(ReloadResult)>> reload_next_;     // asked for meanwhile
    bool reload_again_ = false;
    std::jthread loader_;  // last: joined before anything it may post to is destroyed
};

}  // namespace vipd
