// draft-cassen-vrrp-auth-hmac-00's trailer: layout, and the tag through OpenSSL's EVP_MAC.
#include "vipd/proto/hmac.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <algorithm>
#include <cstring>

#include "vipd/proto/advert.hpp"
#include "vipd/proto/checksum.hpp"

namespace vipd::proto {

namespace {

constexpr std::size_t kChecksumOffset = 6;  // the VRRP header's checksum field
// The trailer's offsets: ext_type, key_id, reserved (2), sec (4), subsec (2), ctr (2), tag.
constexpr std::size_t kSequenceOffset = 4;
constexpr std::size_t kTagOffset = 12;
constexpr std::array<std::uint8_t, kHmacTagSize> kZeros{};

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

struct HmacKey::Impl {
    EVP_MAC* mac = nullptr;
    EVP_MAC_CTX* ctx = nullptr;  // keyed once; each tag re-initialises it with the same key
    ~Impl() {
        EVP_MAC_CTX_free(ctx);  // OpenSSL cleanses the key it holds
        EVP_MAC_free(mac);
    }
};

HmacKey::HmacKey(std::span<const std::uint8_t> secret) : impl_(std::make_unique<Impl>()) {
    impl_->mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (impl_->mac == nullptr) return;
    impl_->ctx = EVP_MAC_CTX_new(impl_->mac);
    if (impl_->ctx == nullptr) return;
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end(),
    };
    if (EVP_MAC_init(impl_->ctx, secret.data(), secret.size(), params) != 1) {
        EVP_MAC_CTX_free(impl_->ctx);
        impl_->ctx = nullptr;
    }
}

HmacKey::~HmacKey() = default;
HmacKey::HmacKey(HmacKey&&) noexcept = default;
HmacKey& HmacKey::operator=(HmacKey&&) noexcept = default;

bool HmacKey::usable() const {
    return impl_ && impl_->ctx != nullptr;
}

std::array<std::uint8_t, kHmacTagSize> HmacKey::tag(Version version, Vrid vrid,
                                                    const IpAddress& source,
                                                    std::span<const std::uint8_t> message) const {
    std::array<std::uint8_t, kHmacTagSize> out{};
    if (!usable() || message.size() < kHeaderSize + kHmacTrailerSize) return out;
    // The pseudo-header: 4 or 6, version, VRID, a zero, the source address, zero padding.
    std::array<std::uint8_t, kHmacPseudoHeaderSize> pseudo{};
    pseudo[0] = source.family() == Family::IPv4 ? 4 : 6;
    pseudo[1] = static_cast<std::uint8_t>(version);
    pseudo[2] = vrid.value();
    std::copy(source.bytes().begin(), source.bytes().end(), pseudo.begin() + 4);
    auto* ctx = impl_->ctx;
    const auto* m = message.data();
    const auto tag_at = message.size() - kHmacTagSize;
    std::array<std::uint8_t, EVP_MAX_MD_SIZE> full{};
    std::size_t len = 0;
    const bool ok =
        EVP_MAC_init(ctx, nullptr, 0, nullptr) == 1 &&
        EVP_MAC_update(ctx, pseudo.data(), pseudo.size()) == 1 &&
        EVP_MAC_update(ctx, m, kChecksumOffset) == 1 &&
        EVP_MAC_update(ctx, kZeros.data(), 2) == 1 &&
        EVP_MAC_update(ctx, m + kChecksumOffset + 2, tag_at - kChecksumOffset - 2) == 1 &&
        EVP_MAC_update(ctx, kZeros.data(), kHmacTagSize) == 1 &&
        EVP_MAC_final(ctx, full.data(), &len, full.size()) == 1 && len >= kHmacTagSize;
    if (ok) std::copy_n(full.begin(), kHmacTagSize, out.begin());
    OPENSSL_cleanse(full.data(), full.size());
    return out;
}

void write_hmac_trailer(std::span<std::uint8_t> message, const HmacKey& key, Version version,
                        Vrid vrid, const IpAddress& source, const IpAddress& dst,
                        const HmacTrailer& trailer) {
    if (message.size() < kHeaderSize + kHmacTrailerSize) return;
    auto t = message.last(kHmacTrailerSize);
    t[0] = trailer.ext_type;
    t[1] = trailer.key_id;
    t[2] = t[3] = 0;
    for (std::size_t i = 0; i < 8; ++i)
        t[kSequenceOffset + i] = static_cast<std::uint8_t>(trailer.sequence >> (56 - 8 * i));
    const auto tag = key.tag(version, vrid, source, message);
    std::copy(tag.begin(), tag.end(), t.begin() + kTagOffset);
    if (source.family() == Family::IPv6) {
        message[kChecksumOffset] = message[kChecksumOffset + 1] = 0;
        const auto sum = vrrp_checksum(message, ChecksumVariant::PseudoHeader, source, dst);
        message[kChecksumOffset] = static_cast<std::uint8_t>(sum >> 8);
        message[kChecksumOffset + 1] = static_cast<std::uint8_t>(sum & 0xff);
    }
}

bool hmac_matches(std::span<const std::uint8_t> message, const HmacKey& key, Version version,
                  Vrid vrid, const IpAddress& source) {
    if (message.size() < kHeaderSize + kHmacTrailerSize) return false;
    const auto want = key.tag(version, vrid, source, message);
    if (want == kZeros) return false;  // not computed
    return CRYPTO_memcmp(want.data(), message.last(kHmacTagSize).data(), kHmacTagSize) == 0;
}

}  // namespace vipd::proto
