// Virtual routes and policy rules through libnl-route (the Netlink adapter's request
// socket): built the same way for adding and deleting, so that a delete matches.
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <netlink/cache.h>
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

struct CachePut {
    void operator()(nl_cache* c) const { nl_cache_free(c); }
};
using NlCache = std::unique_ptr<nl_cache, CachePut>;

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
    rtnl_route_set_protocol(route.get(), kRouteProtocol);  // a delete then matches only vipd's
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
    rtnl_rule_set_protocol(rule.get(), kRouteProtocol);
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

namespace {

// The kernel said EEXIST: is the entry in the way vipd's? Among the entries with the same
// key (table, destination, metric), one with vipd's protocol. One dump, only on EEXIST for
// an entry vipd has not added before.
// The same prefix: length and the bits it covers (a dumped default route has no
// address at all, vipd's is 0.0.0.0/0).
bool same_prefix(nl_addr* a, nl_addr* b) {
    const auto len = [](nl_addr* x) { return x == nullptr ? 0U : nl_addr_get_prefixlen(x); };
    if (len(a) != len(b)) return false;
    if (len(a) == 0) return true;
    return nl_addr_cmp_prefix(a, b) == 0;
}

// The metric the kernel gives a route without one.
std::uint32_t effective_metric(rtnl_route* r) {
    const auto prio = rtnl_route_get_priority(r);
    return prio == 0 && rtnl_route_get_family(r) == AF_INET6 ? 1024U : prio;
}

Expected<bool, std::error_code> route_is_ours(nl_sock* sock, rtnl_route* want) {
    nl_cache* raw = nullptr;
    if (int err = rtnl_route_alloc_cache(sock, rtnl_route_get_family(want), 0, &raw); err < 0)
        return Unexpected{nl_error(err)};
    NlCache cache(raw);
    for (auto* o = nl_cache_get_first(cache.get()); o != nullptr; o = nl_cache_get_next(o)) {
        auto* r = reinterpret_cast<rtnl_route*>(o);
        if (rtnl_route_get_table(r) != rtnl_route_get_table(want) ||
            !same_prefix(rtnl_route_get_dst(r), rtnl_route_get_dst(want)) ||
            effective_metric(r) != effective_metric(want) ||
            rtnl_route_get_protocol(r) != kRouteProtocol)
            continue;
        return true;
    }
    return false;
}

Expected<bool, std::error_code> rule_is_ours(nl_sock* sock, rtnl_rule* want) {
    nl_cache* raw = nullptr;
    if (int err = rtnl_rule_alloc_cache(sock, rtnl_rule_get_family(want), &raw); err < 0)
        return Unexpected{nl_error(err)};
    NlCache cache(raw);
    for (auto* o = nl_cache_get_first(cache.get()); o != nullptr; o = nl_cache_get_next(o)) {
        auto* r = reinterpret_cast<rtnl_rule*>(o);
        std::uint8_t proto = 0;
        if (rtnl_rule_get_table(r) != rtnl_rule_get_table(want) ||
            rtnl_rule_get_prio(r) != rtnl_rule_get_prio(want) ||
            !same_prefix(rtnl_rule_get_src(r), rtnl_rule_get_src(want)) ||
            !same_prefix(rtnl_rule_get_dst(r), rtnl_rule_get_dst(want)) ||
            rtnl_rule_get_protocol(r, &proto) < 0 || proto != kRouteProtocol)
            continue;
        return true;
    }
    return false;
}

// After EEXIST: fine if it is vipd's (or known to be), else another's entry is in the way.
std::error_code existing(Expected<bool, std::error_code> ours) {
    if (!ours) return ours.error();
    return ours.value() ? std::error_code{} : std::make_error_code(std::errc::file_exists);
}

}  // namespace

std::error_code Netlink::add_route(const Route& r, bool known, bool& added) {
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
    if (err == -NLE_EXIST) {
        return known ? std::error_code{} : existing(route_is_ours(request_, route.value().get()));
    }
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

std::error_code Netlink::add_rule(const RoutingRule& r, bool known, bool& added) {
    added = false;
    auto rule = make_rule(r);
    if (!rule) return rule.error();
    const int err = rtnl_rule_add(request_, rule.value().get(), NLM_F_EXCL);
    if (err == -NLE_EXIST) {
        return known ? std::error_code{} : existing(rule_is_ours(request_, rule.value().get()));
    }
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

Expected<std::size_t, std::error_code> Netlink::flush_stale_routes() {
    std::size_t gone = 0;
    for (const int family : {AF_INET, AF_INET6}) {
        nl_cache* raw = nullptr;
        if (int err = rtnl_rule_alloc_cache(request_, family, &raw); err < 0) {
            if (family == AF_INET6 && err == -NLE_AF_NOSUPPORT) break;  // IPv6 disabled
            return Unexpected{nl_error(err)};
        }
        NlCache rules(raw);
        for (auto* o = nl_cache_get_first(rules.get()); o != nullptr; o = nl_cache_get_next(o)) {
            auto* rule = reinterpret_cast<rtnl_rule*>(o);
            std::uint8_t proto = 0;
            if (rtnl_rule_get_protocol(rule, &proto) < 0 || proto != kRouteProtocol) continue;
            if (rtnl_rule_delete(request_, rule, 0) >= 0) ++gone;
        }
        raw = nullptr;
        if (int err = rtnl_route_alloc_cache(request_, family, 0, &raw); err < 0) {
            if (family == AF_INET6 && err == -NLE_AF_NOSUPPORT) break;
            return Unexpected{nl_error(err)};
        }
        NlCache routes(raw);
        for (auto* o = nl_cache_get_first(routes.get()); o != nullptr; o = nl_cache_get_next(o)) {
            auto* route = reinterpret_cast<rtnl_route*>(o);
            if (rtnl_route_get_protocol(route) != kRouteProtocol) continue;
            if (rtnl_route_delete(request_, route, 0) >= 0) ++gone;
        }
    }
    return gone;
}

}  // namespace vipd::os
