// Loads vipd.conf with libconfig++ and validates it as a whole: every problem in the file
// becomes one Diagnostic with the file and line of the setting at fault, all of them in one
// pass. libconfig's exceptions stop here; nothing in this file throws to its caller.
#include "vipd/config/config.hpp"
#include "vipd/config/command_line.hpp"
#include "vipd/proto/advert.hpp"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <libconfig.h++>
#include <map>
#include <span>
#include <string_view>
#include <system_error>
#include <tuple>
#include <unordered_map>
#include <utility>

namespace vipd::config {

std::string_view to_string(LogLevel l) {
    switch (l) {
        case LogLevel::Debug:
            return "debug";
        case LogLevel::Info:
            return "info";
        case LogLevel::Notice:
            return "notice";
        case LogLevel::Warning:
            return "warning";
        case LogLevel::Error:
            return "error";
    }
    return "?";
}

std::optional<LogLevel> parse_log_level(std::string_view s) {
    for (const auto l :
         {LogLevel::Debug, LogLevel::Info, LogLevel::Notice, LogLevel::Warning, LogLevel::Error}) {
        if (s == to_string(l)) return l;
    }
    return std::nullopt;
}

std::string_view to_string(ChecksumMode m) {
    switch (m) {
        case ChecksumMode::Auto:
            return "auto";
        case ChecksumMode::Rfc9568:
            return "rfc9568";
        case ChecksumMode::PseudoHeader:
            return "pseudo-header";
    }
    return "?";
}

std::optional<ChecksumMode> parse_checksum_mode(std::string_view s) {
    for (const auto m : {ChecksumMode::Auto, ChecksumMode::Rfc9568, ChecksumMode::PseudoHeader}) {
        if (s == to_string(m)) return m;
    }
    return std::nullopt;
}

std::string Diagnostic::to_string() const {
    const std::string_view tag = severity == Severity::Warning ? "warning: " : "";
    // Line 0 means the file as a whole (it could not be read at all).
    if (line <= 0) return fmt::format("{}: {}{}", file, tag, message);
    return fmt::format("{}:{}: {}{}", file, line, tag, message);
}

namespace {

using libconfig::Setting;

bool valid_name(std::string_view name);

// "127.0.0.1:9650" or "[::1]:9650": a loopback address (metrics are for this host; a
// scraper elsewhere goes through something that authenticates) and a port 1..65535.
std::optional<ListenAddress> parse_listen(std::string_view text) {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    auto host = text.substr(0, colon);
    const auto port_text = text.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    } else if (host.find(':') != std::string_view::npos) {
        return std::nullopt;  // IPv6 needs brackets
    }
    const auto address = IpAddress::parse(host);
    if (!address || port_text.empty() || port_text.size() > 5) return std::nullopt;
    unsigned port = 0;
    for (const char ch : port_text) {
        if (ch < '0' || ch > '9') return std::nullopt;
        port = port * 10 + static_cast<unsigned>(ch - '0');
    }
    if (port == 0 || port > 65535) return std::nullopt;
    const auto b = address->bytes();
    const bool loopback =
        address->family() == Family::IPv4 ? b[0] == 127 : *address == *IpAddress::parse("::1");
    if (!loopback) return std::nullopt;
    return ListenAddress{*address, static_cast<std::uint16_t>(port)};
}

constexpr std::array<std::string_view, 4> kTopLevelKeys = {"global", "scripts", "instances",
                                                           "sync_groups"};
constexpr std::array<std::string_view, 3> kSyncGroupKeys = {"name", "instances", "notify"};
constexpr std::array<std::string_view, 12> kGlobalKeys = {
    "router_id",      "log_level",         "garp_count",        "garp_interval",
    "garp_refresh",   "script_user",       "notify_fifo",       "control_group",
    "metrics_listen", "graceful_handover", "realtime_priority", "lock_memory"};
constexpr std::array<std::string_view, 21> kInstanceKeys = {"name",
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
                                                            "notify"};
constexpr std::array<std::string_view, 2> kAuthKeys = {"type", "password"};
constexpr std::array<std::string_view, 8> kScriptKeys = {"name", "command", "interval", "timeout",
                                                         "rise", "fall",    "weight",   "user"};
constexpr std::array<std::string_view, 3> kTrackScriptKeys = {"name", "weight", "reverse"};
constexpr std::array<std::string_view, 3> kTrackInterfaceKeys = {"name", "weight", "reverse"};
constexpr std::array<std::string_view, 3> kTrackFileKeys = {"path", "weight", "reverse"};
constexpr std::array<std::string_view, 7> kNotifyKeys = {"master", "backup", "fault",  "stop",
                                                         "any",    "user",   "timeout"};
constexpr int kMaxWeight = 253;

constexpr std::size_t kMaxNameLength = 32;
constexpr std::size_t kMaxInterfaceLength = 15;  // IFNAMSIZ - 1
constexpr std::size_t kMaxRouterIdLength = 64;   // HOST_NAME_MAX
constexpr std::size_t kMaxPasswordLength = kAuthDataSize;
constexpr double kCentisecondTolerance = 1e-6;  // of a centisecond: float noise, not intent

// Optimal string alignment distance (Levenshtein plus adjacent transpositions), so that
// both "prority" and "priroity" are one edit from "priority".
std::size_t edit_distance(std::string_view a, std::string_view b) {
    const std::size_t n = a.size();
    const std::size_t m = b.size();
    std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
    for (std::size_t i = 0; i <= n; ++i) {
        d[i][0] = i;
    }
    for (std::size_t j = 0; j <= m; ++j) {
        d[0][j] = j;
    }
    for (std::size_t i = 1; i <= n; ++i) {
        for (std::size_t j = 1; j <= m; ++j) {
            const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
            }
        }
    }
    return d[n][m];
}

std::optional<std::string_view> closest(std::string_view key,
                                        std::span<const std::string_view> known) {
    constexpr std::size_t kMaxDistance = 2;
    std::optional<std::string_view> best;
    std::size_t best_distance = kMaxDistance + 1;
    for (const auto k : known) {
        // Lengths this far apart are beyond the limit anyway; skipping them also keeps a
        // pathological key name from costing length x length memory.
        const std::size_t length_gap =
            key.size() > k.size() ? key.size() - k.size() : k.size() - key.size();
        if (length_gap > kMaxDistance) continue;
        const std::size_t dist = edit_distance(key, k);
        if (dist < best_distance) {
            best = k;
            best_distance = dist;
        }
    }
    return best;
}

bool contains(std::span<const std::string_view> keys, std::string_view key) {
    return std::find(keys.begin(), keys.end(), key) != keys.end();
}

