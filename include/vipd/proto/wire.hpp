// Where VRRP lives on the wire: the IP protocol number, the multicast groups, the TTL /
// Hop Limit every advert carries, and where the VRID sits in a message. Constants only:
// the sockets (os/) and the codec (proto/) both take them from here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "vipd/core/ip_address.hpp"
#include "vipd/core/types.hpp"

namespace vipd::proto {

inline constexpr std::uint8_t kIpProtoVrrp = 112;  // RFC 9568 §5.1.1.4, §5.1.2.3
// RFC 9568 §5.1.1.2 / §5.1.2.2: the VRRP multicast groups (also VRRPv2's, RFC 3768 §5.2.2).
inline const IpAddress kVrrpGroupV4 = *IpAddress::parse("224.0.0.18");
inline const IpAddress kVrrpGroupV6 = *IpAddress::parse("ff02::12");
// RFC 9568 §5.1.1.3 / §5.1.2.3: sent with TTL / Hop Limit 255; §7.1: anything else is
// dropped (a packet that crossed a router is not from this link).
inline constexpr std::uint8_t kTtl = 255;

[[nodiscard]] inline const IpAddress& vrrp_group(Family f) {
    return f == Family::IPv4 ? kVrrpGroupV4 : kVrrpGroupV6;
}

// Byte 1 of every VRRP message, v2 and v3 (RFC 9568 §5.1, RFC 3768 §5.1).
inline constexpr std::size_t kVridOffset = 1;
// The VRID of a message, read before decoding it (to find the instance it is for), or
// nullopt when the message is too short to have one.
[[nodiscard]] inline std::optional<Vrid> peek_vrid(std::span<const std::uint8_t> message) {
    if (message.size() <= kVridOffset) return std::nullopt;
    return Vrid{message[kVridOffset]};
}

}  // namespace vipd::proto
