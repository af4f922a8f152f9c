// Strong types for VRRP protocol quantities, so a priority can't be passed where a VRID
// goes, and the time vocabulary the pure core uses (it never reads a clock itself).
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <compare>
#include <cstdint>
#include <string_view>

namespace vipd {

template <typename Tag, typename Rep>
class Strong {
public:
    using rep = Rep;
    constexpr Strong() = default;
    constexpr explicit Strong(Rep value) : value_(value) {}
    [[nodiscard]] constexpr Rep value() const { return value_; }
    // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads defaulted <=>
    constexpr auto operator<=>(const Strong&) const = default;

private:
    Rep value_{};
};

struct VridTag {};
struct PriorityTag {};

// Virtual Router Identifier, 1..255 (RFC 9568 §5.2.3).
using Vrid = Strong<VridTag, std::uint8_t>;
// 0 = stop advertising (§5.2.4), 1..254 = backup candidates, 255 = address owner.
using Priority = Strong<PriorityTag, std::uint8_t>;

inline constexpr Priority kPriorityStop{0};
inline constexpr Priority kPriorityOwner{255};
// The address owner (RFC 9568 §1.6: the VIPs are its own addresses) has priority 255, and
// only it. The one place that says so.
[[nodiscard]] constexpr bool is_owner(Priority p) {
    return p == kPriorityOwner;
}

// Advertisement intervals travel in centiseconds (v3: 12 bits, 1..4095; v2: whole seconds).
using Centiseconds = std::chrono::duration<std::int32_t, std::centi>;
inline constexpr Centiseconds kMaxAdverIntV3{4095};

// The core's clock vocabulary. Callers pass `now`; tests pass a fake one.
using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Duration = std::chrono::nanoseconds;
// Whole milliseconds, truncated: what logs and status show of a duration.
[[nodiscard]] constexpr std::int64_t whole_ms(Duration d) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

enum class Version : std::uint8_t { V2 = 2, V3 = 3 };
enum class Family : std::uint8_t { IPv4, IPv6 };

// VRRPv2 authentication (RFC 3768 §5.3.6 / RFC 2338 §5.3.6).
enum class AuthType : std::uint8_t { None = 0, SimplePassword = 1, IpAh = 2 };
inline constexpr std::size_t kAuthDataSize = 8;  // v2 trailer (RFC 3768 §5.3.10)
// The 8 octets of v2 authentication data; a password shorter than 8 is zero-padded.
using AuthData = std::array<std::uint8_t, kAuthDataSize>;
[[nodiscard]] constexpr AuthData make_auth_data(std::string_view password) {
    AuthData data{};
    const auto n = std::min(password.size(), data.size());
    for (std::size_t i = 0; i < n; ++i)
        data[i] = static_cast<std::uint8_t>(password[i]);
    return data;
}

[[nodiscard]] constexpr std::string_view to_string(Family f) {
    switch (f) {
        case Family::IPv4:
            return "v4";
        case Family::IPv6:
            return "v6";
    }
    return "?";
}

}  // namespace vipd