bool is_multicast(const IpAddress& a) {
    const auto b = a.bytes();
    return a.family() == Family::IPv4 ? (b[0] & 0xf0) == 0xe0 : b[0] == 0xff;
}

std::string_view family_name(Family f) {
    return f == Family::IPv4 ? "IPv4" : "IPv6";
}

Duration to_duration(double seconds) {
    return std::chrono::round<Duration>(std::chrono::duration<double>(seconds));
}

std::string host_name() {
    std::array<char, 256> buf{};
    if (::gethostname(buf.data(), buf.size() - 1) != 0 || buf[0] == '\0') return "vipd";
    return buf.data();
}

// One configuration file being validated. Diagnostics are collected with the position of
// their setting in a pre-order walk of the tree, which is line order within a file and
// places an @include'd file's settings where the @include stands.
class Loader {
public:
    Loader(std::string main_file, std::string include_dir, const Checks& checks)
        : main_file_(std::move(main_file)),
          include_dir_(std::move(include_dir)),
          interface_exists_(checks.interface_exists),
          checks_(checks) {}

    LoadResult run(const Setting& root);

    // libconfig reports an @include'd file by the name written in the @include, which is
    // relative to the include directory; name it from where the user stands instead.
    [[nodiscard]] std::string resolve_file(const char* f) const {
        if (f == nullptr || main_file_ == f) return main_file_;
        if (!include_dir_.empty() && f[0] != '/') return include_dir_ + "/" + f;
        return f;
    }

private:
    struct Entry {
        std::size_t order;
        Diagnostic diagnostic;
    };

    // What the cross-instance checks need besides the values.
    struct Parsed {
        InstanceConfig config;
        const Setting* name = nullptr;  // set when the name is valid
        const Setting* vrid = nullptr;  // set when vrid, interface and family are valid
    };

    enum class Scope : std::uint8_t {
        TopLevel,
        Global,
        Instance,
        Authentication,
        Script,
        TrackScript,
        TrackInterface,
        TrackFile,
        Notify,
        SyncGroup,
    };

    void number(const Setting& s) {
        order_.emplace(&s, order_.size() + 1);
        if (s.isAggregate()) {
            for (int i = 0; i < s.getLength(); ++i) {
                number(s[i]);
            }
        }
    }

    void report(Diagnostic::Severity severity, const Setting& s, std::string message) {
        // Messages quote values from the file; keep control characters out of the logs.
        std::replace_if(
            message.begin(), message.end(),
            [](char ch) { return static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f; }, '?');
        // Diagnostics are listed in file order; the tree is numbered only when there is one.
        if (order_.empty()) number(*root_);
        const auto it = order_.find(&s);
        entries_.push_back({it == order_.end() ? 0 : it->second,
                            Diagnostic{severity, file_of(s), line_of(s), std::move(message)}});
    }
    void error(const Setting& s, std::string message) {
        report(Diagnostic::Severity::Error, s, std::move(message));
    }
    void warning(const Setting& s, std::string message) {
        report(Diagnostic::Severity::Warning, s, std::move(message));
    }

    [[nodiscard]] std::string file_of(const Setting& s) const {
        return resolve_file(s.getSourceFile());
    }
    // The root has no line of its own; what is missing from it is reported at line 1.
    [[nodiscard]] static int line_of(const Setting& s) {
        return std::max(1, static_cast<int>(s.getSourceLine()));
    }
    [[nodiscard]] std::string location(const Setting& s) const {
        return fmt::format("{}:{}", file_of(s), line_of(s));
    }

    // One pass over the group's members (Setting::exists and operator[] each parse `key`
    // as a path and search the group: a thousand instances probe dozens of keys each).
    static const Setting* find(const Setting& group, const char* key) {
        if (!group.isGroup()) return nullptr;
        for (int i = 0, n = group.getLength(); i < n; ++i) {
            const Setting& member = group[i];
            const char* name = member.getName();
            if (name != nullptr && std::strcmp(name, key) == 0) return &member;
        }
        return nullptr;
    }

    void check_keys(const Setting& group, Scope scope);

    // Typed readers: each reports what is wrong and returns nullopt.
    std::optional<std::string> string_value(const Setting& s);
    std::optional<bool> bool_value(const Setting& s);
    std::optional<long long> integer(const Setting& s);
    std::optional<long long> int_value(const Setting& s, long long lo, long long hi);
    std::optional<double> number_value(const Setting& s);
    std::optional<double> seconds_value(const Setting& s, double lo, double hi);
    std::optional<Centiseconds> advert_interval(const Setting& s, Version v);
    std::optional<std::vector<const Setting*>> string_list(const Setting& s);

    void announce(const Setting& group, AnnounceConfig& out);
    GlobalConfig global(const Setting* g);
    std::optional<Parsed> instance(const Setting& s, const GlobalConfig& global);
    void addresses(const Setting& s, InstanceConfig& c);
    void peers(const Setting& s, std::optional<Family> family, InstanceConfig& c);
    void authentication(const Setting& s, InstanceConfig& c);
    void cross_check(const std::vector<Parsed>& instances);
    std::vector<ScriptConfig> scripts(const Setting* list, const GlobalConfig& g);
    std::optional<std::vector<std::string>> command(const Setting& s, const std::string& user);
    void trackers(const Setting& s, InstanceConfig& c, const std::vector<ScriptConfig>& known);
    void notify(const Setting& s, NotifyConfig& out, const GlobalConfig& g);
    std::vector<SyncGroupConfig> sync_groups(const Setting* list,
                                             const std::vector<Parsed>& instances);
    std::optional<std::string> user_value(const Setting& s);

    std::string main_file_;
    std::string include_dir_;
    const InterfaceExists& interface_exists_;
    const Checks& checks_;
    std::vector<ScriptConfig> scripts_;
    GlobalConfig global_;  // for the sections parsed after 'global'
    const Setting* root_ = nullptr;
    std::unordered_map<const Setting*, std::size_t> order_;
    std::vector<Entry> entries_;
};

