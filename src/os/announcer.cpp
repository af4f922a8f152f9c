// GARP frames go out whole over AF_PACKET (protocol 0: the socket never receives); NAs over
// an ICMPv6 raw socket, which fills in the checksum, with hop limit 255 as RFC 4861 requires.
#include "vipd/os/announcer.hpp"
#include "send.hpp"

#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

namespace vipd::os {
namespace {

std::error_code last_error() {
    return {errno, std::system_category()};
}

const IpAddress kAllNodes = *IpAddress::parse("ff02::1");

bool forwards_ipv6(int ifindex) {
    std::array<char, IF_NAMESIZE> name{};
    if (::if_indextoname(static_cast<unsigned>(ifindex), name.data()) == nullptr) return false;
    std::ifstream in(std::string("/proc/sys/net/ipv6/conf/") + name.data() + "/forwarding");
    int value = 0;
    return static_cast<bool>(in >> value) && value != 0;
}

}  // namespace

SocketAnnouncer::SocketAnnouncer() {
    packet_fd_ = ::socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (packet_fd_ < 0) {
        open_error_ = last_error();
        return;
    }
    icmp6_fd_ = ::socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMPV6);
    if (icmp6_fd_ < 0) {
        open_error_ = last_error();
        return;
    }
    // Send-only: filter out every ICMPv6 type so nothing queues up on the socket.
    icmp6_filter filter{};
    ICMP6_FILTER_SETBLOCKALL(&filter);
    const int hops = 255;
    if (::setsockopt(icmp6_fd_, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof(filter)) != 0 ||
        ::setsockopt(icmp6_fd_, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops)) != 0) {
        open_error_ = last_error();
    }
}

SocketAnnouncer::~SocketAnnouncer() {
    if (packet_fd_ >= 0) ::close(packet_fd_);
    if (icmp6_fd_ >= 0) ::close(icmp6_fd_);
}

std::error_code SocketAnnouncer::announce(int ifindex, const proto::MacAddress& mac,
                                          const IpAddress& vip, const IpAddress& source) {
    if (open_error_) return open_error_;
    if (vip.family() == Family::IPv4) {
        const auto frame = proto::build_gratuitous_arp(mac, vip);
        sockaddr_ll to{};
        to.sll_family = AF_PACKET;
        to.sll_protocol = htons(ETH_P_ARP);
        to.sll_ifindex = ifindex;
        to.sll_halen = ETH_ALEN;
        std::memset(to.sll_addr, 0xff, ETH_ALEN);
        if (::sendto(packet_fd_, frame.data(), frame.size(), 0, reinterpret_cast<sockaddr*>(&to),
                     sizeof(to)) < 0) {
            return last_error();
        }
        return {};
    }
    // RFC 9568 §6.4.1 (7) sets the Router flag; we set it as the kernel does in its own NAs
    // for the interface (when it forwards IPv6), so clients that use the VIP as their
    // default router keep it, and hosts that don't are not told they are routers.
    const auto na = proto::build_unsolicited_na(mac, vip, forwards_ipv6(ifindex));
    return send_from(icmp6_fd_, na, source, kAllNodes, ifindex);
}

}  // namespace vipd::os
