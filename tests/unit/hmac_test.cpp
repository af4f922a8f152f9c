// draft-cassen-vrrp-auth-hmac-00's trailer against a real keepalived advert: vipd computes
// the same tag, and writes the same bytes.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <numeric>
#include <string>
#include <vector>

#include "vipd/proto/hmac.hpp"

namespace vipd::proto {
namespace {

std::vector<std::uint8_t> golden() {
    std::ifstream in(std::string(VIPD_GOLDEN_DIR) + "/keepalived-hmac-v3-ipv4.bin",
                     std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

std::vector<std::uint8_t> secret() {
    std::vector<std::uint8_t> k(32);
    std::iota(k.begin(), k.end(), std::uint8_t{0});
    return k;
}
HmacKey key() {
    return HmacKey(secret());
}

const IpAddress kSender = *IpAddress::parse("192.0.2.11");

TEST(HmacTrailer, KeepalivedsAdvertReadsAndVerifies) {
    const auto g = golden();
    ASSERT_EQ(g.size(), 40U);
    const auto t = read_hmac_trailer(g);
    ASSERT_TRUE(t);
    EXPECT_EQ(t->ext_type, kHmacSha256Trunc128);
    EXPECT_EQ(t->key_id, 1);
    EXPECT_EQ(t->sequence, 0x6b173a38658d0000ULL);
    EXPECT_TRUE(hmac_matches(g, key(), Version::V3, Vrid{51}, kSender));
}

TEST(HmacTrailer, AnythingElseChangedFails) {
    const auto g = golden();
    auto wrong = secret();
    wrong.back() ^= 1;
    EXPECT_FALSE(hmac_matches(g, HmacKey(wrong), Version::V3, Vrid{51}, kSender));
    EXPECT_FALSE(hmac_matches(g, key(), Version::V3, Vrid{51}, *IpAddress::parse("192.0.2.12")));
    EXPECT_FALSE(hmac_matches(g, key(), Version::V3, Vrid{52}, kSender));
    EXPECT_FALSE(hmac_matches(g, key(), Version::V2, Vrid{51}, kSender));
    for (std::size_t i = 0; i < g.size(); ++i) {
        auto bad = g;
        bad[i] ^= 0x01;
        // The checksum is read as zero (the kernel may rewrite it); every other bit counts.
        EXPECT_EQ(hmac_matches(bad, key(), Version::V3, Vrid{51}, kSender), i == 6 || i == 7)
            << "byte " << i;
    }
    EXPECT_FALSE(hmac_matches(std::span(g).first(20), key(), Version::V3, Vrid{51}, kSender));
}

TEST(HmacTrailer, WritingGivesKeepalivedsBytes) {
    const auto g = golden();
    auto out = g;
    std::fill(out.end() - kHmacTrailerSize, out.end(), std::uint8_t{0xAA});
    const auto t = read_hmac_trailer(g);
    ASSERT_TRUE(t);
    write_hmac_trailer(out, key(), Version::V3, Vrid{51}, kSender, *IpAddress::parse("224.0.0.18"),
                       {.ext_type = t->ext_type, .key_id = t->key_id, .sequence = t->sequence});
    EXPECT_EQ(out, g);
}

// One keyed context signs advert after advert: each tag is the one a fresh key gives
// (OpenSSL before 3.0.3 did not reset it; meson asks for a later one).
TEST(HmacTrailer, AKeyUsedAgainGivesTheSameTags) {
    const auto g = golden();
    const HmacKey once = key();
    auto other = g;
    other[2] = 99;  // another priority
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(once.tag(Version::V3, Vrid{51}, kSender, g),
                  key().tag(Version::V3, Vrid{51}, kSender, g));
        EXPECT_EQ(once.tag(Version::V3, Vrid{51}, kSender, other),
                  key().tag(Version::V3, Vrid{51}, kSender, other));
    }
    EXPECT_TRUE(hmac_matches(g, once, Version::V3, Vrid{51}, kSender));
}

TEST(HmacTrailer, MalformedTrailersAreNotRead) {
    auto g = golden();
    EXPECT_FALSE(read_hmac_trailer(std::span(g).first(8 + 27)));
    g[g.size() - kHmacTrailerSize + 2] = 1;  // reserved must be zero
    EXPECT_FALSE(read_hmac_trailer(g));
}

}  // namespace
}  // namespace vipd::proto
