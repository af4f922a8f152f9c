// One sendmsg() with per-packet source and interface, for both address families.
#include "send.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace vipd::os {

std::error_code send_from(int fd, std::span<const std::uint8_t> data, const IpAddress& src,
                          const IpAddress& dst, int ifindex) {
    iovec iov{const_cast<std::uint8_t*>(data.data()), data.size()};
    alignas(cmsghdr) std::array<std::uint8_t, CMSG_SPACE(sizeof(in6_pktinfo))> control{};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.data();
    auto* cm = reinterpret_cast<cmsghdr*>(control.data());
    sockaddr_in to4{};
    sockaddr_in6 to6{};
    if (dst.family() == Family::IPv4) {
        to4.sin_family = AF_INET;
        std::memcpy(&to4.sin_addr, dst.bytes().data(), 4);
        msg.msg_name = &to4;
        msg.msg_namelen = sizeof(to4);
        in_pktinfo info{};
        info.ipi_ifindex = ifindex;
        if (src.family() == Family::IPv4) std::memcpy(&info.ipi_spec_dst, src.bytes().data(), 4);
        cm->cmsg_level = IPPROTO_IP;
        cm->cmsg_type = IP_PKTINFO;
        cm->cmsg_len = CMSG_LEN(sizeof(info));
        std::memcpy(CMSG_DATA(cm), &info, sizeof(info));
        msg.msg_controllen = CMSG_SPACE(sizeof(info));
    } else {
        to6.sin6_family = AF_INET6;
        std::memcpy(&to6.sin6_addr, dst.bytes().data(), 16);
        // The kernel only looks at the scope for link-local and multicast destinations.
        to6.sin6_scope_id = static_cast<std::uint32_t>(ifindex);
        msg.msg_name = &to6;
        msg.msg_namelen = sizeof(to6);
        in6_pktinfo info{};
        info.ipi6_ifindex = static_cast<unsigned>(ifindex);
        if (src.family() == Family::IPv6) std::memcpy(&info.ipi6_addr, src.bytes().data(), 16);
        cm->cmsg_level = IPPROTO_IPV6;
        cm->cmsg_type = IPV6_PKTINFO;
        cm->cmsg_len = CMSG_LEN(sizeof(info));
        std::memcpy(CMSG_DATA(cm), &info, sizeof(info));
        msg.msg_controllen = CMSG_SPACE(sizeof(info));
    }
    if (::sendmsg(fd, &msg, MSG_DONTWAIT) < 0) return {errno, std::system_category()};
    return {};
}

}  // namespace vipd::os
