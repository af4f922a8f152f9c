// An IPv4 or IPv6 address as raw network-order bytes. Ordering is the unsigned comparison
// of those bytes, which is what RFC 9568 §6.4.3 uses to break priority ties.
#pragma once

#include <fmt/format.h>

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "vipd/core/types.hpp"

namespace vipd {

class IpAddress {
public:
    static constexpr std::size_t kV4Size = 4;
    static constexpr std::size_t kV6Size = 16;

    // The unspecified IPv4 address 0.0.0.0.
    constexpr IpAddress() = default;

    // Parses dotted-quad IPv4 or RFC 4291 text IPv6; nullopt for anything else.
    [[nodiscard]] static std::optional<IpAddress> parse(std::string_view text);
    // Builds from network-order bytes: 4 of them for IPv4, 16 for IPv6.
    [[nodiscard]] static IpAddress v4(std::span<const std::uint8_t, kV4Size> bytes);
    [[nodiscard]] static IpAddress v6(std::span<const std::uint8_t, kV6Size> bytes);

    [[nodiscard]] constexpr Family family() const { return family_; }
    [[nodiscard]] constexpr std::size_t size() const {
        return family_ == Family::IPv4 ? kV4Size : kV6Size;
    }
    // The address's bytes in network order (4 or 16 of them).
    [[nodiscard]] std::span<const std::uint8_t> bytes() const { return {bytes_.data(), size()}; }

    [[nodiscard]] bool is_unspecified() const;
    [[nodiscard]] bool is_multicast() const;  // 224.0.0.0/4, ff00::/8
    [[nodiscard]] bool is_loopback() const;   // 127.0.0.0/8, ::1
    [[nodiscard]] bool is_ipv6_link_local() const;
    // The longest prefix of this family: 32 or 128.
    [[nodiscard]] constexpr unsigned max_prefix_length() const {
        return family_ == Family::IPv4 ? 32U : 128U;
    }
    [[nodiscard]] std::string to_string() const;

    // IPv4 sorts before IPv6; within a family, unsigned network-order comparison.
    friend constexpr std::strong_ordering operator<=>(const IpAddress& a, const IpAddress& b) {
        if (a.family_ != b.family_) return a.family_ <=> b.family_;
        return a.bytes_ <=> b.bytes_;
    }
    friend constexpr bool operator==(const IpAddress& a, const IpAddress& b) = default;

private:
    Family family_{Family::IPv4};
    std::array<std::uint8_t, kV6Size> bytes_{};  // IPv4 uses the first four
};

// "IP" or "IP/PREFIX" as written: the prefix length is not range-checked here (callers say
// which range), but it must be one to three digits. nullopt for anything else.
struct AddressAndPrefix {
    IpAddress address;
    std::optional<unsigned> prefix_length;
};
[[nodiscard]] std::optional<AddressAndPrefix> parse_address_and_prefix(std::string_view text);

}  // namespace vipd

// fmt prints an address as to_string() does ("{}", also inside fmt::join).
template <>
struct fmt::formatter<vipd::IpAddress> : fmt::formatter<std::string_view> {
    auto format(const vipd::IpAddress& a, format_context& ctx) const {
        return fmt::formatter<std::string_view>::format(a.to_string(), ctx);
    }
};
