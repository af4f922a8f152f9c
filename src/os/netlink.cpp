// libnl-route adapter. The cache manager keeps link and address caches in sync with the
// kernel's multicast notifications; we mirror them into InterfaceInfo values so the rest of
// the daemon never sees a libnl object.
#include "vipd/os/netlink.hpp"

#include <linux/if_addr.h>
#include <net/if.h>
#include <netlink/cache.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace vipd::os {
namespace {

class NetlinkCategory final : public std::error_category {
public:
    [[nodiscard]] const char* name() const noexcept override { return "netlink"; }
    [[nodiscard]] std::string message(int code) const override { return nl_geterror(code); }
};

std::error_code nl_error(int code) {
    return {code < 0 ? -code : code, netlink_category()};
}

std::optional<IpAddress> from_nl_addr(const nl_addr* a) {
    if (a == nullptr) return std::nullopt;
    const auto* bytes = static_cast<const std::uint8_t*>(nl_addr_get_binary_addr(a));
    const auto len = nl_addr_get_len(a);
    if (nl_addr_get_family(a) == AF_INET && len == 4) {
        return IpAddress::v4(std::span<const std::uint8_t, 4>(bytes, 4));
    }
    if (nl_addr_get_family(a) == AF_INET6 && len == 16) {
        return IpAddress::v6(std::span<const std::uint8_t, 16>(bytes, 16));
    }
    return std::nullopt;
}

// An rtnl_addr for (ifindex, address/prefix), owned by the caller.
struct AddrDeleter {
    void operator()(rtnl_addr* a) const { rtnl_addr_put(a); }
};
using AddrPtr = std::unique_ptr<rtnl_addr, AddrDeleter>;

Expected<AddrPtr, std::error_code> make_addr(int ifindex, const IpAddress& address,
                                             std::uint8_t prefix_len) {
    AddrPtr addr(rtnl_addr_alloc());
    if (!addr) return Unexpected{std::make_error_code(std::errc::not_enough_memory)};
    const int family = address.family() == Family::IPv4 ? AF_INET : AF_INET6;
    nl_addr* local = nl_addr_build(family, address.bytes().data(), address.size());
    if (local == nullptr) return Unexpected{std::make_error_code(std::errc::not_enough_memory)};
    nl_addr_set_prefixlen(local, prefix_len);
    rtnl_addr_set_ifindex(addr.get(), ifindex);
    const int err = rtnl_addr_set_local(addr.get(), local);
    nl_addr_put(local);
    if (err < 0) return Unexpected{nl_error(err)};
    return addr;
}

}  // namespace

const std::error_category& netlink_category() {
    static const NetlinkCategory category;
    return category;
}

bool InterfaceInfo::has_address(const IpAddress& a) const {
    return std::any_of(addresses.begin(), addresses.end(),
                       [&](const InterfaceAddress& x) { return x.address == a; });
}

std::optional<IpAddress> InterfaceInfo::primary(Family family,
                                                std::span<const IpAddress> exclude) const {
    for (const auto& a : addresses) {
        if (a.address.family() != family) continue;
        if (std::find(exclude.begin(), exclude.end(), a.address) != exclude.end()) continue;
        if (family == Family::IPv4) {
            if ((a.flags & IFA_F_SECONDARY) != 0) continue;
        } else {
            // A tentative or failed link-local address can't be a source yet.
            if (!a.address.is_ipv6_link_local()) continue;
            if ((a.flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED)) != 0) continue;
        }
        return a.address;
    }
    return std::nullopt;
}

