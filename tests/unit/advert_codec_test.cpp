// Codec round trips and one test per rejection rule of RFC 9568 §7.1 / RFC 3768 §7.1.
#include <gtest/gtest.h>

#include <algorithm>

#include <array>
#include <vector>

#include "vipd/proto/advert.hpp"

namespace vipd::proto {
namespace {

IpAddress ip(const char* s) {
    return *IpAddress::parse(s);
}

struct Packet {
    std::vector<std::uint8_t> bytes;
    RxMeta meta;
};

// A valid advertisement for the given fields, as it would arrive.
Packet make(const AdvertFields& f, std::vector<IpAddress> addrs, IpAddress src, IpAddress dst,
            ChecksumVariant variant = ChecksumVariant::MessageOnly) {
    std::array<std::uint8_t, kMaxMessageSize> buf{};
    const auto n = encode(f, addrs, src, dst, variant, buf);
    EXPECT_TRUE(n.has_value());
    return Packet{{buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n.value())},
                  RxMeta{src, dst, 255, 2}};
}

Packet v3_ipv4(ChecksumVariant variant = ChecksumVariant::MessageOnly) {
    return make(AdvertFields{.version = Version::V3,
                             .vrid = Vrid{51},
                             .priority = Priority{150},
                             .max_adver_int = Centiseconds{120}},
                {ip("192.0.2.1"), ip("192.0.2.2")}, ip("192.0.2.11"), ip("224.0.0.18"), variant);
}

Packet v3_ipv6() {
    return make(AdvertFields{.version = Version::V3,
                             .vrid = Vrid{52},
                             .priority = Priority{200},
                             .max_adver_int = Centiseconds{4095}},
                {ip("fe80::1"), ip("2001:db8::1")}, ip("fe80::200:5eff:fe00:211"), ip("ff02::12"),
                ChecksumVariant::PseudoHeader);
}

Packet v2_pass() {
    return make(AdvertFields{.version = Version::V2,
                             .vrid = Vrid{7},
                             .priority = Priority{101},
                             .max_adver_int = Centiseconds{300},
                             .auth_type = AuthType::SimplePassword,
                             .auth_data = make_auth_data("secret1")},
                {ip("192.0.2.7")}, ip("192.0.2.11"), ip("224.0.0.18"));
}

// Recomputes the checksum after a test has mutated a field.
void refresh_checksum(Packet& p, ChecksumVariant variant) {
    p.bytes[6] = p.bytes[7] = 0;
    const auto sum = vrrp_checksum(p.bytes, variant, p.meta.src, p.meta.dst);
    p.bytes[6] = static_cast<std::uint8_t>(sum >> 8U);
    p.bytes[7] = static_cast<std::uint8_t>(sum & 0xffU);
}

DropReason error_of(const Packet& p, ChecksumPolicy policy = ChecksumPolicy::AcceptBoth) {
    const auto r = decode(p.bytes, p.meta, policy);
    EXPECT_FALSE(r.has_value());
    return r.has_value() ? DropReason::AddressMismatch : r.error();
}

TEST(AdvertCodec, V3Ipv4RoundTrip) {
    const auto p = v3_ipv4();
    ASSERT_EQ(p.bytes.size(), 16U);
    EXPECT_EQ(p.bytes[0], 0x31);  // version 3, type 1
    EXPECT_EQ(p.bytes[1], 51);
    EXPECT_EQ(p.bytes[2], 150);
    EXPECT_EQ(p.bytes[3], 2);
    EXPECT_EQ(p.bytes[4], 0x00);
    EXPECT_EQ(p.bytes[5], 120);
    const auto r = decode(p.bytes, p.meta);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->fields.version, Version::V3);
    EXPECT_EQ(r->fields.vrid, Vrid{51});
    EXPECT_EQ(r->fields.priority, Priority{150});
    EXPECT_EQ(r->fields.max_adver_int, Centiseconds{120});
    EXPECT_EQ(r->family, Family::IPv4);
    EXPECT_EQ(r->checksum, ChecksumVariant::MessageOnly);
    ASSERT_EQ(r->addresses.size(), 2U);
    EXPECT_EQ(r->addresses[0], ip("192.0.2.1"));
    EXPECT_EQ(r->addresses[1], ip("192.0.2.2"));
}

