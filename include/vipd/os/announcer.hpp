// Sends gratuitous ARP (AF_PACKET) and unsolicited Neighbor Advertisements (ICMPv6 raw
// socket) for virtual addresses. One of each socket for the whole daemon.
#pragma once

#include <system_error>

#include "vipd/core/ip_address.hpp"
#include "vipd/proto/announce.hpp"

namespace vipd::os {

class Announcer {
public:
    virtual ~Announcer() = default;
    // One announcement of `vip` on the interface whose MAC is `mac`. `source` is used as the
    // IPv6 source (a link-local address); unspecified lets the kernel choose.
    virtual std::error_code announce(int ifindex, const proto::MacAddress& mac,
                                     const IpAddress& vip, const IpAddress& source) = 0;
};

class SocketAnnouncer final : public Announcer {
public:
    SocketAnnouncer();
    ~SocketAnnouncer() override;
    SocketAnnouncer(const SocketAnnouncer&) = delete;
    SocketAnnouncer& operator=(const SocketAnnouncer&) = delete;

    // The error from opening the sockets, if any (then announce() fails with it).
    [[nodiscard]] std::error_code open_error() const { return open_error_; }

    std::error_code announce(int ifindex, const proto::MacAddress& mac, const IpAddress& vip,
                             const IpAddress& source) override;

private:
    int packet_fd_ = -1;
    int icmp6_fd_ = -1;
    std::error_code open_error_;
};

}  // namespace vipd::os
