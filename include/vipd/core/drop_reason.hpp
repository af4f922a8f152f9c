// Why a received advertisement was dropped: one reason per receive rule, each with its own
// counter (as CARP keeps a counter per drop reason). The codec reports the packet-level
// ones, the receive policy, auth_hmac (daemon/advert_auth) and the state machine the ones
// that need an instance.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace vipd {

enum class DropReason : std::uint8_t {
    // --- the packet itself (proto::decode) ---
    TooShort,               // fewer bytes than the 8-byte fixed header
    UnknownVersion,         // version field neither 2 nor 3 (RFC 9568 §7.1)
    VersionFamilyMismatch,  // VRRPv2 over IPv6 (v2 is IPv4 only, RFC 3768 §1)
    BadType,                // type field is not 1 = ADVERTISEMENT (§5.2.2)
    NoAddresses,            // count is 0; the minimum is 1 (§5.2.5)
    Truncated,              // shorter than the fixed fields + addresses (+ v2 auth data) (§7.1)
    TrailingBytes,          // longer than the address count accounts for
    BadChecksum,            // neither accepted checksum variant matches (§7.1, §5.2.8)
    IntervalZero,           // Max Adver Int / Adver Int of 0 (§5.2.7)
    BadTtl,                 // IPv4 TTL or IPv6 Hop Limit not 255 (§7.1)
    // --- policy: need the receiving instance's configuration or state ---
    UnknownVrid,       // no instance for this VRID on the interface/family (§7.1)
    VersionMismatch,   // packet version differs from the instance's (§7.1)
    AuthTypeMismatch,  // v2 auth type differs from the configured one (RFC 3768 §7.1)
    AuthFailure,       // v2 simple password differs (RFC 2338 §5.3.6.1)
    NotAPeer,          // unicast instance: source is not a configured peer
    LocalIsOwner,      // local router owns the addresses (priority 255) (§7.1)
    IntervalMismatch,  // v2 Adver Int differs from the configured one (RFC 3768 §7.1)
    AddressMismatch,   // v2 address list differs and the sender is not the owner
    // --- auth_hmac (draft-cassen-vrrp-auth-hmac-00) ---
    HmacMissing,     // enforce mode: the advert carries no trailer
    HmacMalformed,   // the trailer's type is not HMAC-SHA256/128, or its reserved bytes not 0
    HmacUnknownKey,  // the trailer names a key id that is not configured
    HmacBadTag,      // the tag is not the one the key gives
    HmacStale,       // anti_replay time: the trailer's time is outside the window
    HmacReplay,      // its sequence does not come after the last one from that sender
};
inline constexpr std::size_t kDropReasonCount = 24;
inline constexpr DropReason kFirstPolicyDrop = DropReason::UnknownVrid;

// The counter's name: "bad_ttl", "not_a_peer", ...
[[nodiscard]] std::string_view to_string(DropReason r);

// One counter per reason.
using DropCounts = std::array<std::uint64_t, kDropReasonCount>;

}  // namespace vipd
