// Virtual routes and policy rules through libnl-route (the Netlink adapter's request
// socket): built the same way for adding and deleting, so that a delete matches.
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/route/nexthop.h>
#include <netlink/route/route.h>
#include <netlink/route/rule.h>
#include <memory>

#include "vipd/os/netlink.hpp"

namespace vipd::os {
namespace {

std::error_code nl_error(int code) {
    return {code < 0 ? -code : code, netlink_category()};
}

int af(Family f) {
    return f == Family::IPv4 ? AF_INET : AF_INET6;
}

struct AddrPut {
    void operator()(nl_addr* a) const { nl_addr_put(a); }
};
using NlAddr = std::unique_ptr<nl_addr, AddrPut>;

NlAddr build(const IpAddress& a, unsigned prefix_len) {
    NlAddr out(nl_addr_build(af(a.family()), a.bytes().data(), a.size()));
    if (out) nl_addr_set_prefixlen(out.get(), static_cast<int>(prefix_len));
    return out;
}

struct RoutePut {
    void operator()(rtnl_route* r) const { rtnl_route_put(r); }
};
struct RulePut {
    void operator()(rtnl_rule* r) const { rtnl_rule_put(r); }
};

std::uint8_t kernel_type(RouteType t) {
    switch (t) {
        case RouteType::Unicast:
            return RTN_UNICAST;
        case RouteType::Blackhole:
            return RTN_BLACKHOLE;
        case RouteType::Unreachable:
            return RTN_UNREACHABLE;
        case RouteType::Prohibit:
            return RTN_PROHIBIT;
    }
    return RTN_UNICAST;
}

const auto kNoMemory = std::make_error_code(std::errc::not_enough_memory);

}  // namespace

// The same object for adding and deleting, so that a delete matches what was added.
static Expected<std::unique_ptr<rtnl_route, RoutePut>, std::error_code> make_route(const Route& r,
                                                                                   int ifindex) {
    std::unique_ptr<rtnl_route, RoutePut> route(rtnl_route_alloc());
    if (!route) return Unexpected{kNoMemory};
    const auto family = r.to.address.family();
    rtnl_route_set_family(route.get(), static_cast<std::uint8_t>(af(family)));
    rtnl_route_set_table(route.get(), r.table);
    rtnl_route_set_type(route.get(), kernel_type(r.type));
    auto dst = build(r.to.address, r.to.length);
    if (!dst) return Unexpected{kNoMemory};
    if (int err = rtnl_route_set_dst(route.get(), dst.get()); err < 0)
        return Unexpected{nl_error(err)};
    if (r.src) {
        auto src = build(*r.src, r.src->max_prefix_length());
        if (!src) return Unexpected{kNoMemory};
        if (int err = rtnl_route_set_pref_src(route.get(), src.get()); err < 0) {
            return Unexpected{nl_error(err)};
        }
    }
    if (r.metric) rtnl_route_set_priority(route.get(), *r.metric);
    if (r.type == RouteType::Unicast) {
        rtnl_nexthop* nh = rtnl_route_nh_alloc();
        if (nh == nullptr) return Unexpected{kNoMemory};
        if (ifindex > 0) rtnl_route_nh_set_ifindex(nh, ifindex);
        if (r.via) {
            auto gw = build(*r.via, r.via->max_prefix_length());
            if (!gw) {
                rtnl_route_nh_free(nh);
                return Unexpected{kNoMemory};
            }
            rtnl_route_nh_set_gateway(nh, gw.get());
        }
        rtnl_route_add_nexthop(route.get(), nh);  // the route owns it now
    } else {
        rtnl_route_set_scope(route.get(), RT_SCOPE_UNIVERSE);
    }
    return route;
}

static Expected<std::unique_ptr<rtnl_rule, RulePut>, std::error_code> make_rule(
    const RoutingRule& r) {
    std::unique_ptr<rtnl_rule, RulePut> rule(rtnl_rule_alloc());
    if (!rule) return Unexpected{kNoMemory};
    rtnl_rule_set_family(rule.get(), af(r.family));
    rtnl_rule_set_table(rule.get(), r.table);
    rtnl_rule_set_action(rule.get(), FR_ACT_TO_TBL);
    if (r.priority) rtnl_rule_set_prio(rule.get(), *r.priority);
    if (r.from) {
        auto a = build(r.from->address, r.from->length);
        if (!a) return Unexpected{kNoMemory};
        if (int err = rtnl_rule_set_src(rule.get(), a.get()); err < 0) {
            return Unexpected{nl_error(err)};
        }
    }
    if (r.to) {
        auto a = build(r.to->address, r.to->length);
        if (!a) return Unexpected{kNoMemory};
        if (int err = rtnl_rule_set_dst(rule.get(), a.get()); err < 0) {
            return Unexpected{nl_error(err)};
        }
    }
    return rule;
}

std::error_code Netlink::add_route(const Route& r, bool& added) {
    added = false;
    int ifindex = 0;
    if (!r.dev.empty()) {
        const auto* info = find(r.dev);
        if (info == nullptr) return std::make_error_code(std::errc::no_such_device);
        ifindex = info->ifindex;
    }
    auto route = make_route(r, ifindex);
    if (!route) return route.error();
    const int err = rtnl_route_add(request_, route.value().get(), NLM_F_EXCL);
    if (err == -NLE_EXIST) return {};
    if (err < 0) return nl_error(err);
    added = true;
    return {};
}

std::error_code Netlink::remove_route(const Route& r) {
    int ifindex = 0;
    if (!r.dev.empty()) {
        const auto* info = find(r.dev);
        if (info == nullptr) return {};  // the device went, and its routes with it
        ifindex = info->ifindex;
    }
    auto route = make_route(r, ifindex);
    if (!route) return route.error();
    const int err = rtnl_route_delete(request_, route.value().get(), 0);
    if (err < 0 && err != -NLE_OBJ_NOTFOUND && err != -NLE_NOADDR) return nl_error(err);
    return {};
}

std::error_code Netlink::add_rule(const RoutingRule& r, bool& added) {
    added = false;
    auto rule = make_rule(r);
    if (!rule) return rule.error();
    const int err = rtnl_rule_add(request_, rule.value().get(), NLM_F_EXCL);
    if (err == -NLE_EXIST) return {};
    if (err < 0) return nl_error(err);
    added = true;
    return {};
}

std::error_code Netlink::remove_rule(const RoutingRule& r) {
    auto rule = make_rule(r);
    if (!rule) return rule.error();
    const int err = rtnl_rule_delete(request_, rule.value().get(), 0);
    if (err < 0 && err != -NLE_OBJ_NOTFOUND && err != -NLE_NOADDR) return nl_error(err);
    return {};
}

}  // namespace vipd::os
