// Netlink's link and address events, fanned out to the instances they concern: a link that
// changed to every instance, a VIP someone removed to the instances configured with it, an
// interface address that changed to the instances on that interface; after events were
// lost, every master checks that it still holds its VIPs.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <spdlog/logger.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "reconciler.hpp"
#include "vipd/os/netlink.hpp"

namespace vipd {

class LinkEvents {
public:
    struct Hooks {
        std::function<void()> links_changing;  // before the instances see a link change
        std::function<void()> links_changed;   // after they did
        std::function<void()> addresses_changed;
    };
    LinkEvents(boost::asio::io_context& io, os::Netlink& netlink, const InstanceMap& instances,
               std::shared_ptr<spdlog::logger> log, Hooks hooks);
    ~LinkEvents();
    LinkEvents(const LinkEvents&) = delete;
    LinkEvents& operator=(const LinkEvents&) = delete;

    // Re-reads which instance has which VIP; after every change to the instances.
    void index();
    // Reads netlink's events as they come, from now on.
    void watch();

private:
    void link_changed();
    void address_changed(int ifindex, const IpAddress& address, bool added);
    void resynced(std::string_view why);
    void retry_later();

    os::Netlink& netlink_;
    const InstanceMap& instances_;
    std::shared_ptr<spdlog::logger> log_;
    Hooks hooks_;
    boost::asio::posix::stream_descriptor fd_;
    boost::asio::steady_timer retry_;  // a failed resync, again
    // (interface, VIP) -> the instances configured with it: an address change is looked up,
    // not compared against every instance (a mass failover makes a thousand of them).
    std::map<std::pair<std::string, IpAddress>, std::vector<Instance*>> vip_owners_;
};

}  // namespace vipd
