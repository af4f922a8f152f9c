// vipd's rules for vipd.conf, shared by the two files that apply them: loader.cpp (the
// file as a whole, global, scripts, notify, sync groups, cross-instance checks) and
// instance_rules.cpp (one instance's settings). The generic walk is schema.hpp's.
#pragma once

#include <fmt/format.h>

#include <array>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "schema.hpp"

namespace vipd::config {

inline constexpr std::array<std::string_view, 5> kTopLevelKeys = {"global", "scripts", "processes",
                                                                  "instances", "sync_groups"};
inline constexpr std::array<std::string_view, 3> kSyncGroupKeys = {"name", "instances", "notify"};
inline constexpr std::array<std::string_view, 15> kGlobalKeys = {
    "router_id",           "log_level",
    "garp_count",          "garp_interval",
    "garp_refresh",        "script_user",
    "notify_fifo",         "control_group",
    "metrics_listen",      "graceful_handover",
    "realtime_priority",   "lock_memory",
    "control_admin_group", "debug",
    "log_facility"};
inline constexpr std::array<std::string_view, 25> kInstanceKeys = {"name",
                                                                   "interface",
                                                                   "vrid",
                                                                   "priority",
                                                                   "version",
                                                                   "advert_interval",
                                                                   "preempt",
                                                                   "preempt_delay",
                                                                   "accept",
                                                                   "addresses",
                                                                   "unicast_peers",
                                                                   "source_address",
                                                                   "authentication",
                                                                   "checksum",
                                                                   "garp_count",
                                                                   "garp_interval",
                                                                   "garp_refresh",
                                                                   "track_scripts",
                                                                   "track_interfaces",
                                                                   "track_files",
                                                                   "track_processes",
                                                                   "notify",
                                                                   "virtual_routes",
                                                                   "virtual_rules",
                                                                   "auth_hmac"};
inline constexpr std::array<std::string_view, 2> kAuthKeys = {"type", "password"};
inline constexpr std::array<std::string_view, 5> kHmacKeys = {"keys", "active_key", "mode",
                                                              "anti_replay", "time_window"};
inline constexpr std::array<std::string_view, 2> kHmacKeyKeys = {"id", "key"};
inline constexpr std::array<std::string_view, 7> kRouteKeys = {"to",     "via",   "dev", "src",
                                                               "metric", "table", "type"};
inline constexpr std::array<std::string_view, 4> kRuleKeys = {"from", "to", "table", "priority"};
inline constexpr std::array<std::string_view, 8> kScriptKeys = {
    "name", "command", "interval", "timeout", "rise", "fall", "weight", "user"};
inline constexpr std::array<std::string_view, 3> kTrackScriptKeys = {"name", "weight", "reverse"};
inline constexpr std::array<std::string_view, 3> kTrackInterfaceKeys = {"name", "weight",
                                                                        "reverse"};
inline constexpr std::array<std::string_view, 3> kTrackFileKeys = {"path", "weight", "reverse"};
inline constexpr std::array<std::string_view, 3> kTrackProcessKeys = {"name", "weight", "reverse"};
inline constexpr std::array<std::string_view, 11> kProcessKeys = {
    "name",       "process", "args",  "param_match", "full_command",   "quorum",
    "quorum_max", "weight",  "delay", "fork_delay",  "terminate_delay"};
inline constexpr long long kMaxQuorum = 1000000;
inline constexpr std::array<std::string_view, 7> kNotifyKeys = {
    "master", "backup", "fault", "stop", "any", "user", "timeout"};
inline constexpr int kMaxWeight = 253;

inline constexpr std::size_t kMaxNameLength = 32;
inline constexpr std::size_t kMaxInterfaceLength = 15;  // IFNAMSIZ - 1
inline constexpr std::size_t kMaxUnicastPeers = 1024;
inline constexpr std::size_t kMaxRouterIdLength = 64;  // HOST_NAME_MAX
inline constexpr std::size_t kMaxPasswordLength = kAuthDataSize;
inline constexpr double kCentisecondTolerance = 1e-6;  // of a centisecond: float noise, not intent

[[nodiscard]] inline std::string_view family_name(Family f) {
    return f == Family::IPv4 ? "IPv4" : "IPv6";
}
[[nodiscard]] inline Duration to_duration(double seconds) {
    return std::chrono::round<Duration>(std::chrono::duration<double>(seconds));
}
// 1..32 characters of A-Z a-z 0-9 _ . - (instances, scripts, sync groups, groups).
[[nodiscard]] bool valid_name(std::string_view name);
// What the kernel accepts as a device name (dev_valid_name()).
[[nodiscard]] bool valid_interface(std::string_view name);

// vipd's rules for one file, asked of the schema layer setting by setting.
class Loader {
public:
    Loader(const std::string& file, const std::string& include_dir, const Checks& checks)
        : schema_(file, include_dir, {{kInstanceKeys, "an instance"}, {kGlobalKeys, "'global'"}}),
          main_file_(file),
          checks_(checks) {}