void Loader::check_keys(const Setting& group, Scope scope) {
    std::span<const std::string_view> known;
    switch (scope) {
        case Scope::TopLevel:
            known = kTopLevelKeys;
            break;
        case Scope::Global:
            known = kGlobalKeys;
            break;
        case Scope::Instance:
            known = kInstanceKeys;
            break;
        case Scope::Authentication:
            known = kAuthKeys;
            break;
        case Scope::Script:
            known = kScriptKeys;
            break;
        case Scope::TrackScript:
            known = kTrackScriptKeys;
            break;
        case Scope::TrackInterface:
            known = kTrackInterfaceKeys;
            break;
        case Scope::TrackFile:
            known = kTrackFileKeys;
            break;
        case Scope::Notify:
            known = kNotifyKeys;
            break;
        case Scope::SyncGroup:
            known = kSyncGroupKeys;
            break;
    }
    for (int i = 0; i < group.getLength(); ++i) {
        const Setting& s = group[i];
        const std::string_view key = s.getName() != nullptr ? s.getName() : "";
        if (contains(known, key)) continue;
        // A key put in the wrong section is a different mistake from a typo.
        std::string hint;
        if (scope != Scope::Instance && contains(kInstanceKeys, key)) {
            hint = " (it belongs in an instance)";
        } else if (scope != Scope::Global && contains(kGlobalKeys, key)) {
            hint = " (it belongs in 'global')";
        } else if (const auto near = closest(key, known)) {
            hint = fmt::format(" (did you mean '{}'?)", *near);
        }
        error(s, fmt::format("unknown key '{}'{}", key, hint));
    }
}

std::optional<std::string> Loader::string_value(const Setting& s) {
    if (s.getType() != Setting::TypeString) {
        error(s, fmt::format("'{}' must be a string", s.getName()));
        return std::nullopt;
    }
    return std::string(s.c_str());
}

std::optional<bool> Loader::bool_value(const Setting& s) {
    if (s.getType() != Setting::TypeBoolean) {
        error(s, fmt::format("'{}' must be true or false", s.getName()));
        return std::nullopt;
    }
    return static_cast<bool>(s);
}

std::optional<long long> Loader::integer(const Setting& s) {
    switch (s.getType()) {
        case Setting::TypeInt:
            return static_cast<int>(s);
        case Setting::TypeInt64:
            return static_cast<long long>(s);
        case Setting::TypeNone:
        case Setting::TypeFloat:
        case Setting::TypeString:
        case Setting::TypeBoolean:
        case Setting::TypeGroup:
        case Setting::TypeArray:
        case Setting::TypeList:
            break;
    }
    error(s, fmt::format("'{}' must be an integer", s.getName()));
    return std::nullopt;
}

std::optional<long long> Loader::int_value(const Setting& s, long long lo, long long hi) {
    const auto v = integer(s);
    if (!v) return std::nullopt;
    if (*v < lo || *v > hi) {
        error(s, fmt::format("'{}' must be in the range {}..{} (got {})", s.getName(), lo, hi, *v));
        return std::nullopt;
    }
    return v;
}

// Seconds may be written as an integer or a float ("2" or "0.5"); with auto-conversion off
// libconfig would reject the integer, so the three numeric types are read here.
std::optional<double> Loader::number_value(const Setting& s) {
    switch (s.getType()) {
        case Setting::TypeInt:
            return static_cast<double>(static_cast<int>(s));
        case Setting::TypeInt64:
            return static_cast<double>(static_cast<long long>(s));
        case Setting::TypeFloat:
            return static_cast<double>(s);
        case Setting::TypeNone:
        case Setting::TypeString:
        case Setting::TypeBoolean:
        case Setting::TypeGroup:
        case Setting::TypeArray:
        case Setting::TypeList:
            break;
    }
    error(s, fmt::format("'{}' must be a number of seconds", s.getName()));
    return std::nullopt;
}

std::optional<double> Loader::seconds_value(const Setting& s, double lo, double hi) {
    const auto v = number_value(s);
    if (!v) return std::nullopt;
    if (!(*v >= lo && *v <= hi)) {  // also rejects NaN and inf (1e999)
        error(s, fmt::format("'{}' must be in the range {}..{} seconds (got {})", s.getName(), lo,
                             hi, *v));
        return std::nullopt;
    }
    return v;
}

std::optional<Centiseconds> Loader::advert_interval(const Setting& s, Version v) {
    const auto seconds = number_value(s);
    if (!seconds) return std::nullopt;
    const double cs = *seconds * 100;
    const double whole = std::round(cs);
    switch (v) {
        case Version::V3:
            // RFC 9568 §5.2.7: 12 bits of centiseconds. Rounding 0.015 to either neighbour
            // would silently change failover timing, so a fraction is an error.
            if (!(cs >= 1 - kCentisecondTolerance &&
                  cs <= kMaxAdverIntV3.count() + kCentisecondTolerance)) {
                error(s, fmt::format("'{}' must be in the range 0.01..40.95 seconds for VRRPv3 "
                                     "(got {})",
                                     s.getName(), *seconds));
                return std::nullopt;
            }
            if (std::abs(cs - whole) > kCentisecondTolerance) {
                error(s, fmt::format("'{}' must be a whole number of centiseconds for VRRPv3 "
                                     "(got {})",
                                     s.getName(), *seconds));
                return std::nullopt;
            }
            return Centiseconds{static_cast<std::int32_t>(whole)};
        case Version::V2:
            // RFC 3768 §5.3.7: an 8-bit count of whole seconds.
            if (!(cs >= 100 - kCentisecondTolerance && cs <= 25500 + kCentisecondTolerance) ||
                std::abs(cs - std::round(cs / 100) * 100) > kCentisecondTolerance) {
                error(s, fmt::format("'{}' must be a whole number of seconds in the range "
                                     "1..255 for VRRPv2 (got {})",
                                     s.getName(), *seconds));
                return std::nullopt;
            }
            return Centiseconds{static_cast<std::int32_t>(std::round(cs / 100) * 100)};
    }
    return std::nullopt;
}

std::optional<std::vector<const Setting*>> Loader::string_list(const Setting& s) {
    if (s.getType() != Setting::TypeList && s.getType() != Setting::TypeArray) {
        error(s, fmt::format("'{}' must be a list or array of strings", s.getName()));
        return std::nullopt;
    }
    std::vector<const Setting*> out;
    bool ok = true;
    for (int i = 0; i < s.getLength(); ++i) {
        const Setting& e = s[i];
        if (e.getType() != Setting::TypeString) {
            error(e, fmt::format("'{}' entries must be strings", s.getName()));
            continue;
        }
        out.push_back(&e);
    }
    if (!ok) return std::nullopt;
    return out;
}

void Loader::announce(const Setting& group, AnnounceConfig& out) {
    constexpr long long kMaxCount = 100;
    constexpr double kMaxInterval = 10;
    constexpr double kMaxRefresh = 86400;
    if (const auto* s = find(group, "garp_count")) {
        if (const auto v = int_value(*s, 1, kMaxCount)) out.count = static_cast<int>(*v);
    }
    if (const auto* s = find(group, "garp_interval")) {
        if (const auto v = seconds_value(*s, 0, kMaxInterval)) out.interval = to_duration(*v);
    }
    if (const auto* s = find(group, "garp_refresh")) {
        if (const auto v = seconds_value(*s, 0, kMaxRefresh)) out.refresh = to_duration(*v);
    }
}