Expected<std::unique_ptr<Netlink>, std::error_code> Netlink::open(Options options) {
    std::unique_ptr<Netlink> nl(new Netlink());
    nl->request_ = nl_socket_alloc();
    if (nl->request_ == nullptr)
        return Unexpected{std::make_error_code(std::errc::not_enough_memory)};
    if (const int err = nl_connect(nl->request_, NETLINK_ROUTE); err < 0) {
        return Unexpected{nl_error(err)};
    }
    // libnl peeks at every message to size its buffer: two recvmsg calls per ack, on the
    // path of every VIP added or removed. A fixed buffer, larger than any ack or
    // notification, reads each in one (resync() peeks again for its dumps).
    nl_socket_disable_msg_peek(nl->request_);
    if (const int err = nl_socket_set_msg_buf_size(nl->request_, options.message_buffer_bytes);
        err < 0) {
        return Unexpected{nl_error(err)};
    }
    // Our own event socket with a large receive buffer (Options).
    nl->events_ = nl_socket_alloc();
    if (nl->events_ == nullptr)
        return Unexpected{std::make_error_code(std::errc::not_enough_memory)};
    if (const int err =
            nl_cache_mngr_alloc(nl->events_, NETLINK_ROUTE, NL_AUTO_PROVIDE, &nl->manager_);
        err < 0) {
        return Unexpected{nl_error(err)};
    }
    if (const int err = nl_socket_set_buffer_size(nl->events_, options.event_buffer_bytes, 0);
        err < 0) {
        return Unexpected{nl_error(err)};
    }
    // SO_RCVBUF stops at net.core.rmem_max; with CAP_NET_ADMIN the size asked for applies.
    const int wanted = options.event_buffer_bytes;
    (void)::setsockopt(nl_socket_get_fd(nl->events_), SOL_SOCKET, SO_RCVBUFFORCE, &wanted,
                       sizeof wanted);
    nl_socket_disable_msg_peek(nl->events_);
    if (const int err = nl_socket_set_msg_buf_size(nl->events_, options.message_buffer_bytes);
        err < 0) {
        return Unexpected{nl_error(err)};
    }
    if (const int err = nl_cache_mngr_add(nl->manager_, "route/link", &Netlink::on_change, nl.get(),
                                          &nl->links_);
        err < 0) {
        return Unexpected{nl_error(err)};
    }
    if (const int err = nl_cache_mngr_add(nl->manager_, "route/addr", &Netlink::on_change, nl.get(),
                                          &nl->addresses_);
        err < 0) {
        return Unexpected{nl_error(err)};
    }
    // Initial contents: the caches were filled by nl_cache_mngr_add.
    nl->rebuild();
    return nl;
}

void Netlink::rebuild() {
    interfaces_.clear();
    nl_cache_foreach(
        links_,
        [](nl_object* obj, void* self) {
            static_cast<Netlink*>(self)->apply_link(obj, NL_ACT_NEW, false);
        },
        this);
    nl_cache_foreach(
        addresses_,
        [](nl_object* obj, void* self) {
            static_cast<Netlink*>(self)->apply_address(obj, NL_ACT_NEW, false);
        },
        this);
}

std::error_code Netlink::retry_resync() {
    if (pending_resync_.empty()) return {};
    const std::string why = pending_resync_;
    return resync(why);
}

std::error_code Netlink::resync(std::string_view why) {
    ++resyncs_;
    std::vector<int> before;
    for (const auto& [index, info] : interfaces_)
        before.push_back(index);
    // A dump may hold a message larger than our fixed buffer (a link with many VFs): libnl
    // sizes its buffer by peeking while it reads one.
    nl_socket_enable_msg_peek(request_);
    int err = nl_cache_refill(request_, links_);
    if (err >= 0) err = nl_cache_refill(request_, addresses_);
    nl_socket_disable_msg_peek(request_);
    if (err < 0) {
        pending_resync_ = why;  // the view is still stale: owed
        return nl_error(err);
    }
    pending_resync_.clear();
    rebuild();
    if (callbacks_.link_changed) {
        for (const int index : before) {
            if (!interfaces_.contains(index)) callbacks_.link_changed(index);
        }
        for (const auto& [index, info] : interfaces_)
            callbacks_.link_changed(index);
    }
    if (callbacks_.resynced) callbacks_.resynced(why);
    return {};
}

Netlink::~Netlink() {
    if (manager_ != nullptr) nl_cache_mngr_free(manager_);
    if (events_ != nullptr) nl_socket_free(events_);
    if (request_ != nullptr) nl_socket_free(request_);
}

int Netlink::event_fd() const {
    return nl_cache_mngr_get_fd(manager_);
}

void Netlink::discard_queued() {
    // The dump that follows replaces everything these would say. Parsing them would cost
    // the loop seconds after a large overrun (tens of thousands of messages, each through
    // libnl's cache and our callbacks) while adverts wait; dropping them costs a recv each.
    const int fd = nl_socket_get_fd(events_);
    char byte = 0;
    for (int i = 0; i < 1'000'000; ++i) {
        const auto n = ::recv(fd, &byte, sizeof byte, MSG_DONTWAIT | MSG_TRUNC);
        if (n < 0 && errno != ENOBUFS && errno != EINTR) break;  // EAGAIN: empty
    }
}

std::error_code Netlink::process() {
    // Reads until the socket is empty: the loop waits for the next edge, so anything left
    // behind an error would wait for an unrelated event. After a loss, what is still queued
    // is dropped unread: it is older than the dump that follows.
    std::string lost = pending_resync_;
    std::error_code first_error;
    for (int round = 0; round < 64 && lost.empty(); ++round) {
        const int err = nl_cache_mngr_data_ready(manager_);
        if (err >= 0) break;
        if (err == -NLE_NOMEM) {
            // ENOBUFS: the kernel dropped notifications. Our view may be wrong in any way,
            // so start over from a dump rather than guess.
            lost = "receive buffer overrun";
        } else if (err == -NLE_MSG_TRUNC) {
            // Larger than our buffer: the kernel truncated it and it is gone.
            lost = "a notification larger than the buffer";
        } else if (!first_error) {
            first_error = nl_error(err);  // reported, and the rest still read
        }
    }
    if (!lost.empty()) {
        discard_queued();
        if (auto ec = resync(lost)) return ec;
    }
    return first_error;
}

