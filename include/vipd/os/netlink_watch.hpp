// A netlink socket subscribed to multicast groups and read only to learn that something
// happened (nftables changed, a route was deleted): what happened is asked afterwards.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <system_error>

#include "vipd/core/expected.hpp"

namespace vipd::os {

class NetlinkWatch {
public:
    // `protocol` (NETLINK_ROUTE, NETLINK_NETFILTER...) and `groups`, a bit per group.
    static Expected<std::unique_ptr<NetlinkWatch>, std::error_code> open(int protocol,
                                                                         std::uint32_t groups);
    ~NetlinkWatch();
    NetlinkWatch(const NetlinkWatch&) = delete;
    NetlinkWatch& operator=(const NetlinkWatch&) = delete;
    [[nodiscard]] int fd() const { return fd_; }
    // Reads what is queued; true if a message of one of `types` was among it (empty: of
    // any type), or messages were lost (any of them may have been one).
    [[nodiscard]] bool drain(std::span<const std::uint16_t> types);

private:
    explicit NetlinkWatch(int fd) : fd_(fd) {}
    int fd_;
};

// nftables' change notifications (NFNLGRP_NFTABLES): any change, vipd's own included.
Expected<std::unique_ptr<NetlinkWatch>, std::error_code> watch_nftables();
// Route and policy rule notifications of both families (drain for RTM_DELROUTE, RTM_DELRULE).
Expected<std::unique_ptr<NetlinkWatch>, std::error_code> watch_routes();

}  // namespace vipd::os