GlobalConfig Loader::global(const Setting* g) {
    GlobalConfig out;
    if (g == nullptr || !g->isGroup()) {
        if (g != nullptr) error(*g, "'global' must be a group: global = { ... };");
        out.router_id = host_name();
        return out;
    }
    check_keys(*g, Scope::Global);
    if (const auto* s = find(*g, "router_id")) {
        if (auto v = string_value(*s)) {
            if (v->empty() || v->size() > kMaxRouterIdLength) {
                error(*s, fmt::format("'router_id' must be 1..{} characters", kMaxRouterIdLength));
            }
            out.router_id = std::move(*v);
        }
    } else {
        out.router_id = host_name();
    }
    if (const auto* s = find(*g, "log_level")) {
        if (const auto v = string_value(*s)) {
            if (const auto l = parse_log_level(*v)) {
                out.log_level = *l;
            } else {
                error(*s, fmt::format("'log_level' must be one of debug, info, notice, warning, "
                                      "error (got \"{}\")",
                                      *v));
            }
        }
    }
    announce(*g, out.announce);
    if (const auto* s = find(*g, "script_user")) {
        if (auto v = user_value(*s)) out.script_user = std::move(*v);
    }
    if (const auto* s = find(*g, "notify_fifo")) {
        if (auto v = string_value(*s)) {
            if (v->empty() || (*v)[0] != '/') {
                error(*s, "'notify_fifo' must be an absolute path");
            } else {
                out.notify_fifo = std::move(*v);
            }
        }
    }
    if (const auto* s = find(*g, "graceful_handover")) {
        if (const auto v = bool_value(*s)) out.graceful_handover = *v;
    }
    if (const auto* s = find(*g, "realtime_priority")) {
        if (const auto v = int_value(*s, 0, 99)) out.realtime_priority = static_cast<int>(*v);
    }
    if (const auto* s = find(*g, "lock_memory")) {
        if (const auto v = bool_value(*s)) out.lock_memory = *v;
    }
    if (const auto* s = find(*g, "control_group")) {
        if (auto v = string_value(*s)) {
            if (!valid_name(*v)) {
                error(*s, "'control_group' must be a group name");
            } else if (checks_.group_exists && !checks_.group_exists(*v)) {
                error(*s, fmt::format("control_group '{}': no such group", *v));
            } else {
                out.control_group = std::move(*v);
            }
        }
    }
    if (const auto* s = find(*g, "metrics_listen")) {
        if (auto v = string_value(*s)) {
            if (auto l = parse_listen(*v)) {
                out.metrics_listen = *l;
            } else {
                error(*s, fmt::format("'metrics_listen' must be a loopback ADDRESS:PORT such as "
                                      "\"127.0.0.1:9650\" or \"[::1]:9650\" (got \"{}\")",
                                      *v));
            }
        }
    }
    return out;
}

bool valid_name(std::string_view name) {
    if (name.empty() || name.size() > kMaxNameLength) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '.' || c == '-';
    });
}

// What the kernel accepts as a device name (dev_valid_name()).
bool valid_interface(std::string_view name) {
    if (name.empty() || name.size() > kMaxInterfaceLength || name == "." || name == "..") {
        return false;
    }
    return std::none_of(name.begin(), name.end(), [](char c) {
        return c == '/' || c == ':' || c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
               c == '\v' || c == '\f';
    });
}

// "IP" or "IP/PREFIX"; nullopt for anything else, including an out-of-range prefix.
struct ParsedVip {
    std::optional<IpAddress> address;
    std::optional<unsigned> prefix;  // as written
};

ParsedVip parse_vip(std::string_view text) {
    ParsedVip out;
    const auto slash = text.find('/');
    out.address = IpAddress::parse(text.substr(0, slash));
    if (slash == std::string_view::npos) return out;
    const auto digits = text.substr(slash + 1);
    unsigned prefix = 0;
    const auto* end = digits.data() + digits.size();
    const auto [ptr, ec] = std::from_chars(digits.data(), end, prefix);
    if (digits.empty() || digits.size() > 3 || ec != std::errc{} || ptr != end) {
        out.address.reset();
        return out;
    }
    out.prefix = prefix;
    return out;
}

void Loader::addresses(const Setting& s, InstanceConfig& c) {
    const auto entries = string_list(s);
    if (!entries) return;
    if (entries->empty() || entries->size() > proto::kMaxAddresses) {
        error(s, fmt::format("'addresses' must have 1..{} entries (got {})", proto::kMaxAddresses,
                             entries->size()));
        return;
    }
    std::optional<Family> family;
    std::vector<const Setting*> where;  // parallel to c.addresses, for duplicate messages
    for (const Setting* e : *entries) {
        const std::string text = e->c_str();
        const auto vip = parse_vip(text);
        if (!vip.address) {
            error(*e, fmt::format("invalid address '{}' (expected IP or IP/PREFIX)", text));
            continue;
        }
        const auto& a = *vip.address;
        const unsigned max_prefix = a.family() == Family::IPv4 ? 32 : 128;
        if (vip.prefix && (*vip.prefix < 1 || *vip.prefix > max_prefix)) {
            error(*e, fmt::format("prefix length of '{}' must be in the range 1..{}", text,
                                  max_prefix));
            continue;
        }
        if (a.is_unspecified() || is_multicast(a)) {
            error(*e, fmt::format("address '{}' is not a unicast address", text));
            continue;
        }
        if (!family) {
            family = a.family();
        } else if (a.family() != *family) {
            error(*e, fmt::format("address '{}' is {} but the instance's first address is {} "
                                  "(one family per instance)",
                                  text, family_name(a.family()), family_name(*family)));
            continue;
        }
        const auto dup = std::find_if(c.addresses.begin(), c.addresses.end(),
                                      [&](const VipAddress& v) { return v.address == a; });
        if (dup != c.addresses.end()) {
            const auto index = static_cast<std::size_t>(dup - c.addresses.begin());
            error(*e, fmt::format("duplicate address '{}' (first at {})", a.to_string(),
                                  location(*where[index])));
            continue;
        }
        c.addresses.push_back(
            VipAddress{a, static_cast<std::uint8_t>(vip.prefix.value_or(max_prefix))});
        where.push_back(e);
    }
    if (family) c.family = *family;
}

