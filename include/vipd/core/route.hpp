// Routes and policy rules a master installs with its VIPs (keepalived's virtual_routes and
// virtual_rules): the values config reads, the daemon hands over and os turns into netlink.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "vipd/core/ip_address.hpp"

namespace vipd {

struct IpPrefix {
    IpAddress address;
    std::uint8_t length = 32;
    friend bool operator==(const IpPrefix&, const IpPrefix&) = default;
};
[[nodiscard]] std::string to_string(const IpPrefix& p);

enum class RouteType { Unicast, Blackhole, Unreachable, Prohibit };
[[nodiscard]] const char* to_string(RouteType t);

inline constexpr std::uint32_t kMainTable = 254;  // RT_TABLE_MAIN

struct Route {
    IpPrefix to;
    std::optional<IpAddress> via;  // gateway
    std::string dev;               // empty: the kernel finds it from `via`
    std::optional<IpAddress> src;  // preferred source (often the VIP)
    std::optional<std::uint32_t> metric;
    std::uint32_t table = kMainTable;
    RouteType type = RouteType::Unicast;
    friend bool operator==(const Route&, const Route&) = default;
};
// "198.51.100.0/24 via 192.0.2.254 dev eth0 ..." as ip-route(8) would write it.
[[nodiscard]] std::string to_string(const Route& r);

struct RoutingRule {
    Family family = Family::IPv4;
    std::optional<IpPrefix> from;
    std::optional<IpPrefix> to;
    std::uint32_t table = kMainTable;
    std::optional<std::uint32_t> priority;  // none: the kernel chooses
    friend bool operator==(const RoutingRule&, const RoutingRule&) = default;
};
[[nodiscard]] std::string to_string(const RoutingRule& r);

}  // namespace vipd
