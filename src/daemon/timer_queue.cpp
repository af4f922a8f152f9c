#include "vipd/daemon/timer_queue.hpp"

#include <algorithm>
#include <cassert>

namespace vipd {

TimePoint on_grid(TimePoint t) {
    return TimePoint{t.time_since_epoch() - t.time_since_epoch() % kTimerGrain};
}

TimerQueue::TimerQueue(boost::asio::io_context& io) : timer_(io) {}

TimerQueue::Id TimerQueue::add(Client& client, int tag) {
    Id id = 0;
    if (!free_.empty()) {
        id = free_.back();
        free_.pop_back();
    } else {
        id = static_cast<Id>(slots_.size());
        slots_.emplace_back();
    }
    auto& s = slots_[id];
    s.client = &client;
    s.tag = tag;
    s.want.reset();
    s.queued.reset();
    ++s.gen;  // an entry left from the slot's previous owner is dead
    return id;
}

void TimerQueue::remove(Id id) {
    auto& s = slots_[id];
    assert(s.client != nullptr);
    s.client = nullptr;
    s.want.reset();
    s.queued.reset();
    ++s.gen;
    free_.push_back(id);
}

void TimerQueue::set(Id id, TimePoint want) {
    auto& s = slots_[id];
    s.want = want;
    const auto at = wake_for(want, Clock::now());
    // Already coming up at or before `at`: it looks at `want` again then.
    if (s.queued && *s.queued <= at) return;
    enqueue(id, at);
    if (!timer_at_ || at < *timer_at_) rearm();
}

void TimerQueue::cancel(Id id) {
    // Lazily: its entry stays in the heap and finds nothing wanted when it comes up.
    slots_[id].want.reset();
}

std::optional<TimePoint> TimerQueue::deadline(Id id) const {
    return slots_[id].want;
}

void TimerQueue::settle(TimePoint horizon) {
    bool moved = false;
    due_.clear();
    while (!heap_.empty() && heap_.front().at <= horizon) {
        const auto e = heap_.front();
        std::pop_heap(heap_.begin(), heap_.end(), Later{});
        heap_.pop_back();
        if (!live(e)) continue;
        auto& s = slots_[e.id];
        if (s.want && *s.want <= horizon) {
            due_.push_back(e);  // really due before the horizon: it keeps its wake-up
            continue;
        }
        s.queued.reset();
        // Past its grid point by the time it comes up: it waits for its exact deadline.
        if (s.want) enqueue(e.id, *s.want);
        moved = true;
    }
    for (const auto& e : due_) {
        heap_.push_back(e);
        std::push_heap(heap_.begin(), heap_.end(), Later{});
    }
    if (moved) rearm();
}

TimePoint TimerQueue::wake_for(TimePoint want, TimePoint now) {
    const auto grid = on_grid(want);
    return grid > now ? grid : want;
}

void TimerQueue::enqueue(Id id, TimePoint at) {
    auto& s = slots_[id];
    s.queued = at;
    heap_.push_back(Entry{at, id, ++s.gen});
    std::push_heap(heap_.begin(), heap_.end(), Later{});
}

bool TimerQueue::live(const Entry& e) const {
    const auto& s = slots_[e.id];
    return s.client != nullptr && s.gen == e.gen;
}

void TimerQueue::drop_dead_top() {
    while (!heap_.empty() && !live(heap_.front())) {
        std::pop_heap(heap_.begin(), heap_.end(), Later{});
        heap_.pop_back();
    }
}

void TimerQueue::run_due() {
    ++wakeups_;
    const auto now = Clock::now();
    while (!heap_.empty() && heap_.front().at <= now) {
        const auto e = heap_.front();
        std::pop_heap(heap_.begin(), heap_.end(), Later{});
        heap_.pop_back();
        if (!live(e)) continue;
        auto& s = slots_[e.id];
        s.queued.reset();
        if (!s.want) continue;  // cancelled meanwhile
        if (*s.want > now) {
            enqueue(e.id, wake_for(*s.want, now));  // moved later while it waited
            continue;
        }
        s.want.reset();
        ++fired_;
        // The client may set, cancel or add timers (the heap is not held across the call),
        // but not remove the one firing.
        s.client->timer_fired(s.tag);
    }
}

void TimerQueue::rearm() {
    drop_dead_top();
    if (heap_.empty()) {
        if (timer_at_) {
            timer_at_.reset();
            ++wait_gen_;
            timer_.cancel();
        }
        return;
    }
    const auto at = heap_.front().at;
    if (timer_at_ == at) return;
    timer_at_ = at;
    const auto gen = ++wait_gen_;
    timer_.expires_at(at);  // cancels a wait in progress: its handler sees operation_aborted
    timer_.async_wait(
        [this, gen, alive = std::weak_ptr(alive_)](const boost::system::error_code& ec) {
            if (ec || alive.expired() || gen != wait_gen_) return;
            timer_at_.reset();
            run_due();
            rearm();
        });
}

}  // namespace vipd