TEST(AdvertCodec, V3Ipv4PseudoHeaderVariantIsReported) {
    const auto p = v3_ipv4(ChecksumVariant::PseudoHeader);
    const auto r = decode(p.bytes, p.meta);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->checksum, ChecksumVariant::PseudoHeader);
}

TEST(AdvertCodec, V3Ipv4StrictPoliciesRejectTheOtherVariant) {
    const auto rfc = v3_ipv4(ChecksumVariant::MessageOnly);
    const auto pseudo = v3_ipv4(ChecksumVariant::PseudoHeader);
    EXPECT_TRUE(decode(rfc.bytes, rfc.meta, ChecksumPolicy::RequireMessageOnly).has_value());
    EXPECT_EQ(error_of(rfc, ChecksumPolicy::RequirePseudoHeader), DropReason::BadChecksum);
    EXPECT_TRUE(decode(pseudo.bytes, pseudo.meta, ChecksumPolicy::RequirePseudoHeader).has_value());
    EXPECT_EQ(error_of(pseudo, ChecksumPolicy::RequireMessageOnly), DropReason::BadChecksum);
}

TEST(AdvertCodec, V3Ipv6RoundTripUsesPseudoHeader) {
    const auto p = v3_ipv6();
    ASSERT_EQ(p.bytes.size(), 8U + 2 * 16);
    EXPECT_EQ(p.bytes[4], 0x0f);  // 4095 = 0x0fff, reserved bits zero
    EXPECT_EQ(p.bytes[5], 0xff);
    const auto r = decode(p.bytes, p.meta);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->family, Family::IPv6);
    EXPECT_EQ(r->checksum, ChecksumVariant::PseudoHeader);
    EXPECT_EQ(r->fields.max_adver_int, Centiseconds{4095});
    EXPECT_EQ(r->addresses[1], ip("2001:db8::1"));
    // Even a request for message-only cannot change IPv6: RFC 9568 §5.2.8.
    std::array<std::uint8_t, kMaxMessageSize> buf{};
    const std::vector addrs{ip("2001:db8::1")};
    const auto n =
        encode(AdvertFields{}, addrs, p.meta.src, p.meta.dst, ChecksumVariant::MessageOnly, buf);
    ASSERT_TRUE(n.has_value());
    EXPECT_TRUE(vrrp_checksum_valid(std::span(buf).first(*n), ChecksumVariant::PseudoHeader,
                                    p.meta.src, p.meta.dst));
}

TEST(AdvertCodec, V2RoundTripWithPassword) {
    const auto p = v2_pass();
    ASSERT_EQ(p.bytes.size(), 8U + 4 + 8);
    EXPECT_EQ(p.bytes[0], 0x21);
    EXPECT_EQ(p.bytes[4], 1);  // auth type
    EXPECT_EQ(p.bytes[5], 3);  // seconds on the wire
    EXPECT_EQ(p.bytes[12], 's');
    EXPECT_EQ(p.bytes[18], '1');
    EXPECT_EQ(p.bytes[19], 0);  // 7-character password zero-padded to 8
    const auto r = decode(p.bytes, p.meta);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->fields.version, Version::V2);
    EXPECT_EQ(r->fields.max_adver_int, Centiseconds{300});
    EXPECT_EQ(r->fields.auth_type, AuthType::SimplePassword);
    EXPECT_EQ(r->fields.auth_data, make_auth_data("secret1"));
    EXPECT_EQ(r->addresses.size(), 1U);
}

