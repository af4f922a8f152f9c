// sendmsg() with the source address and the interface chosen per packet (IP_PKTINFO /
// IPV6_PKTINFO). VRRP needs it because the pseudo-header checksum and the tie-break depend
// on the source, and binding a raw socket to an address would filter what it receives.
#pragma once

#include <cstdint>
#include <span>
#include <system_error>

#include "vipd/core/ip_address.hpp"

namespace vipd::os {

// Sends `data` to `dst` out of `ifindex` from `src` (an unspecified `src` lets the kernel
// choose). IPv6 link-local and multicast destinations are scoped to `ifindex`.
std::error_code send_from(int fd, std::span<const std::uint8_t> data, const IpAddress& src,
                          const IpAddress& dst, int ifindex);

}  // namespace vipd::os
