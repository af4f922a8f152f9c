// Sequences, freshness and replay marks for HMAC-authenticated adverts.
#include "vipd/core/hmac_replay.hpp"

#include <algorithm>

namespace vipd {

namespace {
constexpr std::size_t kMulticastSenders = 4;  // keepalived's
}  // namespace

std::string_view to_string(HmacMode m) {
    switch (m) {
        case HmacMode::ReceiveOnly:
            return "receive-only";
        case HmacMode::Permissive:
            return "permissive";
        case HmacMode::Enforce:
            return "enforce";
    }
    return "enforce";
}

std::string_view to_string(AntiReplay a) {
    switch (a) {
        case AntiReplay::Time:
            return "time";
        case AntiReplay::Monotonic:
            return "monotonic";
    }
    return "time";
}

std::optional<HmacMode> parse_hmac_mode(std::string_view s) {
    for (const auto m : {HmacMode::ReceiveOnly, HmacMode::Permissive, HmacMode::Enforce}) {
        if (s == to_string(m)) return m;
    }
    return std::nullopt;
}

std::optional<AntiReplay> parse_anti_replay(std::string_view s) {
    for (const auto a : {AntiReplay::Time, AntiReplay::Monotonic}) {
        if (s == to_string(a)) return a;
    }
    return std::nullopt;
}

std::uint64_t sequence_at(WallTime t) {
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch());
    const auto secs = std::chrono::floor<std::chrono::seconds>(ns);
    const auto frac = static_cast<std::uint64_t>((ns - secs).count());
    const auto subsec = (frac << 16U) / 1'000'000'000U;
    return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(secs.count())) << 32U) |
           (subsec << 16U);
}

bool sequence_after(std::uint64_t a, std::uint64_t b) {
    return static_cast<std::int64_t>(a - b) > 0;
}

namespace {

// The seconds a sequence carries, compared with `now`'s under serial arithmetic.
std::int64_t seconds_behind(WallTime now, std::uint64_t sequence) {
    const auto now_s = static_cast<std::uint32_t>(sequence_at(now) >> 32U);
    return static_cast<std::int32_t>(now_s - static_cast<std::uint32_t>(sequence >> 32U));
}

}  // namespace

std::uint64_t HmacSequence::next(WallTime now, AntiReplay mode, std::chrono::seconds window) {
    const auto clock = sequence_at(now);
    if (!last_ || sequence_after(clock, *last_)) {
        last_ = clock;
    } else if (mode == AntiReplay::Time && -seconds_behind(now, *last_) > window.count()) {
        last_ = clock;  // the clock stepped back past the window: nobody would accept more
    } else {
        ++*last_;
    }
    return *last_;
}

ReplayGuard::ReplayGuard(AntiReplay mode, std::chrono::seconds window,
                         std::span<const IpAddress> peers)
    : mode_(mode), window_(window) {
    reconfigure(mode, window, peers);
}

void ReplayGuard::reconfigure(AntiReplay mode, std::chrono::seconds window,
                              std::span<const IpAddress> peers) {
    mode_ = mode;
    window_ = window;
    capacity_ = peers.empty() ? kMulticastSenders : peers.size();
    if (!peers.empty()) {
        std::erase_if(marks_, [&](const Mark& m) {
            return std::find(peers.begin(), peers.end(), m.from) == peers.end();
        });
    }
    resize_to(capacity_);
}

void ReplayGuard::resize_to(std::size_t n) {
    while (marks_.size() > n) {  // the least recently used go
        marks_.erase(
            std::min_element(marks_.begin(), marks_.end(),
                             [](const Mark& a, const Mark& b) { return a.used < b.used; }));
    }
}

bool ReplayGuard::fresh(std::uint64_t sequence, WallTime now, std::int64_t& skew) const {
    skew = seconds_behind(now, sequence);
    if (mode_ != AntiReplay::Time) return true;
    return skew <= window_.count() && skew >= -window_.count();
}

bool ReplayGuard::accept(const IpAddress& from, std::uint64_t sequence, WallTime now) {
    auto it =
        std::find_if(marks_.begin(), marks_.end(), [&](const Mark& m) { return m.from == from; });
    if (it != marks_.end() && mode_ == AntiReplay::Time) {
        const auto age = seconds_behind(now, it->sequence);
        if (age > window_.count() || age < -window_.count()) {
            marks_.erase(it);
            it = marks_.end();
        }
    }
    if (it != marks_.end()) {
        if (!sequence_after(sequence, it->sequence)) return false;
        it->sequence = sequence;
        it->used = ++clock_;
        return true;
    }
    resize_to(capacity_ - 1);  // room for this sender
    marks_.push_back({from, sequence, ++clock_});
    return true;
}

}  // namespace vipd
