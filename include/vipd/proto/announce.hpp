// Frames that tell the segment where a virtual address now lives: a gratuitous ARP request
// (RFC 9568 §6.4.1 (5), RFC 5227 §3) for IPv4 and an unsolicited Neighbor Advertisement
// with the Override flag (RFC 4861 §7.2.6) for IPv6. Bytes only.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "vipd/core/expected.hpp"
#include "vipd/core/ip_address.hpp"

namespace vipd::proto {

using MacAddress = std::array<std::uint8_t, 6>;

// A whole Ethernet frame, padded to the 60-byte minimum.
inline constexpr std::size_t kGarpFrameSize = 60;
// The ICMPv6 message (the kernel adds the IPv6 header and the checksum).
inline constexpr std::size_t kUnsolicitedNaSize = 32;

// Gratuitous ARP request: sender and target protocol address are the VIP, sender hardware
// address is `mac`, sent to the broadcast address.
[[nodiscard]] std::array<std::uint8_t, kGarpFrameSize> build_gratuitous_arp(const MacAddress& mac,
                                                                            const IpAddress& vip);

// Unsolicited NA for `target`: Solicited clear, Override set, Router as given, with the
// target link-layer address option carrying `mac`. Checksum left zero for the kernel.
[[nodiscard]] std::array<std::uint8_t, kUnsolicitedNaSize> build_unsolicited_na(
    const MacAddress& mac, const IpAddress& target, bool router);

}  // namespace vipd::proto