void Loader::peers(const Setting& s, std::optional<Family> family, InstanceConfig& c) {
    const auto entries = string_list(s);
    if (!entries) return;
    std::vector<const Setting*> where;
    for (const Setting* e : *entries) {
        const std::string text = e->c_str();
        const auto a = IpAddress::parse(text);
        if (!a) {
            error(*e, fmt::format("invalid unicast peer '{}' (expected an IP address)", text));
            continue;
        }
        if (a->is_unspecified() || is_multicast(*a)) {
            error(*e, fmt::format("unicast peer '{}' is not a unicast address", text));
            continue;
        }
        if (family && a->family() != *family) {
            error(*e, fmt::format("unicast peer '{}' is {} but the addresses are {}", text,
                                  family_name(a->family()), family_name(*family)));
            continue;
        }
        const auto dup = std::find(c.unicast_peers.begin(), c.unicast_peers.end(), *a);
        if (dup != c.unicast_peers.end()) {
            const auto index = static_cast<std::size_t>(dup - c.unicast_peers.begin());
            error(*e, fmt::format("duplicate unicast peer '{}' (first at {})", a->to_string(),
                                  location(*where[index])));
            continue;
        }
        c.unicast_peers.push_back(*a);
        where.push_back(e);
    }
}

void Loader::authentication(const Setting& s, InstanceConfig& c) {
    if (!s.isGroup()) {
        error(s,
              "'authentication' must be a group: authentication = { type = \"pass\"; "
              "password = \"...\"; };");
        return;
    }
    check_keys(s, Scope::Authentication);
    std::string type = "none";
    const Setting* type_setting = find(s, "type");
    if (type_setting != nullptr) {
        if (auto v = string_value(*type_setting)) {
            if (*v == "none" || *v == "pass") {
                type = std::move(*v);
            } else {
                error(*type_setting,
                      fmt::format("'type' must be \"none\" or \"pass\" (got \"{}\")", *v));
            }
        }
    }
    const Setting* password = find(s, "password");
    if (password != nullptr) {
        if (auto v = string_value(*password)) {
            if (v->empty() || v->size() > kMaxPasswordLength) {
                // Truncating would make a mismatch with peers that look configured alike.
                error(*password, fmt::format("'password' must be 1..{} characters (got {})",
                                             kMaxPasswordLength, v->size()));
            } else if (type != "pass") {
                error(*password, "'password' is set but the authentication type is \"none\"");
            } else {
                c.password = std::move(*v);
            }
        }
    } else if (type == "pass") {
        error(type_setting != nullptr ? *type_setting : s,
              "authentication type \"pass\" requires a 'password'");
    }
    if (type == "pass") c.auth_type = AuthType::SimplePassword;
}

std::optional<Loader::Parsed> Loader::instance(const Setting& s, const GlobalConfig& g) {
    if (!s.isGroup()) {
        error(s, "each entry of 'instances' must be a group: { name = ...; ... }");
        return std::nullopt;
    }
    Parsed p;
    InstanceConfig& c = p.config;
    c.file = file_of(s);
    c.line = line_of(s);
    c.announce = g.announce;

    check_keys(s, Scope::Instance);

    const auto required = [&](const char* key) -> const Setting* {
        const Setting* r = find(s, key);
        if (r == nullptr) error(s, fmt::format("instance is missing required key '{}'", key));
        return r;
    };

    const Setting* name = required("name");
    if (name != nullptr) {
        if (auto v = string_value(*name)) {
            if (valid_name(*v)) {
                c.name = std::move(*v);
                p.name = name;
            } else {
                error(*name, fmt::format("'name' must be 1..{} characters of A-Z a-z 0-9 _ . - "
                                         "(got \"{}\")",
                                         kMaxNameLength, *v));
            }
        }
    }

    bool interface_ok = false;
    if (const Setting* iface = required("interface")) {
        if (auto v = string_value(*iface)) {
            if (valid_interface(*v)) {
                c.interface = std::move(*v);
                interface_ok = true;
                // It may be created later (a VLAN, a bridge brought up after vipd).
                if (interface_exists_ && !interface_exists_(c.interface)) {
                    warning(*iface, fmt::format("interface '{}' does not exist (it may appear "
                                                "later)",
                                                c.interface));
                }
            } else {
                error(*iface, fmt::format("'interface' must be 1..{} characters without '/', ':' "
                                          "or spaces (got \"{}\")",
                                          kMaxInterfaceLength, *v));
            }
        }
    }

    const Setting* vrid = required("vrid");
    bool vrid_ok = false;
    if (vrid != nullptr) {
        if (const auto v = int_value(*vrid, 1, 255)) {
            c.vrid = Vrid{static_cast<std::uint8_t>(*v)};
            vrid_ok = true;
        }
    }

    if (const auto* ps = find(s, "priority")) {
        if (const auto v = int_value(*ps, 1, 255)) {
            c.priority = Priority{static_cast<std::uint8_t>(*v)};
        }
    }

    const Setting* version = find(s, "version");
    bool version_ok = true;
    if (version != nullptr) {
        version_ok = false;
        if (const auto v = integer(*version)) {
            if (*v == 2 || *v == 3) {
                c.version = *v == 2 ? Version::V2 : Version::V3;
                version_ok = true;
            } else {
                error(*version, fmt::format("'version' must be 2 or 3 (got {})", *v));
            }
        }
    }

    if (const auto* a = find(s, "advert_interval")) {
        if (version_ok) {
            if (const auto v = advert_interval(*a, c.version)) c.advert_interval = *v;
        } else {
            (void)number_value(*a);  // the range depends on the version, which is wrong
        }
    }

    if (const auto* b = find(s, "preempt")) {
        if (const auto v = bool_value(*b)) c.preempt = *v;
    }
    if (const auto* d = find(s, "preempt_delay")) {
        constexpr double kMaxPreemptDelay = 3600;
        if (const auto v = seconds_value(*d, 0, kMaxPreemptDelay)) {
            c.preempt_delay = to_duration(*v);
        }
    }
    if (const auto* b = find(s, "accept")) {
        if (const auto v = bool_value(*b)) c.accept = *v;
        // Said at load time rather than discovered in production: dropping traffic to the
        // VIPs needs a packet filter, which vipd does not install yet.
        if (!c.accept) {
            warning(*b,
                    "accept = false is not enforced yet: as master, vipd adds the "
                    "addresses and the kernel accepts traffic to them");
        }
    }

    std::optional<Family> family;
    if (const Setting* a = required("addresses")) {
        addresses(*a, c);
        // The family-dependent checks below need one address to go by; without one they
        // would only repeat the addresses' own errors.
        if (!c.addresses.empty()) family = c.family;
    }
    if (family == Family::IPv6 && version_ok && c.version == Version::V2) {
        error(*version, "VRRPv2 is IPv4 only: use version = 3 for IPv6 addresses");
    }

    if (const auto* u = find(s, "unicast_peers")) peers(*u, family, c);

    if (const auto* src = find(s, "source_address")) {
        if (const auto text = string_value(*src)) {
            const auto a = IpAddress::parse(*text);
            if (!a) {
                error(*src,
                      fmt::format("invalid source address '{}' (expected an IP address)", *text));
            } else if (a->is_unspecified() || is_multicast(*a)) {
                error(*src, fmt::format("source address '{}' is not a unicast address", *text));
            } else if (family && a->family() != *family) {
                error(*src, fmt::format("source address '{}' is {} but the addresses are {}", *text,
                                        family_name(a->family()), family_name(*family)));
            } else if (a->family() == Family::IPv6 && c.unicast_peers.empty() &&
                       !a->is_ipv6_link_local()) {
                // RFC 9568 §5.1.2.1; peers may drop anything else.
                error(*src, fmt::format("source address '{}' must be link-local (fe80::/10): "
                                        "IPv6 multicast adverts come from the link-local address",
                                        *text));
            } else {
                c.source_address = *a;
            }
        }
    }

    if (const auto* auth = find(s, "authentication")) {
        if (version_ok && c.version == Version::V3) {
            error(*auth,
                  "'authentication' is VRRPv2 only (RFC 9568 removed it): set version = 2 "
                  "or remove it");
        } else {
            authentication(*auth, c);
        }
    }

    if (const auto* cs = find(s, "checksum")) {
        if (const auto v = string_value(*cs)) {
            if (const auto m = parse_checksum_mode(*v)) {
                if (version_ok && c.version == Version::V2) {
                    error(*cs,
                          "'checksum' applies to VRRPv3 over IPv4 only (this instance is "
                          "VRRPv2)");
                } else if (family == Family::IPv6) {
                    error(*cs,
                          "'checksum' applies to VRRPv3 over IPv4 only (IPv6 always "
                          "includes the pseudo-header)");
                } else {
                    c.checksum = *m;
                }
            } else {
                error(*cs, fmt::format("'checksum' must be \"auto\", \"rfc9568\" or "
                                       "\"pseudo-header\" (got \"{}\")",
                                       *v));
            }
        }
    }

    announce(s, c.announce);
    trackers(s, c, scripts_);
    c.notify.user = g.script_user;
    if (const auto* n = find(s, "notify")) notify(*n, c.notify, g);

    // Instances with errors still take part in the duplicate checks, so that one run
    // reports everything; the load fails on their errors anyway.
    if (vrid_ok && interface_ok && family) p.vrid = vrid;
    return p;
}

