// RFC 9568 §7.1 and RFC 3768 §7.1, the instance's part, rule by rule and in the RFCs' order.
#include "vipd/core/receive_policy.hpp"

#include <algorithm>

namespace vipd {

ReceiveVerdict check_received(const HeardAdvert& advert, const ReceivePolicy& policy) {
    const auto drop = [](DropReason r) { return ReceiveVerdict{r}; };
    // §7.1: MUST verify the version (a v3 instance does not listen to v2, and vice versa).
    if (advert.version != policy.version) return drop(DropReason::VersionMismatch);
    // Unicast: only the configured peers speak for this virtual router.
    if (!policy.unicast_peers.empty() &&
        std::find(policy.unicast_peers.begin(), policy.unicast_peers.end(), advert.src) ==
            policy.unicast_peers.end()) {
        return drop(DropReason::NotAPeer);
    }
    if (policy.version == Version::V2) {
        // RFC 3768 §7.1: MUST verify that the Auth Type matches the configured method.
        if (advert.auth_type != policy.auth_type) return drop(DropReason::AuthTypeMismatch);
        // RFC 2338 §5.3.6.1: the receiver compares the 8 octets to its configured password.
        if (policy.auth_type == AuthType::SimplePassword && advert.auth_data != policy.auth_data) {
            return drop(DropReason::AuthFailure);
        }
    }
    // §7.1: MUST verify that the local router is not the address owner.
    if (policy.owner) return drop(DropReason::LocalIsOwner);
    // RFC 3768 §7.1: a v2 Adver Interval different from ours MUST be discarded. (VRRPv3
    // learns the master's interval instead, §6.4.2 (26).)
    if (policy.version == Version::V2 && advert.max_adver_int != policy.advert_interval) {
        return drop(DropReason::IntervalMismatch);
    }
    // §7.1 MAY-check of the address list: log it. RFC 3768 §7.1 also drops it, unless the
    // sender is the owner.
    if (!advert.addresses_match) {
        if (policy.version == Version::V2 && !is_owner(advert.priority)) {
            return drop(DropReason::AddressMismatch);
        }
        return ReceiveVerdict{std::nullopt, true};
    }
    return {};
}

}  // namespace vipd
