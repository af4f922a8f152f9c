// Walking the netlink messages of one datagram, shared by the os layer's notification
// readers: each header copied out (the buffer promises no alignment), each length checked
// against what is left, and the walk ended at the first one that does not fit.
#pragma once

#include <linux/netlink.h>

#include <cstdint>
#include <cstring>
#include <span>

namespace vipd::os {

// Calls `each(header, body)` for every whole message in `datagram`, in order; `each`
// returns false to stop early.
template <typename F>
void each_netlink_message(std::span<const std::uint8_t> datagram, F&& each) {
    std::size_t off = 0;
    while (off + sizeof(nlmsghdr) <= datagram.size()) {
        nlmsghdr h{};
        std::memcpy(&h, datagram.data() + off, sizeof h);
        if (h.nlmsg_len < sizeof h || h.nlmsg_len > datagram.size() - off) return;
        if (!each(h, datagram.subspan(off + NLMSG_HDRLEN, h.nlmsg_len - NLMSG_HDRLEN))) return;
        off += NLMSG_ALIGN(h.nlmsg_len);
    }
}

}  // namespace vipd::os