TEST(AdvertCodec, PasswordLongerThanEightIsTruncated) {
    EXPECT_EQ(make_auth_data("0123456789"), make_auth_data("01234567"));
    EXPECT_NE(make_auth_data("secret1"), make_auth_data("secret2"));
}

TEST(AdvertCodec, V2WithoutAuthSendsZeroAuthData) {
    auto f = AdvertFields{.version = Version::V2, .max_adver_int = Centiseconds{100}};
    f.auth_data = make_auth_data("ignored");  // not sent when auth_type is None
    const auto p = make(f, {ip("192.0.2.1")}, ip("192.0.2.11"), ip("224.0.0.18"));
    for (std::size_t i = 12; i < 20; ++i) {
        EXPECT_EQ(p.bytes[i], 0) << i;
    }
}

TEST(AdvertCodec, Rfc9568_7_1_TtlMustBe255) {
    for (const std::uint8_t ttl : std::array<std::uint8_t, 4>{0, 1, 64, 254}) {
        auto p = v3_ipv4();
        p.meta.ttl = ttl;
        EXPECT_EQ(error_of(p), DropReason::BadTtl) << int{ttl};
        auto q = v3_ipv6();
        q.meta.ttl = ttl;
        EXPECT_EQ(error_of(q), DropReason::BadTtl) << int{ttl};
    }
}

TEST(AdvertCodec, Rfc9568_7_1_ShorterThanHeaderIsTooShort) {
    const auto p = v3_ipv4();
    for (std::size_t n = 0; n < kHeaderSize; ++n) {
        Packet q{{p.bytes.begin(), p.bytes.begin() + static_cast<std::ptrdiff_t>(n)}, p.meta};
        EXPECT_EQ(error_of(q), DropReason::TooShort) << n;
    }
}

TEST(AdvertCodec, Rfc9568_7_1_VersionMustBeKnown) {
    for (const unsigned v : {0U, 1U, 4U, 15U}) {
        auto p = v3_ipv4();
        p.bytes[0] = static_cast<std::uint8_t>(v << 4U | 1U);
        refresh_checksum(p, ChecksumVariant::MessageOnly);
        EXPECT_EQ(error_of(p), DropReason::UnknownVersion) << v;
    }
}

TEST(AdvertCodec, Rfc3768_VersionTwoOverIpv6IsRejected) {
    auto p = v3_ipv6();
    p.bytes[0] = 0x21;
    refresh_checksum(p, ChecksumVariant::PseudoHeader);
    EXPECT_EQ(error_of(p), DropReason::VersionFamilyMismatch);
}

TEST(AdvertCodec, Rfc9568_5_2_2_TypeMustBeAdvertisement) {
    for (const unsigned t : {0U, 2U, 15U}) {
        auto p = v3_ipv4();
        p.bytes[0] = static_cast<std::uint8_t>(0x30U | t);
        refresh_checksum(p, ChecksumVariant::MessageOnly);
        EXPECT_EQ(error_of(p), DropReason::BadType) << t;
    }
}

TEST(AdvertCodec, Rfc9568_5_2_5_CountZeroIsRejected) {
    auto p = v3_ipv4();
    p.bytes[3] = 0;
    p.bytes.resize(kHeaderSize);
    refresh_checksum(p, ChecksumVariant::MessageOnly);
    EXPECT_EQ(error_of(p), DropReason::NoAddresses);
}

TEST(AdvertCodec, Rfc9568_7_1_CountBeyondLengthIsTruncated) {
    auto p = v3_ipv4();
    p.bytes[3] = 3;  // claims three addresses, carries two
    refresh_checksum(p, ChecksumVariant::MessageOnly);
    EXPECT_EQ(error_of(p), DropReason::Truncated);

    auto q = v2_pass();
    q.bytes.resize(q.bytes.size() - 1);  // authentication data cut short
    refresh_checksum(q, ChecksumVariant::MessageOnly);
    EXPECT_EQ(error_of(q), DropReason::Truncated);

    auto r = v3_ipv6();
    r.bytes[3] = 255;  // an enormous count must not read past the buffer
    refresh_checksum(r, ChecksumVariant::PseudoHeader);
    EXPECT_EQ(error_of(r), DropReason::Truncated);
}

