// The validated configuration: plain values with their defaults, compared whole by the
// reload diff. Nothing here parses or checks; config/config.hpp produces these.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vipd/core/hmac_modes.hpp"
#include "vipd/core/ip_address.hpp"
#include "vipd/core/process_match.hpp"
#include "vipd/core/route.hpp"
#include "vipd/core/types.hpp"

namespace vipd::config {

enum class LogLevel : std::uint8_t { Debug, Info, Notice, Warning, Error };
[[nodiscard]] std::string_view to_string(LogLevel l);
[[nodiscard]] std::optional<LogLevel> parse_log_level(std::string_view s);

// Debug lines come in categories, each switched on by itself (FRR's `debug vrrp packets`):
// `debug = [...]` in vipd.conf, --debug, `vipctl log-level debug CATEGORY`.
enum class DebugCategory : std::uint8_t { Packets, Timers, Netlink, Scripts, Control };
inline constexpr std::array<DebugCategory, 5> kDebugCategories = {
    DebugCategory::Packets, DebugCategory::Timers, DebugCategory::Netlink, DebugCategory::Scripts,
    DebugCategory::Control};
[[nodiscard]] std::string_view to_string(DebugCategory c);
[[nodiscard]] std::optional<DebugCategory> parse_debug_category(std::string_view s);
// A set of categories, one bit each.
using DebugSet = std::uint8_t;
[[nodiscard]] constexpr DebugSet bit(DebugCategory c) {
    return static_cast<DebugSet>(1U << static_cast<unsigned>(c));
}
inline constexpr DebugSet kAllDebug = (1U << kDebugCategories.size()) - 1;
// "packets,scripts" (vipctl, --debug); "none" for the empty set, "all" for every one.
[[nodiscard]] std::string debug_set_text(DebugSet s);

// The syslog facility of vipd's lines (`log_facility`): daemon, or local0..local7. The
// journal takes it too (in each line's <N> prefix).
[[nodiscard]] std::optional<int> parse_log_facility(std::string_view s);

// How a VRRPv3 IPv4 instance computes its checksum (vipd.conf(5) `checksum`).
enum class ChecksumMode : std::uint8_t {
    Auto,          // send what the peers we hear send; pseudo-header until we hear one
    Rfc9568,       // message only (RFC 9568 §5.2.8)
    PseudoHeader,  // with the IPv4 pseudo-header (keepalived, FRR)
};
[[nodiscard]] std::string_view to_string(ChecksumMode m);
[[nodiscard]] std::optional<ChecksumMode> parse_checksum_mode(std::string_view s);

// A virtual address with the prefix length it is configured with on the interface.
struct VipAddress {
    IpAddress address;
    std::uint8_t prefix_len = 32;
    friend bool operator==(const VipAddress&, const VipAddress&) = default;
};

// Gratuitous ARP / unsolicited NA on becoming master: `count` messages per address,
// `interval` apart (the first at once), and again every `refresh` while master (0 = never).
struct AnnounceConfig {
    int count = 5;
    Duration interval = std::chrono::milliseconds{200};
    Duration refresh = Duration::zero();
    friend bool operator==(const AnnounceConfig&, const AnnounceConfig&) = default;
};

// A health-check script (top-level `scripts`), run every `interval`, killed after
// `timeout`; `rise` successes / `fall` failures in a row flip its state.
struct ScriptConfig {
    std::string name;
    std::string command;            // as written
    std::vector<std::string> argv;  // split without a shell; argv[0] absolute
    Duration interval = std::chrono::seconds{1};
    Duration timeout = std::chrono::seconds{1};
    int rise = 1;
    int fall = 1;
    int weight = 0;
    std::string user;  // resolved: the script's own or global script_user
    std::string file;
    int line = 0;
    friend bool operator==(const ScriptConfig&, const ScriptConfig&) = default;
};

// A tracked process (top-level `processes`; keepalived's vrrp_track_process): up while at
// least `quorum` and at most `quorum_max` running processes match `pattern`.
struct ProcessConfig {
    std::string name;
    ProcessPattern pattern;
    std::size_t quorum = 1;
    std::optional<std::size_t> quorum_max;  // none: no upper bound
    int weight = 0;
    Duration fork_delay = Duration::zero();       // before a quorum gained counts
    Duration terminate_delay = Duration::zero();  // before a quorum lost counts
    std::string file;
    int line = 0;
    friend bool operator==(const ProcessConfig&, const ProcessConfig&) = default;
};

// An instance's use of a tracker; the weight is resolved (the override, or the script's).
struct TrackScript {
    std::string name;
    int weight = 0;
    bool reverse = false;
    friend bool operator==(const TrackScript&, const TrackScript&) = default;
};
struct TrackProcess {
    std::string name;
    int weight = 0;  // 0 = Fault while the quorum is not met
    bool reverse = false;
    friend bool operator==(const TrackProcess&, const TrackProcess&) = default;
};
struct TrackInterface {
    std::string interface;
    int weight = 0;  // 0 = Fault while down
    bool reverse = false;
    friend bool operator==(const TrackInterface&, const TrackInterface&) = default;
};
struct TrackFile {
    std::string path;  // holds an integer; missing or unreadable = 0
    int weight = 1;    // 0 = Fault while non-zero
    bool reverse = false;
    friend bool operator==(const TrackFile&, const TrackFile&) = default;
};

// Commands run on transitions, with arguments TYPE NAME STATE PRIORITY (keepalived's).
struct NotifyConfig {
    std::vector<std::string> master, backup, fault, stop, any;  // argv; empty = none
    std::string user;                                           // resolved
    Duration timeout = std::chrono::seconds{10};
    friend bool operator==(const NotifyConfig&, const NotifyConfig&) = default;
};

// Key material: wiped from memory when it goes (copies too), never logged or shown.
class SecretBytes {
public:
    SecretBytes() = default;
    explicit SecretBytes(std::vector<std::uint8_t> bytes) : bytes_(std::move(bytes)) {}
    SecretBytes(const SecretBytes&) = default;
    SecretBytes& operator=(const SecretBytes& o);
    SecretBytes(SecretBytes&& o) noexcept : bytes_(std::move(o.bytes_)) {}
    SecretBytes& operator=(SecretBytes&& o) noexcept;
    ~SecretBytes();
    [[nodiscard]] std::span<const std::uint8_t> bytes() const { return bytes_; }
    friend bool operator==(const SecretBytes&, const SecretBytes&) = default;

private:
    void wipe();
    std::vector<std::uint8_t> bytes_;
};

// auth_hmac (draft-cassen-vrrp-auth-hmac-00, keepalived's keywords).
struct HmacKeyConfig {
    std::uint8_t id = 1;  // 1..255, named in every trailer
    std::string value;    // as written: "hex:...", "file:PATH" or the secret in ASCII
    SecretBytes secret;   // 32..64 bytes
    friend bool operator==(const HmacKeyConfig&, const HmacKeyConfig&) = default;
};
struct HmacAuthConfig {
    std::vector<HmacKeyConfig> keys;  // all accepted
    std::uint8_t active_key = 1;      // the one signing
    HmacMode mode = HmacMode::Enforce;
    AntiReplay anti_replay = AntiReplay::Time;
    // How far a trailer's time may stray from ours (time mode); resolved by the loader:
    // 3 x advert_interval, 5..300 s, unless set.
    std::chrono::seconds time_window{5};
    friend bool operator==(const HmacAuthConfig&, const HmacAuthConfig&) = default;
};

struct InstanceConfig {
    std::string name;
    std::string interface;
    Vrid vrid{1};
    Priority priority{100};
    Version version = Version::V3;
    Family family = Family::IPv4;  // of the addresses
    Centiseconds advert_interval{100};
    bool preempt = true;
    Duration preempt_delay = Duration::zero();
    bool accept = true;
    std::vector<VipAddress> addresses;
    std::vector<IpAddress> unicast_peers;        // empty = multicast
    std::optional<IpAddress> source_address;     // default: the interface's primary address
    AuthType auth_type = AuthType::None;         // v2 only
    std::string password;                        // v2 simple password, 1..8 characters
    ChecksumMode checksum = ChecksumMode::Auto;  // v3 IPv4 only
    std::optional<HmacAuthConfig> auth_hmac;     // none: adverts unsigned
    AnnounceConfig announce;                     // defaults from global
    std::vector<TrackScript> track_scripts;
    std::vector<TrackInterface> track_interfaces;
    std::vector<TrackFile> track_files;
    std::vector<TrackProcess> track_processes;
    NotifyConfig notify;
    // Installed while master, with the VIPs (after them; removed before them).
    std::vector<Route> virtual_routes;
    std::vector<RoutingRule> virtual_rules;
    std::string file;  // where it was defined, for messages
    int line = 0;

