// Names of the configuration's enumerations, as vipd.conf(5) writes them.
#include "vipd/config/model.hpp"

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

}  // namespace vipd::config