TEST(AdvertCodec, Rfc9568_7_1_ExtraBytesAreRejected) {
    auto p = v3_ipv4();
    p.bytes.push_back(0);
    p.bytes.push_back(0);
    refresh_checksum(p, ChecksumVariant::MessageOnly);
    EXPECT_EQ(error_of(p), DropReason::TrailingBytes);
}

// draft-cassen-vrrp-auth-hmac-00: exactly 28 bytes after the addresses are a trailer, set
// aside for the instance; the v2 password is still read where it stands. IPv4's checksum
// covers the advert alone (keepalived's), IPv6's the whole payload (the kernel's
// IPV6_CHECKSUM); any other length is still trailing bytes.
TEST(AdvertCodec, AnHmacTrailerIsSetAsideAndOtherTailsAreNot) {
    for (auto p : {v3_ipv4(), v2_pass()}) {
        const auto body = p.bytes.size();
        p.bytes.resize(body + 28, 0xA5);  // the v4 checksum does not change
        const auto a = decode(p.bytes, p.meta);
        ASSERT_TRUE(a.has_value()) << to_string(a.error());
        EXPECT_EQ(a->signed_message.size(), body + 28);
        EXPECT_EQ(a->addresses.size(), 1U + (a->fields.version == Version::V3 ? 1U : 0U));
        if (a->fields.version == Version::V2) {
            EXPECT_EQ(a->fields.auth_data, make_auth_data("secret1"));
        }
        for (const std::size_t other : {27U, 29U}) {
            auto q = p;
            q.bytes.resize(body + other, 0xA5);
            EXPECT_EQ(error_of(q), DropReason::TrailingBytes) << other;
        }
    }
    auto v6 = v3_ipv6();
    v6.bytes.resize(v6.bytes.size() + 28, 0xA5);
    EXPECT_EQ(error_of(v6), DropReason::BadChecksum);  // still summed without the trailer
    refresh_checksum(v6, ChecksumVariant::PseudoHeader);
    const auto a = decode(v6.bytes, v6.meta);
    ASSERT_TRUE(a.has_value());
    EXPECT_EQ(a->signed_message.size(), v6.bytes.size());
    const auto plain = v3_ipv4();
    EXPECT_TRUE(decode(plain.bytes, plain.meta)->signed_message.empty());
}

TEST(AdvertCodec, Rfc9568_7_1_ChecksumMustMatch) {
    auto p = v3_ipv4();
    p.bytes[7] ^= 0x01;
    EXPECT_EQ(error_of(p), DropReason::BadChecksum);

    auto q = v3_ipv6();
    q.meta.src = ip("fe80::2");  // pseudo-header covers the source address
    EXPECT_EQ(error_of(q), DropReason::BadChecksum);

    auto r = v2_pass();
    r.bytes.back() ^= 0x20;  // v2 checksum covers the authentication data
    EXPECT_EQ(error_of(r), DropReason::BadChecksum);
}

TEST(AdvertCodec, Rfc3768_5_3_8_V2IgnoresPseudoHeader) {
    // A v2 packet whose checksum was computed with the pseudo-header is invalid.
    auto p = v2_pass();
    refresh_checksum(p, ChecksumVariant::PseudoHeader);
    EXPECT_EQ(error_of(p), DropReason::BadChecksum);
}

TEST(AdvertCodec, Rfc9568_5_2_7_IntervalZeroIsRejected) {
    auto p = v3_ipv4();
    p.bytes[4] = 0xf0;  // reserved bits set, interval 0
    p.bytes[5] = 0;
    refresh_checksum(p, ChecksumVariant::MessageOnly);
    EXPECT_EQ(error_of(p), DropReason::IntervalZero);

    auto q = v2_pass();
    q.bytes[5] = 0;
    refresh_checksum(q, ChecksumVariant::MessageOnly);
    EXPECT_EQ(error_of(q), DropReason::IntervalZero);
}

