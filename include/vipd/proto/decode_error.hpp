// Why an advertisement was dropped. Every value has its own drop counter (as CARP keeps a
// counter per drop reason). No dependencies, so the core can name the reasons it discards.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace vipd::proto {

// Every reason an advertisement is dropped. Each value has its own drop counter; the values
// before kFirstPolicyError are packet-level (decode()), the rest need the receiving
// instance's configuration (check_policy() and the dispatcher).
enum class DecodeError : std::uint8_t {
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
    // --- policy: need the instance's configuration ---
    UnknownVrid,       // no instance for this VRID on the interface/family (§7.1)
    VersionMismatch,   // packet version differs from the instance's (§7.1)
    AuthTypeMismatch,  // v2 auth type differs from the configured one (RFC 3768 §7.1)
    AuthFailure,       // v2 simple password differs (RFC 2338 §5.3.6.1)
    NotAPeer,          // unicast instance: source is not a configured peer
    LocalIsOwner,      // local router owns the addresses (priority 255) (§7.1)
    IntervalMismatch,  // v2 Adver Int differs from the configured one (RFC 3768 §7.1)
    AddressMismatch,   // v2 address list differs and the sender is not the owner
};
inline constexpr std::size_t kDecodeErrorCount = 18;
inline constexpr DecodeError kFirstPolicyError = DecodeError::UnknownVrid;

[[nodiscard]] std::string_view to_string(DecodeError e);

}  // namespace vipd::proto
