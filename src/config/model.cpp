// Names of the configuration's enumerations, as vipd.conf(5) writes them.
#include "vipd/config/model.hpp"

#include <syslog.h>

#include <cstring>

namespace vipd::config {

void SecretBytes::wipe() {
    if (!bytes_.empty()) ::explicit_bzero(bytes_.data(), bytes_.size());
    bytes_.clear();
}

SecretBytes& SecretBytes::operator=(const SecretBytes& o) {
    if (this != &o) {
        wipe();
        bytes_ = o.bytes_;
    }
    return *this;
}

SecretBytes& SecretBytes::operator=(SecretBytes&& o) noexcept {
    if (this != &o) {
        wipe();
        bytes_ = std::move(o.bytes_);
    }
    return *this;
}

SecretBytes::~SecretBytes() {
    wipe();
}

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

std::string_view to_string(DebugCategory c) {
    switch (c) {
        case DebugCategory::Packets:
            return "packets";
        case DebugCategory::Timers:
            return "timers";
        case DebugCategory::Netlink:
            return "netlink";
        case DebugCategory::Scripts:
            return "scripts";
        case DebugCategory::Control:
            return "control";
    }
    return "?";
}

std::optional<DebugCategory> parse_debug_category(std::string_view s) {
    for (const auto c : kDebugCategories) {
        if (s == to_string(c)) return c;
    }
    return std::nullopt;
}

std::string debug_set_text(DebugSet s) {
    if (s == 0) return "none";
    if (s == kAllDebug) return "all";
    std::string out;
    for (const auto c : kDebugCategories) {
        if ((s & bit(c)) == 0) continue;
        if (!out.empty()) out += ',';
        out += to_string(c);
    }
    return out;
}

std::optional<int> parse_log_facility(std::string_view s) {
    if (s == "daemon") return LOG_DAEMON;
    static constexpr std::array<int, 8> kLocal = {LOG_LOCAL0, LOG_LOCAL1, LOG_LOCAL2, LOG_LOCAL3,
                                                  LOG_LOCAL4, LOG_LOCAL5, LOG_LOCAL6, LOG_LOCAL7};
    if (s.size() == 6 && s.starts_with("local") && s[5] >= '0' && s[5] <= '7')
        return kLocal[static_cast<std::size_t>(s[5] - '0')];
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

}  // namespace vipd::config
