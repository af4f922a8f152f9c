// VRRP advertisement codec: VRRPv3 (RFC 9568) for IPv4 and IPv6, VRRPv2 (RFC 3768) for
// IPv4 with RFC 2338 simple-password authentication. Bytes in, values out, and back.
// Decoding never allocates and never reads outside the span it is given.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "vipd/core/drop_reason.hpp"
#include "vipd/core/expected.hpp"
#include "vipd/core/ip_address.hpp"
#include "vipd/core/types.hpp"
#include "vipd/proto/checksum.hpp"

namespace vipd::proto {

inline constexpr std::uint8_t kTypeAdvertisement = 1;  // RFC 9568 §5.2.2
inline constexpr std::size_t kHeaderSize = 8;          // fixed fields before the addresses
inline constexpr std::size_t kMaxAddresses = 255;      // 8-bit count field
// Largest possible message: v3 IPv6 with 255 addresses.
inline constexpr std::size_t kMaxMessageSize = kHeaderSize + kMaxAddresses * IpAddress::kV6Size;

// What the socket layer learned about a received packet (ancillary data and headers).
struct RxMeta {
    IpAddress src;
    IpAddress dst;
    std::uint8_t ttl = 0;  // IPv4 TTL or IPv6 Hop Limit
    std::uint32_t ifindex = 0;
};

// How a v3 IPv4 receiver treats the two checksum variants.
enum class ChecksumPolicy : std::uint8_t {
    AcceptBoth,           // tolerant receive (default): either variant is accepted
    RequireMessageOnly,   // strict RFC 9568 §5.2.8
    RequirePseudoHeader,  // strict pre-RFC 9568 / keepalived / FRR behaviour
};

// A read-only view of the address list inside a received packet. No allocation.
class AddressView {
public:
    AddressView() = default;
    AddressView(std::span<const std::uint8_t> bytes, Family family)
        : bytes_(bytes), family_(family) {}

    [[nodiscard]] std::size_t size() const { return bytes_.size() / stride(); }
    [[nodiscard]] bool empty() const { return bytes_.empty(); }
    [[nodiscard]] IpAddress operator[](std::size_t i) const;
    [[nodiscard]] Family family() const { return family_; }
    [[nodiscard]] std::vector<IpAddress> to_vector() const;

private:
    [[nodiscard]] std::size_t stride() const {
        return family_ == Family::IPv4 ? IpAddress::kV4Size : IpAddress::kV6Size;
    }
    std::span<const std::uint8_t> bytes_;
    Family family_ = Family::IPv4;
};

// The fields a sender chooses. Addresses are passed separately so encoding can use the
// instance's own storage.
struct AdvertFields {
    Version version = Version::V3;
    Vrid vrid{1};
    Priority priority{100};
    Centiseconds max_adver_int{100};      // v2 must be a whole number of seconds
    AuthType auth_type = AuthType::None;  // v2 only
    AuthData auth_data{};                 // v2 only
};

// A decoded advertisement. `addresses` points into the buffer passed to decode().
struct Advert {
    AdvertFields fields;
    Family family = Family::IPv4;
    AddressView addresses;
    ChecksumVariant checksum = ChecksumVariant::MessageOnly;  // the variant that matched
    // The whole message when it ends in an HMAC trailer (draft-cassen-vrrp-auth-hmac-00:
    // exactly kHmacTrailerSize bytes after the addresses); empty when it has none. Whether
    // one is wanted is the receiving instance's business.
    std::span<const std::uint8_t> signed_message;
};

// Validates every receive rule the packet itself can show (RFC 9568 §7.1, RFC 3768 §7.1)
// and returns the advertisement or the first rule it breaks. `message` is the IP payload.
// An HMAC trailer is set aside: an IPv4 checksum covers the advert without it (as
// keepalived computes it), an IPv6 one the whole payload (the kernel's IPV6_CHECKSUM).
[[nodiscard]] Expected<Advert, DropReason> decode(
    std::span<const std::uint8_t> message, const RxMeta& meta,
    ChecksumPolicy policy = ChecksumPolicy::AcceptBoth);

enum class EncodeError : std::uint8_t {
    NoAddresses,         // at least one address is required (§5.2.5)
    TooManyAddresses,    // more than 255
    MixedFamilies,       // an address of another family than src
    V2NotIpv4,           // VRRPv2 is IPv4 only
    IntervalOutOfRange,  // v3: 1..4095 cs; v2: 1..255 s in whole seconds
    BufferTooSmall,
};
[[nodiscard]] std::string_view to_string(EncodeError e);

// Whether Max Adver Int fits the version's field: v3 1..4095 centiseconds (RFC 9568
// §5.2.7), v2 1..255 whole seconds (RFC 3768 §5.3.7). encode() and the config both ask.
[[nodiscard]] bool valid_max_adver_int(Version v, Centiseconds interval);

// Size of the message for these fields and address count.
[[nodiscard]] std::size_t encoded_size(Version v, Family f, std::size_t address_count);

// Writes the advertisement into `out` and returns its length. src/dst are the IP header
// addresses the packet will carry (they enter the checksum for PseudoHeader). v2 always
// uses MessageOnly; v3 IPv6 always uses PseudoHeader; `checksum` chooses for v3 IPv4.
[[nodiscard]] Expected<std::size_t, EncodeError> encode(const AdvertFields& fields,
                                                        std::span<const IpAddress> addresses,
                                                        const IpAddress& src, const IpAddress& dst,
                                                        ChecksumVariant checksum,
                                                        std::span<std::uint8_t> out);

// The MAY-check of §7.1: same count and same set of addresses (order ignored).
[[nodiscard]] bool addresses_match(const AddressView& received,
                                   std::span<const IpAddress> configured);

}  // namespace vipd::proto
