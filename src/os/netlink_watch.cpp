// Notification-only netlink sockets: subscribed, drained, and only whether a message of
// interest came is kept.
#include "vipd/os/netlink_watch.hpp"

#include "netlink_messages.hpp"

#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

namespace vipd::os {

Expected<std::unique_ptr<NetlinkWatch>, std::error_code> NetlinkWatch::open(int protocol,
                                                                            std::uint32_t groups) {
    const int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
    if (fd < 0) return Unexpected{std::error_code(errno, std::system_category())};
    sockaddr_nl addr{};
    addr.nl_family = AF_NETLINK;
    addr.nl_groups = groups;
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
        const std::error_code ec(errno, std::system_category());
        ::close(fd);
        return Unexpected{ec};
    }
    return std::unique_ptr<NetlinkWatch>(new NetlinkWatch(fd));
}

NetlinkWatch::~NetlinkWatch() {
    ::close(fd_);
}

bool NetlinkWatch::drain(std::span<const std::uint16_t> types) {
    std::array<std::uint8_t, 16384> buf;
    bool seen = false;
    for (int i = 0; i < 1024; ++i) {  // bounded: a busy router or ruleset does not hold the loop
        const auto n = ::recv(fd_, buf.data(), buf.size(), MSG_DONTWAIT | MSG_TRUNC);
        if (n < 0) {
            if (errno == ENOBUFS) seen = true;  // lost some: any may have been one
            if (errno == EINTR || errno == ENOBUFS) continue;
            break;  // EAGAIN: all read
        }
        // (each_netlink_message, not NLMSG_NEXT: its C cast trips -Wcast-align under clang.)
        if (static_cast<std::size_t>(n) > buf.size()) seen = true;  // cut short: assume one
        const auto len = std::min(static_cast<std::size_t>(n), buf.size());
        each_netlink_message(std::span(buf).first(len), [&](const nlmsghdr& h,
                                                            std::span<const std::uint8_t>) {
            if (types.empty() || std::find(types.begin(), types.end(), h.nlmsg_type) != types.end())
                seen = true;
            return true;
        });
    }
    return seen;
}

Expected<std::unique_ptr<NetlinkWatch>, std::error_code> watch_nftables() {
    return NetlinkWatch::open(NETLINK_NETFILTER, 1U << (NFNLGRP_NFTABLES - 1));
}

Expected<std::unique_ptr<NetlinkWatch>, std::error_code> watch_routes() {
    return NetlinkWatch::open(NETLINK_ROUTE, RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE |
                                                 (1U << (RTNLGRP_IPV4_RULE - 1)) |
                                                 (1U << (RTNLGRP_IPV6_RULE - 1)));
}

}  // namespace vipd::os