const InterfaceInfo* Netlink::find(int ifindex) const {
    const auto it = interfaces_.find(ifindex);
    return it == interfaces_.end() ? nullptr : &it->second;
}

const InterfaceInfo* Netlink::find(std::string_view name) const {
    for (const auto& [index, info] : interfaces_) {
        if (info.name == name) return &info;
    }
    return nullptr;
}

void Netlink::on_change(nl_cache*, nl_object* obj, int action, void* self) {
    auto* nl = static_cast<Netlink*>(self);
    const std::string_view type = nl_object_get_type(obj);
    if (type == "route/link") {
        nl->apply_link(obj, action, true);
    } else if (type == "route/addr") {
        nl->apply_address(obj, action, true);
    }
}

void Netlink::apply_link(nl_object* obj, int action, bool notify) {
    auto* link = reinterpret_cast<rtnl_link*>(obj);
    // Bridge ports also get AF_BRIDGE link messages (a port leaving a bridge is an
    // AF_BRIDGE delete); only the generic AF_UNSPEC object describes the interface.
    if (rtnl_link_get_family(link) != AF_UNSPEC) return;
    const int ifindex = rtnl_link_get_ifindex(link);
    if (action == NL_ACT_DEL) {
        interfaces_.erase(ifindex);
    } else {
        auto& info = interfaces_[ifindex];
        info.ifindex = ifindex;
        if (const char* name = rtnl_link_get_name(link)) info.name = name;
        const auto flags = rtnl_link_get_flags(link);
        info.up = (flags & IFF_UP) != 0 && (flags & IFF_RUNNING) != 0;
        if (const nl_addr* mac = rtnl_link_get_addr(link);
            mac != nullptr && nl_addr_get_len(mac) == info.mac.size()) {
            std::memcpy(info.mac.data(), nl_addr_get_binary_addr(mac), info.mac.size());
        }
    }
    if (notify && callbacks_.link_changed) callbacks_.link_changed(ifindex);
}

void Netlink::apply_address(nl_object* obj, int action, bool notify) {
    auto* addr = reinterpret_cast<rtnl_addr*>(obj);
    const int ifindex = rtnl_addr_get_ifindex(addr);
    const auto address = from_nl_addr(rtnl_addr_get_local(addr));
    if (!address) return;
    auto it = interfaces_.find(ifindex);
    if (it == interfaces_.end()) {
        if (action == NL_ACT_DEL) return;
        it = interfaces_.emplace(ifindex, InterfaceInfo{.ifindex = ifindex}).first;
    }
    auto& list = it->second.addresses;
    // Keyed by address and prefix: Linux allows 192.0.2.1/24 and 192.0.2.1/32 side by side.
    const auto prefix_len = static_cast<std::uint8_t>(rtnl_addr_get_prefixlen(addr));
    const auto pos = std::find_if(list.begin(), list.end(), [&](const InterfaceAddress& a) {
        return a.address == *address && a.prefix_len == prefix_len;
    });
    const bool added = action != NL_ACT_DEL;
    if (!added) {
        if (pos != list.end()) list.erase(pos);
    } else {
        InterfaceAddress entry{*address, prefix_len,
                               static_cast<std::uint32_t>(rtnl_addr_get_flags(addr))};
        if (pos == list.end()) {
            list.push_back(entry);
        } else {
            *pos = entry;
        }
    }
    if (notify && callbacks_.address_changed) callbacks_.address_changed(ifindex, *address, added);
}

std::error_code Netlink::add(int ifindex, const IpAddress& address, std::uint8_t prefix_len) {
    auto addr = make_addr(ifindex, address, prefix_len);
    if (!addr) return addr.error();
    // IPv6 VIPs skip duplicate address detection: the VRRP election already made sure we
    // are the only owner, and DAD would hold the address unusable for a second or more.
    if (address.family() == Family::IPv6) rtnl_addr_set_flags(addr.value().get(), IFA_F_NODAD);
    const int err = rtnl_addr_add(request_, addr.value().get(), 0);
    if (err < 0 && err != -NLE_EXIST) return nl_error(err);
    return {};
}

std::error_code Netlink::remove(int ifindex, const IpAddress& address, std::uint8_t prefix_len) {
    auto addr = make_addr(ifindex, address, prefix_len);
    if (!addr) return addr.error();
    const int err = rtnl_addr_delete(request_, addr.value().get(), 0);
    if (err < 0 && err != -NLE_NOADDR && err != -NLE_OBJ_NOTFOUND) return nl_error(err);
    return {};
}

}  // namespace vipd::os
