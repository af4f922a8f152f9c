// The Internet checksum (RFC 1071) over a VRRP message, with or without the IPv4/IPv6
// pseudo-header. Bytes only: no sockets, no allocation.
#pragma once

#include <cstdint>
#include <span>

#include "vipd/core/ip_address.hpp"

namespace vipd::proto {

// Which bytes the checksum covers.
enum class ChecksumVariant : std::uint8_t {
    MessageOnly,   // the VRRP message alone: v2 (RFC 3768 §5.3.8) and v3 IPv4 (RFC 9568 §5.2.8)
    PseudoHeader,  // message plus pseudo-header: v3 IPv6 always; v3 IPv4 as keepalived/FRR do
};

// One's-complement 16-bit sum folded, not yet complemented; for chaining.
[[nodiscard]] std::uint32_t ones_complement_add(std::uint32_t sum,
                                                std::span<const std::uint8_t> bytes);

// The checksum field value for `message` (whose checksum field must be zero or will be
// treated as data; callers zero it). src/dst are used only for PseudoHeader.
[[nodiscard]] std::uint16_t vrrp_checksum(std::span<const std::uint8_t> message,
                                          ChecksumVariant variant, const IpAddress& src,
                                          const IpAddress& dst);

// True when `message` (checksum field included, as received) sums to 0xffff.
[[nodiscard]] bool vrrp_checksum_valid(std::span<const std::uint8_t> message,
                                       ChecksumVariant variant, const IpAddress& src,
                                       const IpAddress& dst);

}  // namespace vipd::proto
