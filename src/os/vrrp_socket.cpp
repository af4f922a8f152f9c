// Raw VRRP sockets. IPv4 raw sockets deliver the IP header, so TTL and addresses come from
// it; IPv6 raw sockets deliver the payload only, so hop limit and destination come from
// ancillary data (IPV6_RECVHOPLIMIT, IPV6_RECVPKTINFO).
#include "vipd/os/vrrp_socket.hpp"
#include "send.hpp"
#include "vipd/proto/wire.hpp"

#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace vipd::os {
namespace {

constexpr int kTosControl = 0xc0;  // internetwork control, as keepalived and FRR send

std::error_code last_error() {
    return {errno, std::system_category()};
}

template <typename T>
std::error_code set_option(int fd, int level, int name, const T& value) {
    if (::setsockopt(fd, level, name, &value, sizeof(value)) != 0) return last_error();
    return {};
}

constexpr int kReceiveBufferBytes = 4 * 1024 * 1024;

std::error_code configure_v4(int fd, int ifindex, bool join_group) {
    if (auto ec = set_option(fd, IPPROTO_IP, IP_MULTICAST_TTL, int{proto::kTtl})) return ec;
    if (auto ec = set_option(fd, IPPROTO_IP, IP_TTL, int{proto::kTtl})) return ec;  // unicast peers
    if (auto ec = set_option(fd, IPPROTO_IP, IP_TOS, kTosControl)) return ec;
    if (auto ec = set_option(fd, IPPROTO_IP, IP_MULTICAST_LOOP, 0)) return ec;
    ip_mreqn mreq{};
    mreq.imr_ifindex = ifindex;
    if (auto ec = set_option(fd, IPPROTO_IP, IP_MULTICAST_IF, mreq)) return ec;
    if (join_group) {
        std::memcpy(&mreq.imr_multiaddr, proto::kVrrpGroupV4.bytes().data(), 4);
        if (auto ec = set_option(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, mreq)) return ec;
    }
    return {};
}

std::error_code configure_v6(int fd, int ifindex, bool join_group) {
    if (auto ec = set_option(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, int{proto::kTtl})) return ec;
    if (auto ec = set_option(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, int{proto::kTtl})) return ec;
    if (auto ec = set_option(fd, IPPROTO_IPV6, IPV6_TCLASS, kTosControl)) return ec;
    if (auto ec = set_option(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0)) return ec;
    if (auto ec = set_option(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, ifindex)) return ec;
    if (auto ec = set_option(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1)) return ec;
    if (auto ec = set_option(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1)) return ec;
    if (join_group) {
        ipv6_mreq mreq{};
        std::memcpy(&mreq.ipv6mr_multiaddr, proto::kVrrpGroupV6.bytes().data(), 16);
        mreq.ipv6mr_interface = static_cast<unsigned>(ifindex);
        if (auto ec = set_option(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, mreq)) return ec;
    }
    return {};
}

}  // namespace

struct RxBatch::Buffers {
    static constexpr std::size_t kSlot = 4200;
    std::array<std::array<std::uint8_t, kSlot>, kSize> data{};
    std::array<mmsghdr, kSize> headers{};
    std::array<iovec, kSize> iov{};
    std::array<sockaddr_in6, kSize> from{};
    std::array<std::array<std::uint8_t, 128>, kSize> control{};
};

RxBatch::RxBatch() : buffers_(std::make_unique<Buffers>()) {}
RxBatch::~RxBatch() = default;

struct VrrpSocket::Header {
    msghdr msg;
};

Expected<std::unique_ptr<VrrpSocket>, std::error_code> VrrpSocket::open(Family family, int ifindex,
                                                                        const std::string& ifname,
                                                                        bool join_group) {
    const int domain = family == Family::IPv4 ? AF_INET : AF_INET6;
    const int fd = ::socket(domain, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto::kIpProtoVrrp);
    if (fd < 0) return Unexpected{last_error()};
    std::unique_ptr<VrrpSocket> sock(new VrrpSocket(fd, family, ifindex));
    // Only this interface's packets: the same VRID may exist on another segment.
    if (::setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname.c_str(),
                     static_cast<socklen_t>(ifname.size())) != 0) {
        return Unexpected{last_error()};
    }
    const auto ec = family == Family::IPv4 ? configure_v4(fd, ifindex, join_group)
                                           : configure_v6(fd, ifindex, join_group);
    if (ec) return Unexpected{ec};
    // Room for a burst: the default (~200 KiB, a few hundred adverts) overflows within 5 ms
    // under a flood on the link, and an overflow drops the master's adverts with the rest,
    // so a backup would take over. Beyond rmem_max needs CAP_NET_ADMIN (we have it); without
    // it the kernel's cap applies.
    if (set_option(fd, SOL_SOCKET, SO_RCVBUFFORCE, kReceiveBufferBytes)) {
        (void)set_option(fd, SOL_SOCKET, SO_RCVBUF, kReceiveBufferBytes);
    }
    return sock;
}