TEST(AdvertCodec, Rfc9568_5_2_6_ReservedBitsAreIgnoredOnReceive) {
    auto p = v3_ipv4();
    p.bytes[4] = 0xa0;  // reserved nibble 1010, interval still 120
    refresh_checksum(p, ChecksumVariant::MessageOnly);
    const auto r = decode(p.bytes, p.meta);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->fields.max_adver_int, Centiseconds{120});
}

TEST(AdvertCodec, EncodeRejectsWhatCannotBeSent) {
    std::array<std::uint8_t, kMaxMessageSize> buf{};
    const auto v4 = ip("192.0.2.11");
    const auto v6 = ip("fe80::1");
    const auto dst = ip("224.0.0.18");
    const std::vector<IpAddress> none;
    const std::vector one{ip("192.0.2.1")};
    const std::vector mixed{ip("192.0.2.1"), ip("2001:db8::1")};
    const std::vector<IpAddress> too_many(256, ip("192.0.2.1"));
    const auto err = [&](const AdvertFields& f, const std::vector<IpAddress>& a,
                         const IpAddress& src, std::span<std::uint8_t> out) {
        const auto r = encode(f, a, src, dst, ChecksumVariant::MessageOnly, out);
        EXPECT_FALSE(r.has_value());
        return r.has_value() ? EncodeError::BufferTooSmall : r.error();
    };
    const AdvertFields v3{};
    EXPECT_EQ(err(v3, none, v4, buf), EncodeError::NoAddresses);
    EXPECT_EQ(err(v3, too_many, v4, buf), EncodeError::TooManyAddresses);
    EXPECT_EQ(err(v3, mixed, v4, buf), EncodeError::MixedFamilies);
    EXPECT_EQ(err(AdvertFields{.version = Version::V2}, {ip("2001:db8::1")}, v6, buf),
              EncodeError::V2NotIpv4);
    for (const int cs : {0, 4096, -1}) {
        EXPECT_EQ(err(AdvertFields{.max_adver_int = Centiseconds{cs}}, one, v4, buf),
                  EncodeError::IntervalOutOfRange)
            << cs;
    }
    for (const int cs : {0, 150, 25600}) {
        EXPECT_EQ(err(AdvertFields{.version = Version::V2, .max_adver_int = Centiseconds{cs}}, one,
                      v4, buf),
                  EncodeError::IntervalOutOfRange)
            << cs;
    }
    EXPECT_EQ(err(v3, one, v4, std::span(buf).first(11)), EncodeError::BufferTooSmall);
    EXPECT_TRUE(encode(v3, one, v4, dst, ChecksumVariant::MessageOnly, std::span(buf).first(12))
                    .has_value());
}

TEST(AdvertCodec, MaxAdverIntFitsEachVersionsField) {
    // v3: 12 bits of centiseconds, at least 1 (RFC 9568 §5.2.7).
    EXPECT_FALSE(valid_max_adver_int(Version::V3, Centiseconds{0}));
    EXPECT_TRUE(valid_max_adver_int(Version::V3, Centiseconds{1}));
    EXPECT_TRUE(valid_max_adver_int(Version::V3, Centiseconds{4095}));
    EXPECT_FALSE(valid_max_adver_int(Version::V3, Centiseconds{4096}));
    EXPECT_FALSE(valid_max_adver_int(Version::V3, Centiseconds{-100}));
    // v2: 8 bits of whole seconds, at least 1 (RFC 3768 §5.3.7).
    EXPECT_FALSE(valid_max_adver_int(Version::V2, Centiseconds{0}));
    EXPECT_FALSE(valid_max_adver_int(Version::V2, Centiseconds{50}));
    EXPECT_TRUE(valid_max_adver_int(Version::V2, Centiseconds{100}));
    EXPECT_FALSE(valid_max_adver_int(Version::V2, Centiseconds{150}));
    EXPECT_TRUE(valid_max_adver_int(Version::V2, Centiseconds{25500}));
    EXPECT_FALSE(valid_max_adver_int(Version::V2, Centiseconds{25600}));
}

