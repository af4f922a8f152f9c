// Every instance's protocol timers in one heap behind two alarms (the next two wake-ups). A
// thousand instances each with its own steady_timer cost a heap update and a timerfd change per
// re-arm and a handler per expiry; here they are entries in one heap, and one wake-up runs all that
// is due.
//
// Timers wake on a 1 ms grid, so that work due in the same millisecond shares a wake-up:
// a timer wants to fire at `want`; the queue wakes at the grid point at or before it (or at
// `want` itself once that grid point has passed) and fires the timer when `want` has come.
// Deadlines are re-armed lazily: a backup pushes its Master_Down_Timer forward with every
// advert, but its heap entry only moves when it comes up (or must come earlier), or when
// `settle` moves every entry whose deadline went later, once per batch of adverts read.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <vector>

#include "vipd/core/types.hpp"
#include "vipd/os/clock.hpp"

namespace vipd {

// The multiple of `grain` at or before t.
[[nodiscard]] constexpr TimePoint round_down(TimePoint t, Duration grain) {
    return TimePoint{t.time_since_epoch() - t.time_since_epoch() % grain};
}

inline constexpr Duration kTimerGrain = std::chrono::milliseconds{1};
// The grid point at or before t.
[[nodiscard]] constexpr TimePoint on_grid(TimePoint t) {
    return round_down(t, kTimerGrain);
}

class TimerQueue {
public:
    // Whoever owns timers: told which of its timers fired (the `tag` it registered).
    class Client {
    public:
        virtual void timer_fired(int tag) = 0;

    protected:
        virtual ~Client() = default;
    };
    using Id = std::uint32_t;

    explicit TimerQueue(os::TimeSource& time);
    TimerQueue(const TimerQueue&) = delete;
    TimerQueue& operator=(const TimerQueue&) = delete;

    // A timer of `client`'s, not running. It stays registered until removed; the client
    // must remove its timers before it goes away.
    [[nodiscard]] Id add(Client& client, int tag);
    void remove(Id id);
    // Fires once at `want` (replacing any earlier deadline of this timer).
    void set(Id id, TimePoint want);
    void cancel(Id id);
    [[nodiscard]] std::optional<TimePoint> deadline(Id id) const;

    // Moves the entries of timers whose deadline was set later since they were queued, so
    // they cost no wake-up that would only find the deadline gone (the daemon calls it
    // after reading a batch of adverts).
    void settle();

    // Wake-ups so far, timers fired, timers registered (for the tests).
    [[nodiscard]] std::uint64_t wakeups() const { return wakeups_; }
    [[nodiscard]] std::uint64_t fired() const { return fired_; }
    [[nodiscard]] std::size_t size() const { return slots_.size() - free_.size(); }

private:
    struct Slot {
        Client* client = nullptr;  // null: free
        int tag = 0;
        std::uint32_t gen = 0;            // bumped whenever its heap entry is replaced
        std::optional<TimePoint> want;    // none: not running
        std::optional<TimePoint> queued;  // when its heap entry comes up; none: no entry
        bool moved = false;               // in moved_: `want` went past `queued`
    };
    struct Entry {
        TimePoint at;
        Id id;
        std::uint32_t gen;
    };
    struct Later {
        bool operator()(const Entry& a, const Entry& b) const { return a.at > b.at; }
    };
    [[nodiscard]] static TimePoint wake_for(TimePoint want, TimePoint now);
    void enqueue(Id id, TimePoint at);
    [[nodiscard]] bool live(const Entry& e) const;
    void drop_dead_top();
    void run_due();
    void rearm();

    struct Wait {
        std::unique_ptr<os::Alarm> alarm;
        std::optional<TimePoint> at;  // when it goes off; none: not set
    };
    void arm(std::size_t i, TimePoint at);
    [[nodiscard]] std::optional<TimePoint> armed() const;  // the earlier wait's time
    [[nodiscard]] std::optional<TimePoint> second_wake();

    os::TimeSource& time_;
    std::array<Wait, 2> waits_;
    std::vector<std::size_t> scratch_;  // second_wake's
    bool running_ = false;              // in run_due: timers set meanwhile wait for its end
    std::vector<Entry> heap_;
    std::vector<Id> moved_;  // timers set later than their entry since the last settle
    std::deque<Slot> slots_;
    std::vector<Id> free_;
    std::uint64_t wakeups_ = 0;
    std::uint64_t fired_ = 0;
};

}  // namespace vipd
