// VRRP advertisement encode/decode. Field layout (RFC 9568 §5.1, RFC 3768 §5.1):
//   byte 0: version(4) | type(4)   1: VRID   2: priority   3: address count
//   v3: bytes 4-5: reserved(4) | max adver int(12, centiseconds)   v2: 4: auth type 5: adver int
//   (s) bytes 6-7: checksum, then the addresses, then (v2 only) 8 bytes of authentication data.
#include "vipd/proto/advert.hpp"

#include "vipd/proto/hmac.hpp"

#include "vipd/proto/wire.hpp"

#include <algorithm>
#include <array>

namespace vipd::proto {
namespace {

std::size_t address_size(Family f) {
    return f == Family::IPv4 ? IpAddress::kV4Size : IpAddress::kV6Size;
}

std::uint16_t read_u16(std::span<const std::uint8_t> b, std::size_t at) {
    return static_cast<std::uint16_t>(b[at] << 8U | b[at + 1]);
}

void write_u16(std::span<std::uint8_t> b, std::size_t at, std::uint16_t v) {
    b[at] = static_cast<std::uint8_t>(v >> 8U);
    b[at + 1] = static_cast<std::uint8_t>(v & 0xffU);
}

// The checksum variants a receiver tries, in order, for this version/family/policy.
std::span<const ChecksumVariant> receive_variants(Version v, Family f, ChecksumPolicy policy) {
    static constexpr std::array kMessage{ChecksumVariant::MessageOnly};
    static constexpr std::array kPseudo{ChecksumVariant::PseudoHeader};
    // RFC 9568 first, then what keepalived and FRR send by default.
    static constexpr std::array kBoth{ChecksumVariant::MessageOnly, ChecksumVariant::PseudoHeader};
    if (v == Version::V2) return kMessage;  // RFC 3768 §5.3.8: the VRRP message only
    if (f == Family::IPv6) return kPseudo;  // RFC 9568 §5.2.8: IPv6 pseudo-header
    switch (policy) {
        case ChecksumPolicy::AcceptBoth:
            return kBoth;
        case ChecksumPolicy::RequireMessageOnly:
            return kMessage;
        case ChecksumPolicy::RequirePseudoHeader:
            return kPseudo;
    }
    return kBoth;
}

}  // namespace

std::string_view to_string(EncodeError e) {
    switch (e) {
        case EncodeError::NoAddresses:
            return "no addresses";
        case EncodeError::TooManyAddresses:
            return "more than 255 addresses";
        case EncodeError::MixedFamilies:
            return "addresses of more than one family";
        case EncodeError::V2NotIpv4:
            return "VRRPv2 carries IPv4 only";
        case EncodeError::IntervalOutOfRange:
            return "advertisement interval out of range";
        case EncodeError::BufferTooSmall:
            return "buffer too small";
    }
    return "unknown";
}

IpAddress AddressView::operator[](std::size_t i) const {
    const auto at = bytes_.subspan(i * stride(), stride());
    if (family_ == Family::IPv4) return IpAddress::v4(at.first<IpAddress::kV4Size>());
    return IpAddress::v6(at.first<IpAddress::kV6Size>());
}

std::vector<IpAddress> AddressView::to_vector() const {
    std::vector<IpAddress> out;
    out.reserve(size());
    for (std::size_t i = 0; i < size(); ++i) {
        out.push_back((*this)[i]);
    }
    return out;
}

bool valid_max_adver_int(Version v, Centiseconds interval) {
    const auto cs = interval.count();
    switch (v) {
        case Version::V3:
            return cs >= 1 && cs <= kMaxAdverIntV3.count();
        case Version::V2:
            return cs >= 100 && cs <= 255 * 100 && cs % 100 == 0;
    }
    return false;
}

std::size_t encoded_size(Version v, Family f, std::size_t address_count) {
    return kHeaderSize + address_count * address_size(f) + (v == Version::V2 ? kAuthDataSize : 0);
}

Expected<Advert, DropReason> decode(std::span<const std::uint8_t> message, const RxMeta& meta,
                                    ChecksumPolicy policy) {
    const Family family = meta.src.family();

    // §7.1: TTL / Hop Limit first: an off-link or forwarded packet is not worth parsing.
    if (meta.ttl != kTtl) return Unexpected{DropReason::BadTtl};
    if (message.size() < kHeaderSize) return Unexpected{DropReason::TooShort};

    // §7.1: the version must be one we speak; v2 exists only for IPv4.
    const auto version_bits = static_cast<unsigned>(message[0] >> 4U);
    if (version_bits != 2 && version_bits != 3) return Unexpected{DropReason::UnknownVersion};
    const auto version = static_cast<Version>(version_bits);
    if (version == Version::V2 && family != Family::IPv4) {
        return Unexpected{DropReason::VersionFamilyMismatch};
    }
    // §5.2.2: only ADVERTISEMENT (1) is defined; others are discarded.
    if ((message[0] & 0x0fU) != kTypeAdvertisement) return Unexpected{DropReason::BadType};

    // §5.2.5: at least one address; §7.1: the complete packet must be present.
    const std::size_t count = message[3];
    if (count == 0) return Unexpected{DropReason::NoAddresses};
    const std::size_t expected = encoded_size(version, family, count);
    if (message.size() < expected) return Unexpected{DropReason::Truncated};
    const bool signed_advert = message.size() == expected + kHmacTrailerSize;
    if (message.size() > expected && !signed_advert) {
        return Unexpected{DropReason::TrailingBytes};
    }
    const auto whole = message;
    message = message.first(expected);
    const auto summed = family == Family::IPv6 ? whole : message;

    // §7.1: MUST verify the checksum. Try each variant this policy accepts and remember
    // which one matched, so the sender's convention can be learned and reported.
    std::optional<ChecksumVariant> matched;
    for (const auto variant : receive_variants(version, family, policy)) {
        if (vrrp_checksum_valid(summed, variant, meta.src, meta.dst)) {
            matched = variant;
            break;
        }
    }
    if (!matched) return Unexpected{DropReason::BadChecksum};

    Advert advert;
    if (signed_advert) advert.signed_message = whole;
    advert.family = family;
    advert.checksum = *matched;
    advert.fields.version = version;
    advert.fields.vrid = Vrid{message[1]};
    advert.fields.priority = Priority{message[2]};
    if (version == Version::V3) {
        // §5.2.6: the 4 high bits are reserved, "MUST be set to zero on transmission and
        // ignored on reception".
        advert.fields.max_adver_int = Centiseconds{read_u16(message, 4) & 0x0fffU};
    } else {
        advert.fields.auth_type = static_cast<AuthType>(message[4]);
        advert.fields.max_adver_int = Centiseconds{message[5] * 100};  // seconds on the wire
        std::copy_n(message.end() - static_cast<std::ptrdiff_t>(kAuthDataSize), kAuthDataSize,
                    advert.fields.auth_data.begin());
    }
    // §5.2.7: an interval of 0 is not valid and would make the timers spin.
    if (advert.fields.max_adver_int.count() == 0) return Unexpected{DropReason::IntervalZero};

    advert.addresses =
        AddressView(message.subspan(kHeaderSize, count * address_size(family)), family);
    return advert;
}

Expected<std::size_t, EncodeError> encode(const AdvertFields& fields,
                                          std::span<const IpAddress> addresses,
                                          const IpAddress& src, const IpAddress& dst,
                                          ChecksumVariant checksum, std::span<std::uint8_t> out) {
    const Family family = src.family();
    if (addresses.empty()) return Unexpected{EncodeError::NoAddresses};
    if (addresses.size() > kMaxAddresses) return Unexpected{EncodeError::TooManyAddresses};
    if (std::any_of(addresses.begin(), addresses.end(),
                    [family](const IpAddress& a) { return a.family() != family; })) {
        return Unexpected{EncodeError::MixedFamilies};
    }
    if (fields.version == Version::V2 && family != Family::IPv4) {
        return Unexpected{EncodeError::V2NotIpv4};
    }
    const auto cs = fields.max_adver_int.count();
    if (!valid_max_adver_int(fields.version, fields.max_adver_int)) {
        return Unexpected{EncodeError::IntervalOutOfRange};
    }
    const std::size_t size = encoded_size(fields.version, family, addresses.size());
    if (out.size() < size) return Unexpected{EncodeError::BufferTooSmall};

    auto msg = out.first(size);
    msg[0] =
        static_cast<std::uint8_t>(static_cast<unsigned>(fields.version) << 4U | kTypeAdvertisement);
    msg[1] = fields.vrid.value();
    msg[2] = fields.priority.value();
    msg[3] = static_cast<std::uint8_t>(addresses.size());
    if (fields.version == Version::V3) {
        write_u16(msg, 4, static_cast<std::uint16_t>(cs));  // reserved bits stay zero
    } else {
        msg[4] = static_cast<std::uint8_t>(fields.auth_type);
        msg[5] = static_cast<std::uint8_t>(cs / 100);
    }
    write_u16(msg, 6, 0);
    std::size_t at = kHeaderSize;
    for (const auto& a : addresses) {
        std::copy(a.bytes().begin(), a.bytes().end(),
                  msg.begin() + static_cast<std::ptrdiff_t>(at));
        at += a.size();
    }
    if (fields.version == Version::V2) {
        // RFC 2338 §5.3.6.1: the password travels in the clear; with no authentication the
        // field is zero.
        const AuthData zero{};
        const auto& data = fields.auth_type == AuthType::SimplePassword ? fields.auth_data : zero;
        std::copy(data.begin(), data.end(), msg.begin() + static_cast<std::ptrdiff_t>(at));
    }

    ChecksumVariant variant = checksum;
    if (fields.version == Version::V2) variant = ChecksumVariant::MessageOnly;
    if (family == Family::IPv6) variant = ChecksumVariant::PseudoHeader;
    write_u16(msg, 6, vrrp_checksum(msg, variant, src, dst));
    return size;
}

bool addresses_match(const AddressView& received, std::span<const IpAddress> configured) {
    const std::size_t n = received.size();
    if (n != configured.size() || n > kMaxAddresses) return false;
    // Peers usually list the addresses in the same order: one pass.
    bool same_order = true;
    for (std::size_t i = 0; i < n && same_order; ++i)
        same_order = received[i] == configured[i];
    if (same_order) return true;
    // Otherwise compare sorted copies (on the stack): n log n, not the n^2 that let a stream
    // of 255-address adverts cost 65,000 comparisons each.
    std::array<IpAddress, kMaxAddresses> a{};
    std::array<IpAddress, kMaxAddresses> b{};
    for (std::size_t i = 0; i < n; ++i) {
        a[i] = received[i];
        b[i] = configured[i];
    }
    const auto an = static_cast<std::ptrdiff_t>(n);
    std::sort(a.begin(), a.begin() + an);
    std::sort(b.begin(), b.begin() + an);
    return std::equal(a.begin(), a.begin() + an, b.begin());
}

}  // namespace vipd::proto
