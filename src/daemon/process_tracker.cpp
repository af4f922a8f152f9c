// Tracked processes: the kernel's process events, or pidfds and a /proc scan.
#include "process_tracker.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/asio/post.hpp>

#include "vipd/daemon/log.hpp"

namespace vipd {

ProcessTracker::ProcessTracker(boost::asio::io_context& io, os::TimeSource& time,
                               std::shared_ptr<spdlog::logger> log, std::function<void()> changed,
                               Options options)
    : io_(io),
      time_(time),
      log_(std::move(log)),
      changed_(std::move(changed)),
      options_(std::move(options)),
      scan_alarm_(time.make_alarm([this] {
          rescan();
          arm_scan();
      })),
      delay_alarm_(time.make_alarm([this] { recount(false); })) {}

ProcessTracker::~ProcessTracker() {
    stop_source();
}

std::string ProcessTracker::source_text() const {
    switch (source_) {
        case Source::None:
            return "";
        case Source::Events:
            return "process events";
        case Source::Scan:
            return fmt::format("{}/proc scan every {} ms", options_.pidfds ? "pidfd exits, " : "",
                               whole_ms(options_.scan_interval));
    }
    return "";
}

void ProcessTracker::configure(const std::vector<config::ProcessConfig>& processes) {
    // Kept: the same name counting the same way (its weight, or where in the file it
    // stands, does not matter to the count).
    const auto same_count = [](const config::ProcessConfig& a, const config::ProcessConfig& b) {
        return a.name == b.name && a.pattern == b.pattern && a.quorum == b.quorum &&
               a.quorum_max == b.quorum_max && a.fork_delay == b.fork_delay &&
               a.terminate_delay == b.terminate_delay;
    };
    std::vector<Tracked> next;
    for (const auto& p : processes) {
        const auto same = std::find_if(tracked_.begin(), tracked_.end(),
                                       [&](const Tracked& t) { return same_count(t.config, p); });
        if (same != tracked_.end()) {
            next.push_back(std::move(*same));
            next.back().config = p;
        } else {
            next.push_back(
                {p, ProcessQuorum(p.quorum, p.quorum_max, p.fork_delay, p.terminate_delay)});
        }
    }
    tracked_ = std::move(next);
    need_argv_ = std::any_of(tracked_.begin(), tracked_.end(),
                             [](const Tracked& t) { return needs_command_line(t.config.pattern); });
    pids_.clear();
    if (tracked_.empty()) {
        stop_source();
        delay_alarm_->cancel();
        return;
    }
    if (source_ == Source::None) start_source();
    for (const int pid : os::list_pids(options_.proc))
        check(pid);
    recount(true);
}

void ProcessTracker::start_source() {
    if (options_.events) {
        auto events = os::ProcessEvents::open();
        if (events) {
            events_ = std::move(events.value());
            events_fd_ =
                std::make_unique<boost::asio::posix::stream_descriptor>(io_, events_->fd());
            source_ = Source::Events;
            wait_events();
            logs::info(*log_, "tracked processes: kernel process events");
            return;
        }
        // ECONNREFUSED outside the initial network namespace.
        logs::info(*log_, "tracked processes: no process events here ({}); scanning /proc",
                   events.error().message());
    }
    source_ = Source::Scan;
    arm_scan();
    logs::info(*log_, "tracked processes: {}", source_text());
}

void ProcessTracker::stop_source() {
    if (events_fd_) (void)events_fd_->release();  // events_ closes it
    events_fd_.reset();
    events_.reset();
    scan_alarm_->cancel();
    pids_.clear();
    source_ = Source::None;
}

void ProcessTracker::arm_scan() {
    if (source_ == Source::Scan) scan_alarm_->set(time_.now() + options_.scan_interval);
}

void ProcessTracker::rescan() {
    if (tracked_.empty()) return;
    const auto running = os::list_pids(options_.proc);
    std::erase_if(pids_, [&](const auto& entry) {
        return !std::binary_search(running.begin(), running.end(), entry.first);
    });
    for (const int pid : running)
        check(pid);
    recount(false);
}

void ProcessTracker::check(int pid) {
    const auto view = os::read_process(pid, need_argv_, options_.proc);
    std::vector<std::size_t> matches;
    if (view) {
        for (std::size_t i = 0; i < tracked_.size(); ++i) {
            if (vipd::matches(tracked_[i].config.pattern, view->comm, view->argv))
                matches.push_back(i);
        }
    }
    if (matches.empty()) {
        forget(pid);
        return;
    }
    auto& w = pids_[pid];
    w.matches = std::move(matches);
    if (source_ == Source::Scan && options_.pidfds && !w.pidfd) {
        const int fd = os::open_pidfd(pid);
        if (fd >= 0) {
            w.pidfd = std::make_unique<boost::asio::posix::stream_descriptor>(io_, fd);
            wait_exit(pid, w);
        }
    }
}

void ProcessTracker::recount(bool starting) {
    std::vector<std::size_t> counts(tracked_.size(), 0);
    for (const auto& [pid, w] : pids_) {
        for (const auto i : w.matches)
            ++counts[i];
    }
    bool flipped = false;
    std::optional<TimePoint> next;
    const auto now = time_.now();
    for (std::size_t i = 0; i < tracked_.size(); ++i) {
        auto& t = tracked_[i];
        const bool was = t.quorum.up();
        if (!t.started) {
            t.quorum.start(counts[i]);
            t.started = true;
            logs::info(*log_, "tracked process {}: {} running, {}", t.config.name, counts[i],
                       t.quorum.up() ? "up" : "down");
        } else {
            (void)t.quorum.update(counts[i], now);
            (void)t.quorum.expire(now);
        }
        if (t.quorum.up() != was && !starting) {
            flipped = true;
            logs::notice(*log_, "tracked process {}: {} running: {}", t.config.name, counts[i],
                         t.quorum.up() ? "up" : "down");
        }
        if (const auto d = t.quorum.deadline(); d && (!next || *d < *next)) next = d;
    }
    if (next) {
        delay_alarm_->set(*next);
    } else {
        delay_alarm_->cancel();
    }
    if (flipped) changed_();
}

void ProcessTracker::wait_events() {
    events_fd_->async_wait(
        boost::asio::posix::stream_descriptor::wait_read,
        [this, alive = std::weak_ptr<int>(alive_)](const boost::system::error_code& ec) {
            if (ec || alive.expired() || !events_) return;
            read_events();
        });
}

void ProcessTracker::read_events() {
    batch_.clear();
    const auto drained = events_->drain(batch_);
    if (drained == os::ProcessEvents::Drained::Lost) {
        // A fork burst overflowed the queue: what was lost is read from /proc instead.
        ++events_lost_;
        const auto now = time_.now();
        if (now - last_loss_logged_ >= std::chrono::minutes{1}) {
            last_loss_logged_ = now;
            log_->warn(
                "tracked processes: process events were lost ({} time(s) so far); "
                "reading /proc again",
                events_lost_);
        }
        rescan();
    } else if (!batch_.empty()) {
        for (const auto& e : batch_) {
            if (e.kind == os::ProcessEvent::Kind::Exit) {
                forget(e.pid);
            } else {
                check(e.pid);
            }
        }
        recount(false);
    }
    if (drained == os::ProcessEvents::Drained::More) {
        // Still queued, and no new wake-up comes for it: read on after what else waits.
        boost::asio::post(io_, [this, alive = std::weak_ptr<int>(alive_)] {
            if (!alive.expired() && events_) read_events();
        });
        return;
    }
    wait_events();
}

void ProcessTracker::wait_exit(int pid, Watched& w) {
    w.pidfd->async_wait(
        boost::asio::posix::stream_descriptor::wait_read,
        [this, pid, alive = std::weak_ptr<int>(alive_)](const boost::system::error_code& ec) {
            if (ec || alive.expired()) return;  // cancelled: forgotten or rescanned away
            forget(pid);
            recount(false);
        });
}

const ProcessTracker::Tracked* ProcessTracker::find(const std::string& name) const {
    const auto it = std::find_if(tracked_.begin(), tracked_.end(),
                                 [&](const Tracked& t) { return t.config.name == name; });
    return it == tracked_.end() ? nullptr : &*it;
}

bool ProcessTracker::up(const std::string& name) const {
    const auto* t = find(name);
    return t != nullptr && t->quorum.up();
}

std::vector<ProcessStatus> ProcessTracker::status() const {
    std::vector<ProcessStatus> out;
    for (const auto& t : tracked_)
        out.push_back({t.config.name, t.quorum.count(), t.quorum.up()});
    return out;
}

std::optional<std::size_t> ProcessTracker::count(const std::string& name) const {
    const auto* t = find(name);
    if (t == nullptr) return std::nullopt;
    return t->quorum.count();
}

}  // namespace vipd