TEST(AdvertCodec, MaximumSizeIpv6AdvertRoundTrips) {
    std::vector<IpAddress> addrs;
    for (int i = 0; i < 255; ++i) {
        auto a = ip("2001:db8::");
        std::array<std::uint8_t, 16> b{};
        std::copy(a.bytes().begin(), a.bytes().end(), b.begin());
        b[15] = static_cast<std::uint8_t>(i);
        addrs.push_back(IpAddress::v6(b));
    }
    const auto p = make(AdvertFields{}, addrs, ip("fe80::1"), ip("ff02::12"));
    EXPECT_EQ(p.bytes.size(), kMaxMessageSize);
    const auto r = decode(p.bytes, p.meta);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->addresses.to_vector(), addrs);
}

TEST(AdvertPolicy, AddressListComparisonIgnoresOrder) {
    const auto p = v3_ipv4();
    const auto r = decode(p.bytes, p.meta);
    ASSERT_TRUE(r.has_value());
    const std::vector same{ip("192.0.2.2"), ip("192.0.2.1")};
    const std::vector fewer{ip("192.0.2.1")};
    const std::vector other{ip("192.0.2.1"), ip("192.0.2.3")};
    EXPECT_TRUE(addresses_match(r->addresses, same));
    EXPECT_FALSE(addresses_match(r->addresses, fewer));
    EXPECT_FALSE(addresses_match(r->addresses, other));
}

// 255 addresses in reverse order take the sorted path; duplicates are not a match for a
// list that has each once (a multiset comparison, not "every one is found").
TEST(AdvertPolicy, AddressListComparisonOfFullListsAndDuplicates) {
    std::vector<IpAddress> addrs;
    for (int i = 0; i < 255; ++i)
        addrs.push_back(ip(("2001:db8::" + std::to_string(i + 1)).c_str()));
    const auto p = make(AdvertFields{}, addrs, ip("fe80::1"), ip("ff02::12"));
    const auto r = decode(p.bytes, p.meta);
    ASSERT_TRUE(r.has_value());
    auto reversed = addrs;
    std::reverse(reversed.begin(), reversed.end());
    EXPECT_TRUE(addresses_match(r->addresses, addrs));
    EXPECT_TRUE(addresses_match(r->addresses, reversed));
    reversed[0] = ip("2001:db8::ffff");
    EXPECT_FALSE(addresses_match(r->addresses, reversed));

    const std::vector twice{ip("192.0.2.1"), ip("192.0.2.1")};
    const std::vector both{ip("192.0.2.2"), ip("192.0.2.1")};
    const auto d = make(AdvertFields{}, twice, ip("192.0.2.12"), ip("224.0.0.18"));
    const auto dr = decode(d.bytes, d.meta);
    ASSERT_TRUE(dr.has_value());
    EXPECT_FALSE(addresses_match(dr->addresses, both));
}

TEST(DecodeErrorNames, EveryValueHasADistinctName) {
    std::vector<std::string_view> names;
    for (std::size_t i = 0; i < kDropReasonCount; ++i) {
        const auto name = to_string(static_cast<DropReason>(i));
        EXPECT_NE(name, "unknown") << i;
        EXPECT_EQ(std::count(names.begin(), names.end(), name), 0) << name;
        names.push_back(name);
    }
    EXPECT_EQ(to_string(static_cast<DropReason>(kDropReasonCount)), "unknown");
}

}  // namespace
}  // namespace vipd::proto
