// The receive rules of RFC 9568 §7.1 and RFC 3768 §7.1 that need the receiving instance
// (the packet-level ones are the codec's): one function, a drop reason per rule. An advert
// that passes drives the state machine; one that does not is counted and goes no further.
#pragma once

#include <optional>
#include <span>

#include "vipd/core/drop_reason.hpp"
#include "vipd/core/ip_address.hpp"
#include "vipd/core/types.hpp"

namespace vipd {

// What a decoded advert says, as far as the rules care.
struct HeardAdvert {
    IpAddress src;
    Version version = Version::V3;
    Priority priority{};
    Centiseconds max_adver_int{};
    AuthType auth_type = AuthType::None;  // v2
    AuthData auth_data{};                 // v2
    bool addresses_match = true;          // the same set of addresses as ours (order aside)
};

// What the instance expects.
struct ReceivePolicy {
    Version version = Version::V3;
    AuthType auth_type = AuthType::None;       // v2
    AuthData auth_data{};                      // v2, compared with SimplePassword
    std::span<const IpAddress> unicast_peers;  // empty: multicast, any source
    Centiseconds advert_interval{100};         // v2 requires the same
    bool owner = false;                        // this router owns the addresses (priority 255)
};

struct ReceiveVerdict {
    std::optional<DropReason> drop;  // none: accept
    // Accepted, but the address list differs from ours: the MAY-check of RFC 9568 §7.1,
    // worth a log line (a misconfiguration), not a drop.
    bool address_mismatch = false;
};

[[nodiscard]] ReceiveVerdict check_received(const HeardAdvert& advert, const ReceivePolicy& policy);

}  // namespace vipd