VrrpSocket::~VrrpSocket() {
    ::close(fd_);
}

std::error_code VrrpSocket::send(std::span<const std::uint8_t> message, const IpAddress& src,
                                 const IpAddress& dst) {
    return send_from(fd_, message, src, dst, ifindex_);
}

ReceivedPacket VrrpSocket::parse(std::span<const std::uint8_t> buffer, std::size_t len,
                                 const Header& header) const {
    const msghdr& msg = header.msg;
    ReceivedPacket pkt{};
    pkt.meta.ifindex = static_cast<std::uint32_t>(ifindex_);
    len = std::min(len, buffer.size());  // MSG_TRUNC: the rest is not there (a decode error)

    if (family_ == Family::IPv4) {
        // The kernel hands us the IPv4 header: IHL, TTL and both addresses come from it.
        if (len < 20 || (buffer[0] >> 4U) != 4) return pkt;
        const std::size_t ihl = (buffer[0] & 0x0fU) * 4U;
        const std::size_t total = static_cast<std::size_t>(buffer[2] << 8U | buffer[3]);
        if (ihl < 20 || ihl > len) return pkt;
        const std::size_t end = std::min(len, std::max(total, ihl));
        pkt.meta.ttl = buffer[8];
        pkt.meta.src = IpAddress::v4(std::span<const std::uint8_t, 4>(buffer.data() + 12, 4));
        pkt.meta.dst = IpAddress::v4(std::span<const std::uint8_t, 4>(buffer.data() + 16, 4));
        pkt.message = buffer.subspan(ihl, end - ihl);
        return pkt;
    }

    const auto* from = static_cast<const sockaddr_in6*>(msg.msg_name);
    std::array<std::uint8_t, 16> src{};
    std::memcpy(src.data(), &from->sin6_addr, 16);
    pkt.meta.src = IpAddress::v6(src);
    pkt.meta.dst = IpAddress::v6(std::array<std::uint8_t, 16>{});
    auto* m = const_cast<msghdr*>(&msg);  // the CMSG macros take a non-const msghdr
    for (cmsghdr* cm = CMSG_FIRSTHDR(m); cm != nullptr; cm = CMSG_NXTHDR(m, cm)) {
        if (cm->cmsg_level != IPPROTO_IPV6) continue;
        if (cm->cmsg_type == IPV6_HOPLIMIT) {
            int hops = 0;
            std::memcpy(&hops, CMSG_DATA(cm), sizeof(hops));
            pkt.meta.ttl = static_cast<std::uint8_t>(hops);
        } else if (cm->cmsg_type == IPV6_PKTINFO) {
            in6_pktinfo info{};
            std::memcpy(&info, CMSG_DATA(cm), sizeof(info));
            std::array<std::uint8_t, 16> dst{};
            std::memcpy(dst.data(), &info.ipi6_addr, 16);
            pkt.meta.dst = IpAddress::v6(dst);
            pkt.meta.ifindex = info.ipi6_ifindex;
        }
    }
    pkt.message = buffer.first(len);
    return pkt;
}

std::size_t VrrpSocket::receive_batch(RxBatch& rx, std::error_code& ec) {
    ec.clear();
    rx.count_ = 0;
    auto& batch = *rx.buffers_;
    for (std::size_t i = 0; i < RxBatch::kSize; ++i) {
        auto& h = batch.headers[i].msg_hdr;
        h = msghdr{};
        batch.iov[i] = iovec{batch.data[i].data(), batch.data[i].size()};
        h.msg_name = &batch.from[i];
        h.msg_namelen = sizeof(sockaddr_in6);
        h.msg_iov = &batch.iov[i];
        h.msg_iovlen = 1;
        h.msg_control = batch.control[i].data();
        h.msg_controllen = batch.control[i].size();
    }
    const int n = ::recvmmsg(fd_, batch.headers.data(), RxBatch::kSize, MSG_DONTWAIT, nullptr);
    if (n < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK) ec = last_error();
        return 0;
    }
    for (int i = 0; i < n; ++i) {
        const auto k = static_cast<std::size_t>(i);
        rx.packets_[k] =
            parse(batch.data[k], batch.headers[k].msg_len, Header{batch.headers[k].msg_hdr});
    }
    rx.count_ = static_cast<std::size_t>(n);
    return rx.count_;
}

std::size_t poll_readable(std::span<const int> fds, std::vector<bool>& readable) {
    thread_local std::vector<pollfd> set;  // reused: this runs every tick under load
    set.clear();
    for (const int fd : fds)
        set.push_back(pollfd{fd, POLLIN, 0});
    readable.assign(fds.size(), false);
    if (::poll(set.data(), set.size(), 0) <= 0) return 0;
    std::size_t n = 0;
    for (std::size_t i = 0; i < set.size(); ++i) {
        readable[i] = (set[i].revents & (POLLIN | POLLERR)) != 0;
        n += readable[i] ? 1U : 0U;
    }
    return n;
}

}  // namespace vipd::os