    LoadResult run(const Setting& root);

private:
    // What the cross-instance checks need besides the values.
    struct Parsed {
        InstanceConfig config;
        const Setting* name = nullptr;   // set when the name is valid
        const Setting* vrid = nullptr;   // set when vrid, interface and family are valid
        const Setting* group = nullptr;  // the instance's own group (its opening brace)
    };

    [[nodiscard]] std::string default_router_id() const {
        std::string name = checks_.host_name ? checks_.host_name() : std::string();
        return name.empty() ? "vipd" : name;
    }
    std::optional<Centiseconds> advert_interval(const Setting& s, Version v);
    std::optional<std::string> user_value(const Setting& s);
    std::optional<std::vector<std::string>> command(const Setting& s, const std::string& user);

    void announce(const Setting& group, AnnounceConfig& out);
    GlobalConfig global(const Setting* g);
    std::optional<Parsed> instance(const Setting& s, const GlobalConfig& global);
    void addresses(const Setting& s, InstanceConfig& c);
    void peers(const Setting& s, std::optional<Family> family, InstanceConfig& c);
    void authentication(const Setting& s, InstanceConfig& c);
    // hmac_rules.cpp; after the advert interval and 'authentication' are read.
    void auth_hmac(const Setting& s, InstanceConfig& c);
    void cross_check(const std::vector<Parsed>& instances);
    std::vector<ScriptConfig> scripts(const Setting* list, const GlobalConfig& g);
    // An entry's required, valid, unique `name` among `seen` (scripts, processes); nullopt
    // (reported) otherwise.
    template <typename Entry>
    std::optional<std::string> entry_name(const Setting& s, const char* kind,
                                          const std::vector<Entry>& seen) {
        const auto* n = Schema::find(s, "name");
        if (n == nullptr) {
            schema_.error(s, fmt::format("{} is missing required key 'name'", kind));
            return std::nullopt;
        }
        auto v = schema_.string_value(*n);
        if (!v) return std::nullopt;
        if (!valid_name(*v)) {
            schema_.error(*n, fmt::format("'name' must be 1..{} characters of A-Z a-z 0-9 _ . -",
                                          kMaxNameLength));
            return std::nullopt;
        }
        for (const auto& other : seen) {
            if (other.name == *v) {
                schema_.error(*n, fmt::format("duplicate {} name '{}' (first defined at {}:{})",
                                              kind, *v, other.file, other.line));
            }
        }
        return v;
    }
    // process_rules.cpp
    std::vector<ProcessConfig> processes(const Setting* list);
    std::optional<ProcessConfig> process(const Setting& s, const std::vector<ProcessConfig>& seen);
    void trackers(const Setting& s, InstanceConfig& c, const std::vector<ScriptConfig>& known);
    // route_rules.cpp
    void virtual_routes(const Setting& s, InstanceConfig& c);
    // Each group of the list `key` ("( SHAPE, ... )"), its keys checked.
    void each_group(const Setting& s, const char* key, const char* shape, KeySet keys,
                    const std::function<void(const Setting&)>& each);
    void virtual_rules(const Setting& s, InstanceConfig& c);
    // IP or IP/PREFIX (0..max; without one, a host prefix).
    std::optional<IpPrefix> prefix_value(const Setting& s);
    std::optional<IpAddress> address_value(const Setting& s, const char* what);
    void notify(const Setting& s, NotifyConfig& out, const GlobalConfig& g);
    std::vector<SyncGroupConfig> sync_groups(const Setting* list,
                                             const std::vector<Parsed>& instances);

    Schema schema_;
    std::string main_file_;
    const Checks& checks_;
    std::vector<ScriptConfig> scripts_;
    std::vector<ProcessConfig> processes_;
    GlobalConfig global_;  // for the sections parsed after 'global'
};

}  // namespace vipd::config
