// draft-cassen-vrrp-auth-hmac-00's trailer: layout, and the tag through OpenSSL's HMAC.
#include "vipd/proto/hmac.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cstring>

#include "vipd/proto/advert.hpp"

namespace vipd::proto {

namespace {

constexpr std::size_t kChecksumOffset = 6;  // the VRRP header's checksum field
// The trailer's offsets: ext_type, key_id, reserved (2), sec (4), subsec (2), ctr (2), tag.
constexpr std::size_t kSequenceOffset = 4;
constexpr std::size_t kTagOffset = 12;

}  // namespace

std::optional<HmacTrailer> read_hmac_trailer(std::span<const std::uint8_t> message) {
    if (message.size() < kHeaderSize + kHmacTrailerSize) return std::nullopt;
    const auto t = message.last(kHmacTrailerSize);
    if (t[2] != 0 || t[3] != 0) return std::nullopt;
    HmacTrailer out;
    out.ext_type = t[0];
    out.key_id = t[1];
    for (std::size_t i = 0; i < 8; ++i)
        out.sequence = (out.sequence << 8) | t[kSequenceOffset + i];
    std::copy_n(t.begin() + kTagOffset, kHmacTagSize, out.tag.begin());
    return out;
}

std::array<std::uint8_t, kHmacTagSize> hmac_tag(std::span<const std::uint8_t> key, Version version,
                                                Vrid vrid, const IpAddress& source,
                                                std::span<const std::uint8_t> message) {
    // pseudo-header || message, with the checksum and the tag as zeros.
    std::array<std::uint8_t, kHmacPseudoHeaderSize + kMaxMessageSize + kHmacTrailerSize> input{};
    std::array<std::uint8_t, kHmacTagSize> tag{};
    if (message.size() < kHeaderSize + kHmacTrailerSize ||
        message.size() > kMaxMessageSize + kHmacTrailerSize)
        return tag;  // all zeros: matches no real tag
    input[0] = source.family() == Family::IPv4 ? 4 : 6;
    input[1] = static_cast<std::uint8_t>(version);
    input[2] = vrid.value();
    std::copy(source.bytes().begin(), source.bytes().end(), input.begin() + 4);
    auto* body = input.data() + kHmacPseudoHeaderSize;
    std::memcpy(body, message.data(), message.size());
    body[kChecksumOffset] = body[kChecksumOffset + 1] = 0;
    std::memset(body + message.size() - kHmacTagSize, 0, kHmacTagSize);
    std::array<std::uint8_t, EVP_MAX_MD_SIZE> full{};
    unsigned len = 0;
    if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), input.data(),
             kHmacPseudoHeaderSize + message.size(), full.data(), &len) == nullptr ||
        len < kHmacTagSize)
        return tag;
    std::copy_n(full.begin(), kHmacTagSize, tag.begin());
    OPENSSL_cleanse(full.data(), full.size());
    return tag;
}

void write_hmac_trailer(std::span<std::uint8_t> message, std::span<const std::uint8_t> key,
                        Version version, Vrid vrid, const IpAddress& source,
                        const HmacTrailer& trailer) {
    if (message.size() < kHeaderSize + kHmacTrailerSize) return;
    auto t = message.last(kHmacTrailerSize);
    t[0] = trailer.ext_type;
    t[1] = trailer.key_id;
    t[2] = t[3] = 0;
    for (std::size_t i = 0; i < 8; ++i)
        t[kSequenceOffset + i] = static_cast<std::uint8_t>(trailer.sequence >> (56 - 8 * i));
    const auto tag = hmac_tag(key, version, vrid, source, message);
    std::copy(tag.begin(), tag.end(), t.begin() + kTagOffset);
}

bool hmac_matches(std::span<const std::uint8_t> message, std::span<const std::uint8_t> key,
                  Version version, Vrid vrid, const IpAddress& source) {
    if (message.size() < kHeaderSize + kHmacTrailerSize) return false;
    const auto want = hmac_tag(key, version, vrid, source, message);
    return CRYPTO_memcmp(want.data(), message.last(kHmacTagSize).data(), kHmacTagSize) == 0;
}

}  // namespace vipd::proto
