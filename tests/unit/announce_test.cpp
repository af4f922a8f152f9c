// Gratuitous ARP and unsolicited NA frames, byte by byte against RFC 826 / RFC 4861 §4.4.
#include "vipd/proto/announce.hpp"

#include <gtest/gtest.h>

namespace vipd::proto {
namespace {

const MacAddress kMac{0x02, 0x53, 0x00, 0x00, 0x00, 0x11};

TEST(Announce, GratuitousArpLayout) {
    const auto f = build_gratuitous_arp(kMac, *IpAddress::parse("192.0.2.1"));
    const std::array<std::uint8_t, 42> want{
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff,                // to broadcast
        0x02, 0x53, 0x00, 0x00, 0x00, 0x11,                // from us
        0x08, 0x06,                                        // ARP
        0x00, 0x01, 0x08, 0x00, 6,    4,                   // Ethernet/IPv4, lengths
        0x00, 0x01,                                        // request
        0x02, 0x53, 0x00, 0x00, 0x00, 0x11, 192, 0, 2, 1,  // sender = us, VIP
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 192, 0, 2, 1,  // target = VIP
    };
    EXPECT_TRUE(std::equal(want.begin(), want.end(), f.begin()));
    for (std::size_t i = want.size(); i < f.size(); ++i)
        EXPECT_EQ(f[i], 0) << i;
}

TEST(Announce, UnsolicitedNeighborAdvertLayout) {
    const auto target = *IpAddress::parse("2001:db8::1");
    const auto m = build_unsolicited_na(kMac, target, false);
    EXPECT_EQ(m[0], 136);  // Neighbor Advertisement
    EXPECT_EQ(m[1], 0);
    EXPECT_EQ(m[4], 0x20);  // Override only: unsolicited, not a router
    EXPECT_TRUE(std::equal(target.bytes().begin(), target.bytes().end(), m.begin() + 8));
    EXPECT_EQ(m[24], 2);  // target link-layer address option
    EXPECT_EQ(m[25], 1);
    EXPECT_TRUE(std::equal(kMac.begin(), kMac.end(), m.begin() + 26));
    EXPECT_EQ(build_unsolicited_na(kMac, target, true)[4], 0xa0);  // Router + Override
}

}  // namespace
}  // namespace vipd::proto
