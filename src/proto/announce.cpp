// Gratuitous ARP and unsolicited NA builders; layouts from RFC 826 and RFC 4861 §4.4.
#include "vipd/proto/announce.hpp"

#include <algorithm>

namespace vipd::proto {
namespace {

constexpr std::uint16_t kEtherTypeArp = 0x0806;
constexpr std::uint16_t kEtherTypeIpv4 = 0x0800;
constexpr std::uint16_t kArpHwEthernet = 1;
constexpr std::uint16_t kArpOpRequest = 1;
constexpr std::uint8_t kIcmpv6NeighborAdvert = 136;
constexpr std::uint8_t kNdOptTargetLinkAddr = 2;

template <std::size_t N>
class Writer {
public:
    explicit Writer(std::array<std::uint8_t, N>& out) : out_(out) {}
    void u8(std::uint8_t v) { out_[at_++] = v; }
    void u16(std::uint16_t v) {
        u8(static_cast<std::uint8_t>(v >> 8U));
        u8(static_cast<std::uint8_t>(v & 0xffU));
    }
    void bytes(std::span<const std::uint8_t> b) {
        std::copy(b.begin(), b.end(), out_.begin() + static_cast<std::ptrdiff_t>(at_));
        at_ += b.size();
    }

private:
    std::array<std::uint8_t, N>& out_;
    std::size_t at_ = 0;
};

}  // namespace

std::array<std::uint8_t, kGarpFrameSize> build_gratuitous_arp(const MacAddress& mac,
                                                              const IpAddress& vip) {
    constexpr MacAddress kBroadcast{0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    std::array<std::uint8_t, kGarpFrameSize> frame{};  // tail stays zero: Ethernet padding
    Writer w(frame);
    w.bytes(kBroadcast);  // Ethernet destination
    w.bytes(mac);         // Ethernet source
    w.u16(kEtherTypeArp);
    w.u16(kArpHwEthernet);
    w.u16(kEtherTypeIpv4);
    w.u8(6);  // hardware address length
    w.u8(4);  // protocol address length
    w.u16(kArpOpRequest);
    w.bytes(mac);          // sender hardware address
    w.bytes(vip.bytes());  // sender protocol address
    // Target hardware address: broadcast, as keepalived sends it; receivers ignore it in
    // a gratuitous request, but some switches' ARP inspection expects it.
    w.bytes(kBroadcast);
    w.bytes(vip.bytes());  // target protocol address = sender's: that makes it gratuitous
    return frame;
}

std::array<std::uint8_t, kUnsolicitedNaSize> build_unsolicited_na(const MacAddress& mac,
                                                                  const IpAddress& target,
                                                                  bool router) {
    std::array<std::uint8_t, kUnsolicitedNaSize> msg{};
    Writer w(msg);
    w.u8(kIcmpv6NeighborAdvert);
    w.u8(0);   // code
    w.u16(0);  // checksum: computed by the kernel for ICMPv6 raw sockets
    // Flags R S O then 29 reserved bits. Unsolicited: S clear; O set so caches update.
    w.u8(static_cast<std::uint8_t>((router ? 0x80U : 0U) | 0x20U));
    w.u8(0);
    w.u16(0);
    w.bytes(target.bytes());
    w.u8(kNdOptTargetLinkAddr);
    w.u8(1);  // option length in units of 8 bytes
    w.bytes(mac);
    return msg;
}

}  // namespace vipd::proto