std::optional<std::string> Loader::user_value(const Setting& s) {
    auto v = string_value(s);
    if (!v) return std::nullopt;
    if (v->empty() || v->size() > 32 || !std::all_of(v->begin(), v->end(), [](char ch) {
            return std::isalnum(static_cast<unsigned char>(ch)) != 0 || ch == '_' || ch == '-' ||
                   ch == '.';
        })) {
        error(s, fmt::format("'{}' must be a user name (got \"{}\")", s.getName(), *v));
        return std::nullopt;
    }
    return v;
}

// A command line: split without a shell, the program an absolute path, and (when the
// daemon gave us a checker) an existing user and a path nobody else can write to.
std::optional<std::vector<std::string>> Loader::command(const Setting& s, const std::string& user) {
    const auto text = string_value(s);
    if (!text) return std::nullopt;
    auto argv = split_command(*text);
    if (!argv) {
        error(s, fmt::format("'{}': {}", s.getName(), argv.error()));
        return std::nullopt;
    }
    const auto& program = argv.value().front();
    if (program.empty() || program[0] != '/') {
        error(s, fmt::format("'{}': the program must be an absolute path (got \"{}\"); a shell "
                             "command can be written \"/bin/sh -c '...'\"",
                             s.getName(), program));
        return std::nullopt;
    }
    if (checks_.script) {
        if (const auto why = checks_.script(program, user)) {
            error(s, *why);
            return std::nullopt;
        }
    }
    return std::move(argv.value());
}

std::vector<ScriptConfig> Loader::scripts(const Setting* list, const GlobalConfig& g) {
    std::vector<ScriptConfig> out;
    if (list == nullptr) return out;
    if (list->getType() != Setting::TypeList) {
        error(*list, "'scripts' must be a list of groups: scripts = ( { name = ...; } );");
        return out;
    }
    for (int i = 0; i < list->getLength(); ++i) {
        const Setting& s = (*list)[i];
        if (!s.isGroup()) {
            error(s, "each entry of 'scripts' must be a group: { name = ...; command = ...; }");
            continue;
        }
        check_keys(s, Scope::Script);
        ScriptConfig c;
        c.file = file_of(s);
        c.line = line_of(s);
        c.user = g.script_user;
        bool ok = true;
        if (const auto* n = find(s, "name")) {
            if (auto v = string_value(*n); v && valid_name(*v)) {
                for (const auto& other : out) {
                    if (other.name == *v) {
                        error(*n, fmt::format("duplicate script name '{}' (first defined at "
                                              "{}:{})",
                                              *v, other.file, other.line));
                    }
                }
                c.name = std::move(*v);
            } else {
                if (v)
                    error(*n, fmt::format("'name' must be 1..{} characters of A-Z a-z 0-9 _ . -",
                                          kMaxNameLength));
                ok = false;
            }
        } else {
            error(s, "script is missing required key 'name'");
            ok = false;
        }
        if (const auto* u = find(s, "user")) {
            if (auto v = user_value(*u)) c.user = std::move(*v);
        }
        if (const auto* v = find(s, "interval")) {
            if (const auto x = seconds_value(*v, 0.01, 86400)) c.interval = to_duration(*x);
        }
        c.timeout = c.interval;
        if (const auto* v = find(s, "timeout")) {
            if (const auto x = seconds_value(*v, 0.01, 86400)) c.timeout = to_duration(*x);
        }
        if (const auto* v = find(s, "rise")) {
            if (const auto x = int_value(*v, 1, 100)) c.rise = static_cast<int>(*x);
        }
        if (const auto* v = find(s, "fall")) {
            if (const auto x = int_value(*v, 1, 100)) c.fall = static_cast<int>(*x);
        }
        if (const auto* v = find(s, "weight")) {
            if (const auto x = int_value(*v, -kMaxWeight, kMaxWeight))
                c.weight = static_cast<int>(*x);
        }
        if (const auto* cmd = find(s, "command")) {
            if (auto argv = command(*cmd, c.user)) {
                c.argv = std::move(*argv);
                c.command = cmd->c_str();
            }
        } else {
            error(s, "script is missing required key 'command'");
        }
        if (ok) out.push_back(std::move(c));
    }
    return out;
}

