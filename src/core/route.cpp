// The route and rule vocabulary's text forms, as ip-route(8) and ip-rule(8) print them.
#include "vipd/core/route.hpp"

#include <fmt/format.h>

namespace vipd {

std::string to_string(const IpPrefix& p) {
    return fmt::format("{}/{}", p.address.to_string(), p.length);
}

const char* to_string(RouteType t) {
    switch (t) {
        case RouteType::Unicast:
            return "unicast";
        case RouteType::Blackhole:
            return "blackhole";
        case RouteType::Unreachable:
            return "unreachable";
        case RouteType::Prohibit:
            return "prohibit";
    }
    return "unicast";
}

std::string to_string(const Route& r) {
    std::string out = r.type == RouteType::Unicast ? "" : std::string(to_string(r.type)) + " ";
    out += to_string(r.to);
    if (r.via) out += " via " + r.via->to_string();
    if (!r.dev.empty()) out += " dev " + r.dev;
    if (r.src) out += " src " + r.src->to_string();
    if (r.metric) out += fmt::format(" metric {}", *r.metric);
    if (r.table != kMainTable) out += fmt::format(" table {}", r.table);
    return out;
}

std::string to_string(const RoutingRule& r) {
    std::string out;
    if (r.priority) out += fmt::format("priority {} ", *r.priority);
    out += "from " + (r.from ? to_string(*r.from) : std::string("all"));
    if (r.to) out += " to " + to_string(*r.to);
    out += fmt::format(" table {}", r.table);
    return out;
}

}  // namespace vipd
