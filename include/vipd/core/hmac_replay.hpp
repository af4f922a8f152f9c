// The clock side of HMAC-authenticated adverts (draft-cassen-vrrp-auth-hmac-00): the
// sequence a sender puts in its trailers, and the receiver's freshness window and replay
// marks. Pure: the wall clock is passed in, so clock steps are unit-tested.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "vipd/core/hmac_modes.hpp"
#include "vipd/core/ip_address.hpp"

namespace vipd {

using WallClock = std::chrono::system_clock;
using WallTime = WallClock::time_point;

// sec << 32 | subsec (1/65536 s) << 16, the counter bits clear.
[[nodiscard]] std::uint64_t sequence_at(WallTime t);
// RFC 1982 serial order on the 64-bit sequence: a comes after b.
[[nodiscard]] bool sequence_after(std::uint64_t a, std::uint64_t b);

// A sender's sequence: the clock, or the last value plus one when the clock has not moved
// on (or went back), so it only grows. A clock stepped back by more than the window would
// leave it ahead of what receivers accept: in time mode it then restarts from the clock.
class HmacSequence {
public:
    [[nodiscard]] std::uint64_t next(WallTime now, AntiReplay mode, std::chrono::seconds window);

private:
    std::optional<std::uint64_t> last_;  // none: the first comes from the clock
};

// The receiver's side.
class ReplayGuard {
public:
    // `peers`: a unicast instance's peers, one mark each; empty (multicast): the last 4
    // senders heard, the least recently heard forgotten.
    ReplayGuard(AntiReplay mode, std::chrono::seconds window, std::span<const IpAddress> peers);

    // Time mode: whether the sequence's seconds lie within the window of `now` (checked
    // before the tag, so a flood of stale copies costs no HMAC; it grants nothing). `skew`:
    // now minus the sender's time, in seconds.
    [[nodiscard]] bool fresh(std::uint64_t sequence, WallTime now, std::int64_t& skew) const;
    // After the tag verified: whether `sequence` comes after the last one accepted from
    // `from` (then it becomes the mark). A mark older than the window is forgotten first
    // (it only orders what the window already refuses; a sender reset by a clock step
    // recovers).
    [[nodiscard]] bool accept(const IpAddress& from, std::uint64_t sequence, WallTime now);
    [[nodiscard]] AntiReplay mode() const { return mode_; }
    [[nodiscard]] std::chrono::seconds window() const { return window_; }
    // Marks kept (status).
    [[nodiscard]] std::size_t senders() const { return marks_.size(); }
    // A reload: the rule, the window and the room change, the marks stay (a mark only ever
    // refuses older sequences, so keeping it is always safe). `peers`: a unicast instance's
    // peers, whose marks alone are kept (and never crowded out); empty for multicast.
    void reconfigure(AntiReplay mode, std::chrono::seconds window,
                     std::span<const IpAddress> peers);

private:
    struct Mark {
        IpAddress from;
        std::uint64_t sequence = 0;
        std::uint64_t used = 0;  // LRU order
    };
    void resize_to(std::size_t n);
    AntiReplay mode_;
    std::chrono::seconds window_;
    std::size_t capacity_ = 0;
    std::uint64_t clock_ = 0;
    std::vector<Mark> marks_;
};

}  // namespace vipd
