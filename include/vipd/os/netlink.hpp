// Netlink through libnl-route: a live table of interfaces and their addresses, kept current
// from RTNLGRP_LINK / IFADDR events (no polling), and adding and removing VIPs.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "vipd/core/expected.hpp"
#include "vipd/core/ip_address.hpp"
#include "vipd/core/route.hpp"
#include "vipd/proto/announce.hpp"

struct nl_sock;
struct nl_cache_mngr;
struct nl_cache;
struct nl_object;

namespace vipd::os {

struct InterfaceAddress {
    IpAddress address;
    std::uint8_t prefix_len = 0;
    std::uint32_t flags = 0;  // IFA_F_*
};

struct InterfaceInfo {
    int ifindex = 0;
    std::string name;
    bool up = false;  // administratively up and carrier (IFF_UP && IFF_RUNNING)
    proto::MacAddress mac{};
    std::vector<InterfaceAddress> addresses;

    [[nodiscard]] bool has_address(const IpAddress& a) const;
    // The address VRRP sends from: IPv4, the first primary (non-secondary) address that is
    // not one of `exclude` (the VIPs); IPv6, the first usable link-local address.
    [[nodiscard]] std::optional<IpAddress> primary(Family family,
                                                   std::span<const IpAddress> exclude) const;
};

// What instances need to claim and release VIPs: tests substitute a fake.
class AddressManager {
public:
    virtual ~AddressManager() = default;
    // Idempotent: adding a present address or removing an absent one succeeds.
    virtual std::error_code add(int ifindex, const IpAddress& address, std::uint8_t prefix_len) = 0;
    virtual std::error_code remove(int ifindex, const IpAddress& address,
                                   std::uint8_t prefix_len) = 0;
};

// The routing protocol number vipd's routes and rules carry (`ip route` shows "proto 86"):
// what tells them from everyone else's. Values from RTPROT_STATIC up mean nothing to the
// kernel; this one is not among those iproute2 names.
inline constexpr std::uint8_t kRouteProtocol = 86;

// What masters need for their virtual routes and rules: tests substitute a fake. Adding
// reports whether it was missing (`added`). An entry with the same key already there is
// vipd's only if it carries kRouteProtocol; anyone else's is left alone and reported as
// std::errc::file_exists. `known`: vipd added this one before (a restore), so an entry in
// the way is taken to be that one without looking. Removing touches only vipd's entries.
class RouteManager {
public:
    virtual ~RouteManager() = default;
    virtual std::error_code add_route(const Route& route, bool known, bool& added) = 0;
    virtual std::error_code remove_route(const Route& route) = 0;
    virtual std::error_code add_rule(const RoutingRule& rule, bool known, bool& added) = 0;
    virtual std::error_code remove_rule(const RoutingRule& rule) = 0;
};

const std::error_category& netlink_category();

class Netlink final : public AddressManager, public RouteManager {
public:
    struct Callbacks {
        std::function<void(int ifindex)> link_changed;  // appeared, changed, or vanished
        std::function<void(int ifindex, const IpAddress&, bool added)> address_changed;
        // Notifications were lost (`why`); the tables were re-read from a dump and every
        // interface reported through link_changed. What changed meanwhile is not known
        // event by event: look at the tables.
        std::function<void(std::string_view why)> resynced;
    };
    struct Options {
        // The event socket's receive buffer: a mass failover adds thousands of addresses
        // while the loop is busy, and an overrun loses events (then: a resync).
        int event_buffer_bytes = 8 * 1024 * 1024;
        // One notification or ack is read into this; a larger one (a link with many VFs)
        // is truncated by the kernel, which loses it (then: a resync, whose dumps read
        // large messages whole).
        std::size_t message_buffer_bytes = 64 * 1024;
    };

    static Expected<std::unique_ptr<Netlink>, std::error_code> open(Options options);
    static Expected<std::unique_ptr<Netlink>, std::error_code> open() { return open(Options{}); }
    ~Netlink() override;
    Netlink(const Netlink&) = delete;
    Netlink& operator=(const Netlink&) = delete;

    void set_callbacks(Callbacks callbacks) { callbacks_ = std::move(callbacks); }
    // The event socket; call process() when it is readable.
    [[nodiscard]] int event_fd() const;
    std::error_code process();

    [[nodiscard]] const InterfaceInfo* find(int ifindex) const;
    [[nodiscard]] const InterfaceInfo* find(std::string_view name) const;
    [[nodiscard]] const std::map<int, InterfaceInfo>& interfaces() const { return interfaces_; }

    std::error_code add(int ifindex, const IpAddress& address, std::uint8_t prefix_len) override;
    std::error_code remove(int ifindex, const IpAddress& address, std::uint8_t prefix_len) override;
    // Routes name their device; one that does not exist is ENODEV.
    std::error_code add_route(const Route& route, bool known, bool& added) override;
    std::error_code remove_route(const Route& route) override;
    std::error_code add_rule(const RoutingRule& rule, bool known, bool& added) override;
    std::error_code remove_rule(const RoutingRule& rule) override;
    // Deletes every route and rule carrying kRouteProtocol: what a vipd that was killed
    // left behind (at start, before any instance runs). Returns how many went.
    Expected<std::size_t, std::error_code> flush_stale_routes();

    // Times notifications were lost and the tables re-read.
    [[nodiscard]] std::uint64_t resyncs() const { return resyncs_; }
    // Events were lost and re-reading the tables failed: call retry_resync() a little later
    // (process() also tries again first thing).
    [[nodiscard]] bool resync_pending() const { return !pending_resync_.empty(); }
    std::error_code retry_resync();

private:
    Netlink() = default;
    static void on_change(nl_cache* cache, nl_object* obj, int action, void* self);
    void apply_link(nl_object* obj, int action, bool notify);
    void apply_address(nl_object* obj, int action, bool notify);
    // Events were lost (receive buffer overrun, a truncated message): refill the caches
    // from a dump and report every interface as changed.
    std::error_code resync(std::string_view why);
    // Drops what waits in the event socket (before a resync).
    void discard_queued();
    void rebuild();

    nl_sock* request_ = nullptr;  // synchronous requests (address add/delete)
    nl_sock* events_ = nullptr;   // the cache manager's notification socket
    nl_cache_mngr* manager_ = nullptr;
    nl_cache* links_ = nullptr;
    nl_cache* addresses_ = nullptr;
    std::map<int, InterfaceInfo> interfaces_;
    Callbacks callbacks_;
    std::uint64_t resyncs_ = 0;
    std::string pending_resync_;  // why, while a resync is owed
};

}  // namespace vipd::os
