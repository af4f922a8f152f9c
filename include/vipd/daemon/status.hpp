// The status of a running vipd as typed values: what the snapshot file, the Prometheus
// metrics, vipctl's output and the control replies are all rendered from. Its JSON form
// (to_json / from_json) is the control socket's and snapshot.json's; reading it back is
// strict, so a renamed or missing key is an error, never a silent zero.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "vipd/core/drop_reason.hpp"
#include "vipd/core/state_machine.hpp"

namespace vipd {

// A tracker as the instance sees it: scripts and interfaces are up or down, files have a
// value.
struct TrackerStatus {
    std::string type;  // script, interface, file
    std::string name;
    int weight = 0;
    bool reverse = false;
    bool up = false;                    // scripts, interfaces; files: false when failed
    std::optional<std::int64_t> value;  // files (0 while failed)
    friend bool operator==(const TrackerStatus&, const TrackerStatus&) = default;
};

struct InstanceCountersStatus {
    std::uint64_t adverts_sent = 0;
    std::uint64_t adverts_received = 0;
    std::uint64_t send_errors = 0;
    std::uint64_t transitions = 0;
    std::uint64_t became_master = 0;
    std::uint64_t announcements = 0;
    std::uint64_t address_errors = 0;
    std::uint64_t addresses_restored = 0;
    std::uint64_t filter_errors = 0;    // accept = false: nftables refused a change
    std::uint64_t route_errors = 0;     // virtual routes and rules the kernel refused
    std::uint64_t routes_restored = 0;  // ...put back after someone deleted them
    std::uint64_t notifications = 0;
    std::uint64_t notify_failures = 0;
    std::uint64_t notify_dropped = 0;  // transitions superseded before their commands ran
    DropCounts drops{};
    friend bool operator==(const InstanceCountersStatus&, const InstanceCountersStatus&) = default;
};

// auth_hmac as configured and last heard (never a key, only ids).
struct AuthStatus {
    std::string mode;  // enforce, permissive, receive-only
    int active_key = 0;
    std::vector<int> keys;
    std::string anti_replay;                  // time, monotonic
    std::optional<int> time_window_s;         // time mode
    std::optional<std::int64_t> last_skew_s;  // our clock minus the last verified sender's
    friend bool operator==(const AuthStatus&, const AuthStatus&) = default;
};

struct InstanceStatus {
    std::string name;
    std::string interface;
    int vrid = 0;
    Family family = Family::IPv4;
    int version = 3;
    State state = State::Initialize;
    int priority = 0;  // effective
    int configured_priority = 0;
    std::optional<int> priority_override;
    bool maintenance = false;
    bool handing_over = false;
    bool tracker_fault = false;
    std::vector<TrackerStatus> trackers;
    std::string source_address;
    std::optional<std::string> master_address;
    std::vector<std::string> addresses;  // "ADDRESS/PREFIX"
    std::int64_t advert_interval_ms = 0;
    std::int64_t master_adver_interval_ms = 0;
    std::int64_t skew_time_us = 0;
    std::int64_t master_down_interval_us = 0;
    std::optional<std::int64_t> master_down_timer_ms;  // time left; none: not running
    std::optional<std::int64_t> adver_timer_ms;
    std::int64_t in_state_ms = 0;
    std::optional<std::string> last_transition;  // its reason
    std::optional<AuthStatus> auth_hmac;         // none: adverts unsigned
    InstanceCountersStatus counters;
    friend bool operator==(const InstanceStatus&, const InstanceStatus&) = default;
};

struct ScriptStatus {
    std::string name;
    bool up = true;
    std::uint64_t runs = 0;
    std::uint64_t failures = 0;
    std::uint64_t timeouts = 0;
    std::uint64_t start_failures = 0;  // runs vipd itself could not start (no result)
    std::uint64_t runs_timed = 0;      // runs that completed, with their total run time
    double duration_seconds_sum = 0;
    std::string last_result;
    friend bool operator==(const ScriptStatus&, const ScriptStatus&) = default;
};

// A tracked process (vipd.conf `processes`): how many match now, and whether that meets
// its quorum (after the delays).
struct ProcessStatus {
    std::string name;
    std::uint64_t running = 0;
    bool up = false;
    friend bool operator==(const ProcessStatus&, const ProcessStatus&) = default;
};

// Packets dropped by a socket before any instance saw them (malformed, unknown VRID).
struct SocketStatus {
    std::string interface;
    Family family = Family::IPv4;
    DropCounts drops{};
    friend bool operator==(const SocketStatus&, const SocketStatus&) = default;
};

struct DaemonStatus {
    long pid = 0;
    std::string version;
    double start_time_seconds = 0;  // since the epoch
    std::string config_file;
    std::string router_id;
    std::vector<InstanceStatus> instances;
    std::vector<ScriptStatus> scripts;
    std::vector<ProcessStatus> processes;  // those some instance tracks
    std::string process_source;            // how they are watched; empty: not at all
    std::vector<SocketStatus> sockets;
    friend bool operator==(const DaemonStatus&, const DaemonStatus&) = default;
};

// vipctl stats: counts since the last stats --clear.
struct StatsReport {
    struct Instance {
        std::string name;
        State state = State::Initialize;
        std::uint64_t adverts_sent = 0, adverts_received = 0, drops = 0, send_errors = 0,
                      transitions = 0, became_master = 0, announcements = 0;
        friend bool operator==(const Instance&, const Instance&) = default;
    };
    struct Script {
        std::string name;
        std::uint64_t runs = 0, failures = 0, timeouts = 0;
        friend bool operator==(const Script&, const Script&) = default;
    };
    double seconds = 0;  // since the last clear (or the start)
    bool cleared = false;
    std::vector<Instance> instances;
    std::vector<Script> scripts;
    DropCounts drops{};  // instances' and sockets' together
    // The sums over the instances (drops: every reason, instances' and sockets').
    struct Totals {
        std::uint64_t adverts_sent = 0, adverts_received = 0, drops = 0, send_errors = 0,
                      transitions = 0;
        friend bool operator==(const Totals&, const Totals&) = default;
    };
    [[nodiscard]] Totals totals() const;
    friend bool operator==(const StatsReport&, const StatsReport&) = default;
};

// The JSON forms. from_json throws nlohmann::json::exception for a missing key or a value
// of the wrong type.
void to_json(nlohmann::json& j, const InstanceStatus& s);
void from_json(const nlohmann::json& j, InstanceStatus& s);
void to_json(nlohmann::json& j, const DaemonStatus& s);
void from_json(const nlohmann::json& j, DaemonStatus& s);
void to_json(nlohmann::json& j, const StatsReport& s);
void from_json(const nlohmann::json& j, StatsReport& s);
// {"reason": count, ...} for every reason.
[[nodiscard]] nlohmann::json drops_json(const DropCounts& drops);

// The name a state has in status output and notifications: INIT, BACKUP, MASTER, FAULT.
[[nodiscard]] std::optional<State> parse_state(std::string_view s);

}  // namespace vipd
