// The Internet checksum and the VRRP pseudo-header variants, checked against hand-worked
// values (RFC 1071 §3 example) and against each other.
#include "vipd/proto/checksum.hpp"

#include <gtest/gtest.h>

#include <array>
#include <vector>

namespace vipd::proto {
namespace {

TEST(Checksum, Rfc1071WorkedExample) {
    // RFC 1071 §3: bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2 (one's complement).
    const std::array<std::uint8_t, 8> bytes{0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    EXPECT_EQ(ones_complement_add(0, bytes), 0xddf2U);
    const IpAddress none;
    EXPECT_EQ(vrrp_checksum(bytes, ChecksumVariant::MessageOnly, none, none), 0x220dU);
}

TEST(Checksum, OddLengthIsZeroPadded) {
    const std::array<std::uint8_t, 3> odd{0x12, 0x34, 0x56};
    const std::array<std::uint8_t, 4> padded{0x12, 0x34, 0x56, 0x00};
    EXPECT_EQ(ones_complement_add(0, odd), ones_complement_add(0, padded));
}

TEST(Checksum, CarriesFoldBackIn) {
    const std::array<std::uint8_t, 4> bytes{0xff, 0xff, 0x00, 0x02};
    EXPECT_EQ(ones_complement_add(0, bytes), 0x0002U);  // 0xffff + 2 = 0x10001 -> 0x0002
}

TEST(Checksum, ValidAfterInsertingComputedValue) {
    const auto src = *IpAddress::parse("192.0.2.11");
    const auto dst = *IpAddress::parse("224.0.0.18");
    for (const auto variant : {ChecksumVariant::MessageOnly, ChecksumVariant::PseudoHeader}) {
        std::vector<std::uint8_t> msg{0x31, 0x33, 0x96, 0x01, 0x00, 0x64, 0x00, 0x00, 192, 0, 2, 1};
        const auto sum = vrrp_checksum(msg, variant, src, dst);
        msg[6] = static_cast<std::uint8_t>(sum >> 8U);
        msg[7] = static_cast<std::uint8_t>(sum & 0xffU);
        EXPECT_TRUE(vrrp_checksum_valid(msg, variant, src, dst));
        msg[2] ^= 0x01;
        EXPECT_FALSE(vrrp_checksum_valid(msg, variant, src, dst));
    }
}

TEST(Checksum, PseudoHeaderDependsOnAddressesAndVariantsDiffer) {
    const std::vector<std::uint8_t> msg{0x31, 0x33, 0x96, 0x01, 0x00, 0x64,
                                        0x00, 0x00, 192,  0,    2,    1};
    const auto src = *IpAddress::parse("192.0.2.11");
    const auto other = *IpAddress::parse("192.0.2.12");
    const auto dst = *IpAddress::parse("224.0.0.18");
    const auto a = vrrp_checksum(msg, ChecksumVariant::PseudoHeader, src, dst);
    EXPECT_NE(a, vrrp_checksum(msg, ChecksumVariant::PseudoHeader, other, dst));
    EXPECT_NE(a, vrrp_checksum(msg, ChecksumVariant::MessageOnly, src, dst));
    // Message-only ignores the addresses entirely.
    EXPECT_EQ(vrrp_checksum(msg, ChecksumVariant::MessageOnly, src, dst),
              vrrp_checksum(msg, ChecksumVariant::MessageOnly, other, dst));
}

TEST(Checksum, Ipv4PseudoHeaderMatchesHandComputation) {
    // Pseudo-header 192.0.2.11 -> 224.0.0.18, proto 112, length 12, summed by hand:
    // c000 + 020b + e000 + 0012 + 0070 + 000c = 1a299 -> a29a; plus the message words.
    const std::vector<std::uint8_t> msg{0x31, 0x33, 0x96, 0x01, 0x00, 0x64,
                                        0x00, 0x00, 192,  0,    2,    1};
    const auto src = *IpAddress::parse("192.0.2.11");
    const auto dst = *IpAddress::parse("224.0.0.18");
    // message: 3133 + 9601 + 0064 + 0000 + c000 + 0201 = 18999 -> 899a
    const std::uint32_t expected_sum = 0xa29aU + 0x899aU;  // 0x12c34 -> 0x2c35
    const auto folded = (expected_sum & 0xffffU) + (expected_sum >> 16U);
    EXPECT_EQ(vrrp_checksum(msg, ChecksumVariant::PseudoHeader, src, dst),
              static_cast<std::uint16_t>(~folded & 0xffffU));
    EXPECT_EQ(vrrp_checksum(msg, ChecksumVariant::MessageOnly, src, dst),
              static_cast<std::uint16_t>(~0x899aU & 0xffffU));
}

}  // namespace
}  // namespace vipd::proto