    friend bool operator==(const InstanceConfig&, const InstanceConfig&) = default;
};

// Where the Prometheus metrics are served over HTTP (loopback only).
struct ListenAddress {
    IpAddress address;
    std::uint16_t port = 0;
    friend bool operator==(const ListenAddress&, const ListenAddress&) = default;
};

struct GlobalConfig {
    std::string router_id;  // default: the host name
    LogLevel log_level = LogLevel::Info;
    // Categories of debug lines, beside log_level; unset: all at log_level debug, else none.
    std::optional<DebugSet> debug;
    std::string log_facility = "daemon";  // syslog facility (--log-target syslog, journal)
    AnnounceConfig announce;
    std::string script_user = "nobody";  // scripts never run as root unless set to root
    std::string notify_fifo;             // one line per transition; empty = none
    bool graceful_handover = true;       // SIGTERM hands masters over before stopping
    std::string control_group;           // group owning the control socket; empty = root
    std::string control_admin_group;     // may change state over the control socket; empty = root
    std::optional<ListenAddress> metrics_listen;  // GET /metrics; none = not served
    // SCHED_RR 1..99 for the daemon, 0 = SCHED_OTHER; unset = vipd --realtime-priority (the
    // packaged unit passes 10), else as vipd was started.
    std::optional<int> realtime_priority;
    // mlockall: no page faults on the hot path; unset = vipd --lock-memory (the unit's).
    std::optional<bool> lock_memory;
    friend bool operator==(const GlobalConfig&, const GlobalConfig&) = default;
};

// Instances that change state together (keepalived's vrrp_sync_group).
struct SyncGroupConfig {
    std::string name;
    std::vector<std::string> instances;  // names, at least two
    NotifyConfig notify;                 // run as TYPE GROUP, once per group transition
    std::string file;
    int line = 0;
    friend bool operator==(const SyncGroupConfig&, const SyncGroupConfig&) = default;
};

struct Config {
    std::string file;
    GlobalConfig global;
    std::vector<ScriptConfig> scripts;
    std::vector<ProcessConfig> processes;
    std::vector<InstanceConfig> instances;
    std::vector<SyncGroupConfig> sync_groups;
};

}  // namespace vipd::config
