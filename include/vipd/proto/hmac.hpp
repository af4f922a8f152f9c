// The HMAC authentication trailer of draft-cassen-vrrp-auth-hmac-00 (keepalived's
// auth_hmac): 28 bytes after the addresses of a VRRPv2 or v3 advert. Its tag is
// HMAC-SHA256, truncated to 128 bits, over a 20-byte pseudo-header (family, version, VRID,
// the sender's address) and the message with its checksum and tag read as zeros, so
// neither the kernel's IPv6 checksum nor the tag itself changes what is signed. Verified
// byte for byte against keepalived's adverts (tests/golden/keepalived-hmac-v3-ipv4.bin).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "vipd/core/ip_address.hpp"
#include "vipd/core/types.hpp"

namespace vipd::proto {

inline constexpr std::size_t kHmacTrailerSize = 28;
inline constexpr std::size_t kHmacTagSize = 16;
inline constexpr std::size_t kHmacPseudoHeaderSize = 20;
inline constexpr std::uint8_t kHmacSha256Trunc128 = 1;  // the trailer's ext_type
inline constexpr std::size_t kHmacMinKey = 32;
inline constexpr std::size_t kHmacMaxKey = 64;

struct HmacTrailer {
    std::uint8_t ext_type = kHmacSha256Trunc128;
    std::uint8_t key_id = 0;
    // sec (32 bits, UTC seconds) << 32 | subsec (16 bits, 1/65536 s) << 16 | ctr (16 bits):
    // one number that only grows on a sender.
    std::uint64_t sequence = 0;
    std::array<std::uint8_t, kHmacTagSize> tag{};
    friend bool operator==(const HmacTrailer&, const HmacTrailer&) = default;
};

// The last kHmacTrailerSize bytes of `message`, read (nullopt if it is shorter, or its
// reserved bytes are not zero).
[[nodiscard]] std::optional<HmacTrailer> read_hmac_trailer(std::span<const std::uint8_t> message);

// One secret, ready to sign: OpenSSL's HMAC keyed once, fed the message in pieces (the
// zeroed checksum and tag are separate pieces, so nothing is copied per advert). The
// secret is wiped from memory when the key goes.
class HmacKey {
public:
    explicit HmacKey(std::span<const std::uint8_t> secret);
    ~HmacKey();
    HmacKey(HmacKey&&) noexcept;
    HmacKey& operator=(HmacKey&&) noexcept;
    HmacKey(const HmacKey&) = delete;
    HmacKey& operator=(const HmacKey&) = delete;

    // False when OpenSSL could not set the key up: it then signs nothing that verifies.
    [[nodiscard]] bool usable() const;
    // The tag of `message` (the whole advert, trailer included; its checksum and tag bytes
    // are read as zeros), sent by `source` for `vrid`. All zeros if it cannot be computed
    // (no real tag is all zeros, so that verifies nothing).
    [[nodiscard]] std::array<std::uint8_t, kHmacTagSize> tag(
        Version version, Vrid vrid, const IpAddress& source,
        std::span<const std::uint8_t> message) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Writes `trailer` (its tag computed here) over the last kHmacTrailerSize bytes of
// `message`, which holds the advert with room for it. An IPv6 advert's checksum is then
// computed again over the whole message to `dst`: the kernel's IPV6_CHECKSUM, which
// keepalived uses, sums the trailer too. An IPv4 checksum covers the advert alone and
// stays as encode() wrote it.
void write_hmac_trailer(std::span<std::uint8_t> message, const HmacKey& key, Version version,
                        Vrid vrid, const IpAddress& source, const IpAddress& dst,
                        const HmacTrailer& trailer);

// Whether the tag in `message`'s trailer is the one `key` gives (in constant time).
[[nodiscard]] bool hmac_matches(std::span<const std::uint8_t> message, const HmacKey& key,
                                Version version, Vrid vrid, const IpAddress& source);

}  // namespace vipd::proto
