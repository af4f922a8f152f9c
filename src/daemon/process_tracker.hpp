// The tracked processes (vipd.conf `processes`): how many running processes match each, and
// whether that meets its quorum. Driven by the kernel's process events where they work (the
// initial network namespace); elsewhere (a vipd in a network namespace or a container) by a
// pidfd per matching process, which reports its exit at once, and a /proc scan every
// `scan_interval` for new ones. Which source is in use is logged and shown in status.
#pragma once

#include <spdlog/logger.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vipd/config/config.hpp"
#include "vipd/core/process_match.hpp"
#include "vipd/daemon/status.hpp"
#include "vipd/os/clock.hpp"
#include "vipd/os/processes.hpp"

namespace vipd {

class ProcessTracker {
public:
    struct Options {
        std::string proc = "/proc";
        Duration scan_interval = std::chrono::seconds{1};  // without process events
        bool events = true;                                // try the process events connector
        bool pidfds = true;                                // without events: exits by pidfd
    };
    enum class Source : std::uint8_t { None, Events, Scan };

    // `changed` runs when a tracked process's up() flipped (not during configure()).
    ProcessTracker(boost::asio::io_context& io, os::TimeSource& time,
                   std::shared_ptr<spdlog::logger> log, std::function<void()> changed,
                   Options options);
    ProcessTracker(boost::asio::io_context& io, os::TimeSource& time,
                   std::shared_ptr<spdlog::logger> log, std::function<void()> changed)
        : ProcessTracker(io, time, std::move(log), std::move(changed), Options{}) {}
    ~ProcessTracker();
    ProcessTracker(const ProcessTracker&) = delete;
    ProcessTracker& operator=(const ProcessTracker&) = delete;

    // Tracks exactly these from now on and counts them now (none: stops watching). One whose
    // settings are unchanged keeps its state, and a delay under way.
    void configure(const std::vector<config::ProcessConfig>& processes);
    // Whether `name`'s quorum is met (an unknown name: false).
    [[nodiscard]] bool up(const std::string& name) const;
    [[nodiscard]] std::optional<std::size_t> count(const std::string& name) const;
    [[nodiscard]] std::vector<ProcessStatus> status() const;
    [[nodiscard]] Source source() const { return source_; }
    [[nodiscard]] std::string source_text() const;  // empty: not watching
    // Reads /proc again (the scan; also after lost events).
    void rescan();

private:
    struct Tracked {
        config::ProcessConfig config;
        ProcessQuorum quorum;
        bool started = false;
    };
    struct Watched {
        std::vector<std::size_t> matches;  // indexes into tracked_
        std::unique_ptr<boost::asio::posix::stream_descriptor> pidfd;
    };
    [[nodiscard]] const Tracked* find(const std::string& name) const;
    void start_source();
    void stop_source();
    // (Re)reads one process: it matches some patterns now, or none (or is gone).
    void check(int pid);
    void forget(int pid) { pids_.erase(pid); }
    // Counts per pattern into the quorums; `changed_` when one flipped (unless starting).
    void recount(bool starting);
    void wait_events();
    void read_events();
    void wait_exit(int pid, Watched& w);
    void arm_scan();

    boost::asio::io_context& io_;
    os::TimeSource& time_;
    std::shared_ptr<spdlog::logger> log_;
    std::function<void()> changed_;
    Options options_;
    Source source_ = Source::None;
    std::vector<Tracked> tracked_;
    bool need_argv_ = false;
    std::map<int, Watched> pids_;  // running processes matching at least one pattern
    std::unique_ptr<os::ProcessEvents> events_;
    std::unique_ptr<boost::asio::posix::stream_descriptor> events_fd_;
    std::unique_ptr<os::Alarm> scan_alarm_;
    std::unique_ptr<os::Alarm> delay_alarm_;
    std::vector<os::ProcessEvent> batch_;
    std::uint64_t events_lost_ = 0;  // overflows of the events socket
    TimePoint last_loss_logged_{};
    std::shared_ptr<int> alive_ =
        std::make_shared<int>(0);  // handlers queued past us see it expired
};

}  // namespace vipd