void Loader::trackers(const Setting& s, InstanceConfig& c, const std::vector<ScriptConfig>& known) {
    // Each entry: "name" (the script's own weight), or { name; weight; reverse; }.
    const auto entries = [&](const char* key, Scope scope, auto&& each) {
        const Setting* list = find(s, key);
        if (list == nullptr) return;
        if (!list->isList() && !list->isArray()) {
            error(*list, fmt::format("'{}' must be a list: {} = ( ... );", key, key));
            return;
        }
        for (int i = 0; i < list->getLength(); ++i) {
            const Setting& e = (*list)[i];
            if (e.isGroup()) check_keys(e, scope);
            each(e);
        }
    };
    const auto weight_of = [&](const Setting& e, int fallback) {
        if (!e.isGroup()) return fallback;
        if (const auto* w = find(e, "weight")) {
            if (const auto x = int_value(*w, -kMaxWeight, kMaxWeight)) return static_cast<int>(*x);
        }
        return fallback;
    };
    const auto reverse_of = [&](const Setting& e) {
        if (!e.isGroup()) return false;
        if (const auto* r = find(e, "reverse")) return bool_value(*r).value_or(false);
        return false;
    };
    const auto name_of = [&](const Setting& e, const char* key) -> std::optional<std::string> {
        if (e.getType() == Setting::TypeString) return std::string(e.c_str());
        if (e.isGroup()) {
            if (const auto* n = find(e, key)) return string_value(*n);
            error(e, fmt::format("tracker is missing required key '{}'", key));
            return std::nullopt;
        }
        error(e, "a tracker is a string or a group { ... }");
        return std::nullopt;
    };
    entries("track_scripts", Scope::TrackScript, [&](const Setting& e) {
        const auto name = name_of(e, "name");
        if (!name) return;
        const auto it = std::find_if(known.begin(), known.end(),
                                     [&](const ScriptConfig& sc) { return sc.name == *name; });
        if (it == known.end()) {
            error(e, fmt::format("no script named '{}' in 'scripts'", *name));
            return;
        }
        c.track_scripts.push_back({*name, weight_of(e, it->weight), reverse_of(e)});
    });
    entries("track_interfaces", Scope::TrackInterface, [&](const Setting& e) {
        const auto name = name_of(e, "name");
        if (!name) return;
        if (!valid_interface(*name)) {
            error(e, fmt::format("'{}' is not a valid interface name", *name));
            return;
        }
        if (interface_exists_ && !interface_exists_(*name)) {
            warning(
                e, fmt::format("tracked interface '{}' does not exist (it counts as down)", *name));
        }
        c.track_interfaces.push_back({*name, weight_of(e, 0), reverse_of(e)});
    });
    entries("track_files", Scope::TrackFile, [&](const Setting& e) {
        const auto path = name_of(e, "path");
        if (!path) return;
        if (path->empty() || (*path)[0] != '/') {
            error(e, fmt::format("tracked file must be an absolute path (got \"{}\")", *path));
            return;
        }
        c.track_files.push_back({*path, weight_of(e, 1), reverse_of(e)});
    });
}

void Loader::notify(const Setting& s, NotifyConfig& out, const GlobalConfig& g) {
    if (!s.isGroup()) {
        error(s, "'notify' must be a group: notify = { master = \"/path\"; ... };");
        return;
    }
    check_keys(s, Scope::Notify);
    out.user = g.script_user;
    if (const auto* u = find(s, "user")) {
        if (auto v = user_value(*u)) out.user = std::move(*v);
    }
    if (const auto* t = find(s, "timeout")) {
        if (const auto x = seconds_value(*t, 0.1, 3600)) out.timeout = to_duration(*x);
    }
    const std::pair<const char*, std::vector<std::string>*> kinds[] = {{"master", &out.master},
                                                                       {"backup", &out.backup},
                                                                       {"fault", &out.fault},
                                                                       {"stop", &out.stop},
                                                                       {"any", &out.any}};
    for (const auto& [key, argv_out] : kinds) {
        if (const auto* cmd = find(s, key)) {
            if (auto argv = command(*cmd, out.user)) *argv_out = std::move(*argv);
        }
    }
}

std::vector<SyncGroupConfig> Loader::sync_groups(const Setting* list,
                                                 const std::vector<Parsed>& instances) {
    std::vector<SyncGroupConfig> out;
    if (list == nullptr) return out;
    if (list->getType() != Setting::TypeList) {
        error(*list, "'sync_groups' must be a list of groups: sync_groups = ( { ... } );");
        return out;
    }
    std::map<std::string, std::string> member_of;  // instance -> group
    for (int i = 0; i < list->getLength(); ++i) {
        const Setting& s = (*list)[i];
        if (!s.isGroup()) {
            error(s,
                  "each entry of 'sync_groups' must be a group: { name = ...; instances = "
                  "( ... ); }");
            continue;
        }
        check_keys(s, Scope::SyncGroup);
        SyncGroupConfig g;
        g.file = file_of(s);
        g.line = line_of(s);
        g.notify.user = global_.script_user;
        if (const auto* n = find(s, "notify")) notify(*n, g.notify, global_);
        if (const auto* n = find(s, "name")) {
            if (auto v = string_value(*n)) {
                if (!valid_name(*v)) {
                    error(*n, fmt::format("'name' must be 1..{} characters of A-Z a-z 0-9 _ . -",
                                          kMaxNameLength));
                } else if (std::any_of(out.begin(), out.end(),
                                       [&](const auto& other) { return other.name == *v; })) {
                    error(*n, fmt::format("duplicate sync group name '{}'", *v));
                } else {
                    g.name = std::move(*v);
                }
            }
        } else {
            error(s, "sync group is missing required key 'name'");
        }
        const Setting* members = find(s, "instances");
        if (members == nullptr) {
            error(s, "sync group is missing required key 'instances'");
            continue;
        }
        if (auto names = string_list(*members)) {
            for (const Setting* m : *names) {
                const std::string name = m->c_str();
                const bool known =
                    std::any_of(instances.begin(), instances.end(),
                                [&](const auto& p) { return p.config.name == name; });
                if (!known) {
                    error(*m, fmt::format("no instance named '{}'", name));
                } else if (const auto it = member_of.find(name); it != member_of.end()) {
                    error(*m, fmt::format("instance '{}' is already in sync group '{}'", name,
                                          it->second));
                } else {
                    member_of[name] = g.name;
                    g.instances.push_back(name);
                }
            }
            if (names->size() < 2) {
                error(*members, "a sync group needs at least two instances");
            }
        }
        out.push_back(std::move(g));
    }
    return out;
}

