// The timer queue: a heap of deadlines behind two alarms, fired on a 1 ms grid.
#include "timer_queue.hpp"

#include <algorithm>
#include <cassert>

namespace vipd {

TimerQueue::TimerQueue(os::TimeSource& time) : time_(time) {
    for (std::size_t i = 0; i < waits_.size(); ++i) {
        waits_[i].alarm = time_.make_alarm([this, i] {
            waits_[i].at.reset();
            run_due();
            rearm();
        });
    }
}

std::optional<TimePoint> TimerQueue::armed() const {
    std::optional<TimePoint> first;
    for (const auto& w : waits_) {
        if (w.at && (!first || *w.at < *first)) first = w.at;
    }
    return first;
}

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
    s.moved = false;
    ++s.gen;
    free_.push_back(id);
}

void TimerQueue::set(Id id, TimePoint want) {
    auto& s = slots_[id];
    s.want = want;
    const auto at = wake_for(want, time_.now());
    // Already coming up at or before `at`: it looks at `want` again then, or settle moves
    // it first.
    if (s.queued && *s.queued <= at) {
        if (*s.queued < at && !s.moved) {
            s.moved = true;
            moved_.push_back(id);
        }
        return;
    }
    enqueue(id, at);
    if (!armed() || at < *armed()) rearm();
}

void TimerQueue::cancel(Id id) {
    // Lazily: its entry stays in the heap and finds nothing wanted when it comes up.
    slots_[id].want.reset();
}

std::optional<TimePoint> TimerQueue::deadline(Id id) const {
    return slots_[id].want;
}

void TimerQueue::settle() {
    const auto now = time_.now();
    bool changed = false;
    for (const Id id : moved_) {
        auto& s = slots_[id];
        if (!s.moved) continue;  // removed (and perhaps reused) since
        s.moved = false;
        if (s.client == nullptr || !s.want || !s.queued) continue;
        const auto at = wake_for(*s.want, now);
        if (at <= *s.queued) continue;
        enqueue(id, at);  // its old entry is dead now, dropped when it comes up
        changed = true;
    }
    moved_.clear();
    if (changed) rearm();
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
    running_ = true;
    struct Done {
        bool& running;
        ~Done() { running = false; }
    } done{running_};
    const auto now = time_.now();
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

// Two alarms, at the next two wake-up times. On the real clock they are Asio timers: when
// the first goes off, Asio itself sets the kernel's timer to the second on its way out, and
// the first is re-armed for the wake-up after that, which is not the earliest: no second
// timerfd_settime per wake-up (in a VM each one costs a trap to the hypervisor).
void TimerQueue::rearm() {
    if (running_) return;  // run_due sets the timers once, when it is done
    drop_dead_top();
    std::array<std::optional<TimePoint>, 2> want{};
    if (!heap_.empty()) {
        want[0] = heap_.front().at;
        want[1] = second_wake();
    }
    std::array<bool, 2> kept{false, false};
    std::array<bool, 2> covered{false, false};
    for (std::size_t i = 0; i < waits_.size(); ++i) {
        for (std::size_t j = 0; j < want.size(); ++j) {
            if (!covered[j] && waits_[i].at && waits_[i].at == want[j]) {
                kept[i] = covered[j] = true;
                break;
            }
        }
    }
    for (std::size_t j = 0; j < want.size(); ++j) {  // the earlier first
        if (!want[j] || covered[j]) continue;
        const std::size_t i = kept[0] ? 1 : 0;
        kept[i] = true;
        arm(i, *want[j]);
    }
    for (std::size_t i = 0; i < waits_.size(); ++i) {
        if (!kept[i] && waits_[i].at) {
            waits_[i].at.reset();
            waits_[i].alarm->cancel();
        }
    }
}

void TimerQueue::arm(std::size_t i, TimePoint at) {
    waits_[i].at = at;
    waits_[i].alarm->set(at);  // replaces the wait in progress
}

std::optional<TimePoint> TimerQueue::second_wake() {
    // The smallest `at` after the top's: below the entries that share the top's time.
    const auto top = heap_.front().at;
    std::optional<TimePoint> best;
    scratch_.clear();
    scratch_.push_back(0);
    while (!scratch_.empty()) {
        const auto k = scratch_.back();
        scratch_.pop_back();
        // A dead or cancelled entry would only cost a wake-up for nothing: look below it.
        const bool wanted = live(heap_[k]) && slots_[heap_[k].id].want.has_value();
        if (heap_[k].at > top && wanted) {
            if (!best || heap_[k].at < *best) best = heap_[k].at;
            continue;  // its children come later still
        }
        if (best && heap_[k].at >= *best) continue;  // nothing below it can be earlier
        for (const auto c : {2 * k + 1, 2 * k + 2}) {
            if (c < heap_.size()) scratch_.push_back(c);
        }
    }
    return best;
}

}  // namespace vipd
