// Tracked processes (keepalived's vrrp_track_process): which running processes a pattern
// matches, and whether the number of matches meets the quorum once the fork and terminate
// delays have passed. Pure: the daemon feeds it what /proc and the kernel's process events
// say.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vipd/core/types.hpp"

namespace vipd {

// How a pattern's arguments are compared with a process's (keepalived's param_match).
enum class ParamMatch : std::uint8_t {
    None,     // arguments not compared
    Exact,    // the same arguments, no more
    Partial,  // the configured arguments come first; the process may have more
    Initial,  // as Partial, and the last configured one may be a prefix of the process's
};
[[nodiscard]] std::string_view to_string(ParamMatch m);
[[nodiscard]] std::optional<ParamMatch> param_match_from(std::string_view text);

struct ProcessPattern {
    std::string process;            // the name (comm), or argv[0] with full_command
    std::vector<std::string> args;  // compared per param_match
    ParamMatch param_match = ParamMatch::None;
    bool full_command = false;  // match argv[0] (and args) instead of the name
    friend bool operator==(const ProcessPattern&, const ProcessPattern&) = default;
};

// The kernel keeps 15 bytes of a process name (TASK_COMM_LEN - 1).
inline constexpr std::size_t kMaxProcessName = 15;

// Whether the pattern needs the command line (argv) rather than the name alone.
[[nodiscard]] inline bool needs_command_line(const ProcessPattern& p) {
    return p.full_command || p.param_match != ParamMatch::None;
}

// `comm` is the process name (/proc/PID/comm without its newline); `argv` its command line
// (/proc/PID/cmdline split at NULs; empty for kernel threads and zombies, which never
// match a full_command pattern).
[[nodiscard]] bool matches(const ProcessPattern& p, std::string_view comm,
                           std::span<const std::string> argv);

// The quorum: at least `quorum` and at most `quorum_max` matching processes. A change
// towards up waits `fork_delay` (a fork or a restart's brief double), towards down
// `terminate_delay` (a restart's brief gap); a change back before the delay ends cancels it.
class ProcessQuorum {
public:
    ProcessQuorum(std::size_t quorum, std::optional<std::size_t> quorum_max, Duration fork_delay,
                  Duration terminate_delay)
        : quorum_(quorum),
          quorum_max_(quorum_max),
          fork_delay_(fork_delay),
          terminate_delay_(terminate_delay) {}

    // The first count (the scan at start): taken at once, without a delay.
    void start(std::size_t count);
    // A new count at `now`; true when up() changed now (no delay applies).
    bool update(std::size_t count, TimePoint now);
    // When a pending change takes effect, if one is pending.
    [[nodiscard]] std::optional<TimePoint> deadline() const { return deadline_; }
    // Applies the pending change if its deadline has passed; true when up() changed.
    bool expire(TimePoint now);

    [[nodiscard]] bool up() const { return up_; }
    [[nodiscard]] std::size_t count() const { return count_; }
    [[nodiscard]] bool meets(std::size_t count) const {
        return count >= quorum_ && (!quorum_max_ || count <= *quorum_max_);
    }

private:
    std::size_t quorum_;
    std::optional<std::size_t> quorum_max_;
    Duration fork_delay_;
    Duration terminate_delay_;
    std::size_t count_ = 0;
    bool up_ = false;
    std::optional<TimePoint> deadline_;
};

}  // namespace vipd