void Loader::cross_check(const std::vector<Parsed>& instances) {
    // The first instance with each name and with each (interface, family, VRID): a later
    // one is the duplicate. (Hashed: pairwise comparison of a thousand instances was most
    // of a reload's time.)
    std::unordered_map<std::string_view, const Parsed*> by_name;
    std::map<std::tuple<std::string_view, Family, std::uint8_t>, const Parsed*> by_vrid;
    for (const Parsed& b : instances) {
        if (b.name != nullptr) {
            const auto [it, first] = by_name.emplace(b.config.name, &b);
            if (!first) {
                const Parsed& a = *it->second;
                error(*b.name, fmt::format("duplicate instance name '{}' (first defined at {}:{})",
                                           b.config.name, a.config.file, a.config.line));
            }
        }
        if (b.vrid != nullptr) {
            const auto [it, first] =
                by_vrid.emplace(std::tuple{std::string_view(b.config.interface), b.config.family,
                                           b.config.vrid.value()},
                                &b);
            if (!first) {
                const Parsed& a = *it->second;
                const std::string by =
                    a.config.name.empty() ? "" : fmt::format(" by instance '{}'", a.config.name);
                error(*b.vrid,
                      fmt::format("duplicate VRID {} for {} on '{}' (first used{} at {}:{})",
                                  b.config.vrid.value(), family_name(b.config.family),
                                  b.config.interface, by, a.config.file, a.config.line));
            }
        }
    }
}

LoadResult Loader::run(const Setting& root) {
    root_ = &root;
    check_keys(root, Scope::TopLevel);

    Config config;
    config.file = main_file_;
    config.global = global(find(root, "global"));
    global_ = config.global;
    scripts_ = scripts(find(root, "scripts"), config.global);
    config.scripts = scripts_;

    std::vector<Parsed> parsed;
    const Setting* list = find(root, "instances");
    if (list == nullptr) {
        error(root, "missing required list 'instances' (instances = ( { ... }, ... );)");
    } else if (list->getType() == Setting::TypeList ||
               (list->getType() == Setting::TypeArray && list->getLength() == 0)) {
        if (list->getLength() == 0) warning(*list, "no instances: vipd will not do anything");
        parsed.reserve(static_cast<std::size_t>(list->getLength()));
        for (int i = 0; i < list->getLength(); ++i) {
            if (auto p = instance((*list)[i], config.global)) parsed.push_back(std::move(*p));
        }
    } else {
        error(*list, "'instances' must be a list of groups: instances = ( { ... }, { ... } );");
    }
    cross_check(parsed);
    config.sync_groups = sync_groups(find(root, "sync_groups"), parsed);

    std::stable_sort(entries_.begin(), entries_.end(),
                     [](const Entry& a, const Entry& b) { return a.order < b.order; });
    LoadResult result;
    bool failed = false;
    for (auto& e : entries_) {
        failed = failed || e.diagnostic.severity == Diagnostic::Severity::Error;
        result.diagnostics.push_back(std::move(e.diagnostic));
    }
    if (failed) return result;
    config.instances.reserve(parsed.size());
    for (auto& p : parsed) {
        config.instances.push_back(std::move(p.config));
    }
    result.config = std::move(config);
    return result;
}

Diagnostic file_error(const std::string& file, std::string message) {
    return Diagnostic{Diagnostic::Severity::Error, file, 0, std::move(message)};
}

LoadResult unreadable(const std::string& file, int err) {
    return LoadResult{std::nullopt,
                      {file_error(file, "cannot read configuration file: " +
                                            std::generic_category().message(err))}};
}

// Runs `read` on a fresh libconfig::Config and validates what it read. Every libconfig
// exception ends here.
template <typename Read>
LoadResult load(const std::string& file, const std::string& include_dir, const Checks& checks,
                Read read) {
    LoadResult result;
    try {
        libconfig::Config cfg;
        // Strict types: "vrid = 1.0" and "preempt = 1" are mistakes, not conversions.
        cfg.setAutoConvert(false);
        if (!include_dir.empty()) cfg.setIncludeDir(include_dir.c_str());
        Loader loader(file, include_dir, checks);
        try {
            read(cfg);
        } catch (const libconfig::ParseException& e) {
            std::string message = e.getError() != nullptr ? e.getError() : "syntax error";
            if (message == "cannot open include file" && !include_dir.empty()) {
                message += fmt::format(" (paths are relative to '{}')", include_dir);
            }
            result.diagnostics.push_back(Diagnostic{Diagnostic::Severity::Error,
                                                    loader.resolve_file(e.getFile()),
                                                    std::max(1, e.getLine()), std::move(message)});
            return result;
        }
        return loader.run(cfg.getRoot());
    } catch (const libconfig::FileIOException&) {
        result.diagnostics.push_back(file_error(file, "cannot read configuration file"));
    } catch (const libconfig::SettingException& e) {
        result.diagnostics.push_back(file_error(
            file, fmt::format("internal error at setting '{}': {}", e.getPath(), e.what())));
    } catch (const std::exception& e) {
        result.diagnostics.push_back(file_error(file, fmt::format("internal error: {}", e.what())));
    }
    result.config.reset();
    return result;
}

}  // namespace

LoadResult load_file(const std::string& path, const Checks& checks) {
    // libconfig reports only "FileIOException"; find out why first, for the message.
    // (fopen() accepts a directory; libconfig would then fail without saying why.)
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return unreadable(path, errno);
    if (S_ISDIR(st.st_mode)) return unreadable(path, EISDIR);
    std::FILE* f = std::fopen(path.c_str(), "r");
    if (f == nullptr) return unreadable(path, errno);
    std::fclose(f);
    // @include is relative to the file's own directory, not to vipd's working directory.
    const auto slash = path.rfind('/');
    std::string include_dir;
    if (slash != std::string::npos) include_dir = slash == 0 ? "/" : path.substr(0, slash);
    return load(path, include_dir, checks,
                [&](libconfig::Config& cfg) { cfg.readFile(path.c_str()); });
}

LoadResult load_string(const std::string& text, const std::string& name, const Checks& checks) {
    return load(name, {}, checks, [&](libconfig::Config& cfg) { cfg.readString(text); });
}

LoadResult load_file(const std::string& path, const InterfaceExists& interface_exists) {
    return load_file(path, Checks{interface_exists, {}});
}

LoadResult load_string(const std::string& text, const std::string& name,
                       const InterfaceExists& interface_exists) {
    return load_string(text, name, Checks{interface_exists, {}});
}

}  // namespace vipd::config
