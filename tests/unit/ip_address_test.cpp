// IpAddress parsing, formatting and the network-order ordering used for tie-breaks.
#include "vipd/core/ip_address.hpp"

#include <gtest/gtest.h>

namespace vipd {
namespace {

TEST(IpAddress, ParsesAndFormatsIpv4) {
    const auto a = IpAddress::parse("192.0.2.1");
    ASSERT_TRUE(a.has_value());
    EXPECT_EQ(a->family(), Family::IPv4);
    EXPECT_EQ(a->size(), 4U);
    EXPECT_EQ(a->to_string(), "192.0.2.1");
    EXPECT_EQ(a->bytes()[0], 192);
    EXPECT_EQ(a->bytes()[3], 1);
}

TEST(IpAddress, ParsesAndFormatsIpv6) {
    const auto a = IpAddress::parse("2001:db8::1");
    ASSERT_TRUE(a.has_value());
    EXPECT_EQ(a->family(), Family::IPv6);
    EXPECT_EQ(a->size(), 16U);
    EXPECT_EQ(a->to_string(), "2001:db8::1");
    EXPECT_FALSE(a->is_ipv6_link_local());
    EXPECT_TRUE(IpAddress::parse("fe80::1")->is_ipv6_link_local());
    EXPECT_TRUE(IpAddress::parse("febf::1")->is_ipv6_link_local());
    EXPECT_FALSE(IpAddress::parse("fec0::1")->is_ipv6_link_local());
}

TEST(IpAddress, RejectsGarbage) {
    for (const char* bad : {"", "192.0.2", "192.0.2.256", "2001:db8:::1", "host", "192.0.2.1/24",
                            " 192.0.2.1", "0123456789012345678901234567890123456789012345678"}) {
        EXPECT_FALSE(IpAddress::parse(bad).has_value()) << bad;
    }
}

TEST(IpAddress, OrdersAsUnsignedNetworkOrder) {
    // 192.0.2.200 > 192.0.2.13 > 10.x: unsigned byte-wise, not signed or host order.
    const auto a = *IpAddress::parse("192.0.2.200");
    const auto b = *IpAddress::parse("192.0.2.13");
    const auto c = *IpAddress::parse("198.18.0.1");
    EXPECT_GT(a, b);
    EXPECT_GT(c, a);
    EXPECT_EQ(a, *IpAddress::parse("192.0.2.200"));
    EXPECT_GT(*IpAddress::parse("2001:db8::ff00"), *IpAddress::parse("2001:db8::1"));
    EXPECT_LT(*IpAddress::parse("255.255.255.255"), *IpAddress::parse("::"));  // v4 before v6
}

TEST(IpAddress, DefaultIsUnspecifiedIpv4) {
    const IpAddress a;
    EXPECT_EQ(a.family(), Family::IPv4);
    EXPECT_TRUE(a.is_unspecified());
    EXPECT_FALSE(IpAddress::parse("192.0.2.1")->is_unspecified());
    EXPECT_TRUE(IpAddress::parse("::")->is_unspecified());
}

TEST(IpAddress, ClassifiesMulticastAndLoopback) {
    EXPECT_TRUE(IpAddress::parse("224.0.0.18")->is_multicast());
    EXPECT_TRUE(IpAddress::parse("239.255.255.255")->is_multicast());
    EXPECT_FALSE(IpAddress::parse("223.255.255.255")->is_multicast());
    EXPECT_FALSE(IpAddress::parse("240.0.0.1")->is_multicast());
    EXPECT_TRUE(IpAddress::parse("ff02::12")->is_multicast());
    EXPECT_FALSE(IpAddress::parse("fe80::1")->is_multicast());

    EXPECT_TRUE(IpAddress::parse("127.0.0.1")->is_loopback());
    EXPECT_TRUE(IpAddress::parse("127.255.0.9")->is_loopback());
    EXPECT_FALSE(IpAddress::parse("128.0.0.1")->is_loopback());
    EXPECT_TRUE(IpAddress::parse("::1")->is_loopback());
    EXPECT_FALSE(IpAddress::parse("::2")->is_loopback());
    EXPECT_FALSE(IpAddress::parse("1::1")->is_loopback());
    EXPECT_FALSE(IpAddress::parse("::")->is_loopback());

    EXPECT_EQ(IpAddress::parse("192.0.2.1")->max_prefix_length(), 32U);
    EXPECT_EQ(IpAddress::parse("2001:db8::1")->max_prefix_length(), 128U);
}

TEST(IpAddress, ParsesAnAddressWithAnOptionalPrefixLength) {
    auto p = parse_address_and_prefix("192.0.2.1/24");
    ASSERT_TRUE(p.has_value());
    EXPECT_EQ(p->address, *IpAddress::parse("192.0.2.1"));
    EXPECT_EQ(p->prefix_length, 24U);
    p = parse_address_and_prefix("2001:db8::1");
    ASSERT_TRUE(p.has_value());
    EXPECT_FALSE(p->prefix_length.has_value());
    // Out of the family's range is the caller's to judge; the text is well formed.
    EXPECT_EQ(parse_address_and_prefix("192.0.2.1/99")->prefix_length, 99U);
    for (const char* bad : {"192.0.2.1/", "192.0.2.1/x", "192.0.2.1/1234", "192.0.2.1/-1",
                            "192.0.2.1/24/1", "192.0.2/24", "/24", ""}) {
        EXPECT_FALSE(parse_address_and_prefix(bad).has_value()) << bad;
    }
}

}  // namespace
}  // namespace vipd
