// An instance's virtual_routes and virtual_rules (keepalived's): each entry a group whose
// addresses, table and metric are checked here, with FILE:LINE, before any reaches netlink.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <functional>

#include "loader.hpp"

namespace vipd::config {

namespace {
constexpr long long kMaxTable = 0xFFFFFFFFLL;
constexpr long long kMaxRulePriority = 32766;  // 32767: the kernel's "default" rule
}  // namespace

std::optional<IpPrefix> Loader::prefix_value(const Setting& s) {
    const auto text = schema_.string_value(s);
    if (!text) return std::nullopt;
    const auto p = parse_address_and_prefix(*text);
    if (!p) {
        schema_.error(s, fmt::format("invalid prefix '{}' (expected IP or IP/PREFIX)", *text));
        return std::nullopt;
    }
    const unsigned max = p->address.max_prefix_length();
    const unsigned len = p->prefix_length.value_or(max);
    if (len > max) {
        schema_.error(s,
                      fmt::format("prefix length of '{}' must be in the range 0..{}", *text, max));
        return std::nullopt;
    }
    // The kernel refuses (IPv4) or quietly clears (IPv6) bits past the prefix length; either
    // way the entry would not be the one written, and vipd could not find it again.
    std::array<std::uint8_t, IpAddress::kV6Size> masked{};
    const auto bytes = p->address.bytes();
    bool host_bits = false;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        const unsigned first = static_cast<unsigned>(i) * 8;  // bit index of this byte
        const unsigned keep = len <= first ? 0 : std::min(8U, len - first);
        const auto mask = static_cast<std::uint8_t>(0xFF00U >> keep);
        masked[i] = static_cast<std::uint8_t>(bytes[i] & mask);
        host_bits = host_bits || masked[i] != bytes[i];
    }
    if (host_bits) {
        const auto network = bytes.size() == IpAddress::kV4Size
                                 ? IpAddress::v4(std::span<const std::uint8_t, IpAddress::kV4Size>(
                                       masked.data(), IpAddress::kV4Size))
                                 : IpAddress::v6(masked);
        schema_.error(s, fmt::format("'{}' has bits set past its prefix length; write '{}/{}'",
                                     *text, network.to_string(), len));
        return std::nullopt;
    }
    return IpPrefix{p->address, static_cast<std::uint8_t>(len)};
}

std::optional<IpAddress> Loader::address_value(const Setting& s, const char* what) {
    const auto text = schema_.string_value(s);
    if (!text) return std::nullopt;
    const auto a = IpAddress::parse(*text);
    if (!a) {
        schema_.error(s, fmt::format("invalid {} '{}' (expected an IP address)", what, *text));
        return std::nullopt;
    }
    return a;
}

void Loader::each_group(const Setting& s, const char* key, const char* shape, KeySet keys,
                        const std::function<void(const Setting&)>& each) {
    const Setting* list = Schema::find(s, key);
    if (list == nullptr) return;
    if (!list->isList()) {
        schema_.error(*list,
                      fmt::format("'{}' must be a list of groups: {} = ( {} );", key, key, shape));
        return;
    }
    for (int i = 0; i < list->getLength(); ++i) {
        const Setting& e = (*list)[i];
        if (!e.isGroup()) {
            schema_.error(e, fmt::format("each of '{}' is a group {}", key, shape));
            continue;
        }
        schema_.check_keys(e, keys);
        each(e);
    }
}

void Loader::virtual_routes(const Setting& s, InstanceConfig& c) {
    each_group(
        s, "virtual_routes", "{ to = \"PREFIX\"; via = \"IP\"; }", kRouteKeys,
        [&](const Setting& e) {
            Route r;
            bool ok = true;
            if (const auto* t = Schema::find(e, "type")) {
                const auto name = schema_.string_value(*t).value_or("");
                if (name == "unicast") {
                    r.type = RouteType::Unicast;
                } else if (name == "blackhole") {
                    r.type = RouteType::Blackhole;
                } else if (name == "unreachable") {
                    r.type = RouteType::Unreachable;
                } else if (name == "prohibit") {
                    r.type = RouteType::Prohibit;
                } else {
                    schema_.error(*t, fmt::format("unknown route type '{}' (expected unicast, "
                                                  "blackhole, unreachable or prohibit)",
                                                  name));
                    ok = false;
                }
            }
            const auto same_family = [&](const Setting& where, const IpAddress& a,
                                         const char* key) {
                if (a.family() == r.to.address.family()) return true;
                schema_.error(where,
                              fmt::format("'{}' is {} but 'to' is {}", key, family_name(a.family()),
                                          family_name(r.to.address.family())));
                return false;
            };
            if (const auto* t = Schema::find(e, "to")) {
                if (auto p = prefix_value(*t)) {
                    r.to = *p;
                } else {
                    ok = false;
                }
            } else {
                schema_.error(e, "a virtual route needs 'to' (the destination, IP/PREFIX)");
                return;
            }
            if (!ok) return;
            if (const auto* v = Schema::find(e, "via")) {
                r.via = address_value(*v, "gateway");
                ok = ok && r.via && same_family(*v, *r.via, "via");
            }
            if (const auto* d = Schema::find(e, "dev")) {
                r.dev = schema_.string_value(*d).value_or("");
                if (!valid_interface(r.dev)) {
                    schema_.error(*d, fmt::format("'{}' is not a valid interface name", r.dev));
                    ok = false;
                }
            }
            if (const auto* v = Schema::find(e, "src")) {
                r.src = address_value(*v, "source");
                ok = ok && r.src && same_family(*v, *r.src, "src");
            }
            if (const auto* m = Schema::find(e, "metric")) {
                if (const auto x = schema_.int_value(*m, 0, kMaxTable)) {
                    r.metric = static_cast<std::uint32_t>(*x);
                } else {
                    ok = false;
                }
            }
            if (const auto* t = Schema::find(e, "table")) {
                if (const auto x = schema_.int_value(*t, 1, kMaxTable)) {
                    r.table = static_cast<std::uint32_t>(*x);
                } else {
                    ok = false;
                }
            }
            if (r.type == RouteType::Unicast && !r.via && r.dev.empty()) {
                schema_.error(e, "a unicast virtual route needs 'via' or 'dev'");
                ok = false;
            }
            if (r.type != RouteType::Unicast && (r.via || !r.dev.empty())) {
                schema_.error(e,
                              fmt::format("a {} route has no 'via' or 'dev'", to_string(r.type)));
                ok = false;
            }
            if (!ok) return;
            if (std::find(c.virtual_routes.begin(), c.virtual_routes.end(), r) !=
                c.virtual_routes.end()) {
                schema_.error(e, fmt::format("duplicate virtual route '{}'", to_string(r)));
                return;
            }
            c.virtual_routes.push_back(std::move(r));
        });
}

void Loader::virtual_rules(const Setting& s, InstanceConfig& c) {
    each_group(s, "virtual_rules", "{ from = \"PREFIX\"; table = N; }", kRuleKeys,
               [&](const Setting& e) {
                   RoutingRule r;
                   bool ok = true;
                   if (const auto* f = Schema::find(e, "from")) {
                       r.from = prefix_value(*f);
                       ok = ok && r.from;
                   }
                   if (const auto* t = Schema::find(e, "to")) {
                       r.to = prefix_value(*t);
                       ok = ok && r.to;
                   }
                   if (!ok) return;
                   if (!r.from && !r.to) {
                       schema_.error(e, "a virtual rule needs 'from' or 'to' (or both)");
                       return;
                   }
                   r.family = r.from ? r.from->address.family() : r.to->address.family();
                   if (r.from && r.to && r.from->address.family() != r.to->address.family()) {
                       schema_.error(e, "'from' and 'to' of a virtual rule must be of one family");
                       return;
                   }
                   if (const auto* t = Schema::find(e, "table")) {
                       if (const auto x = schema_.int_value(*t, 1, kMaxTable)) {
                           r.table = static_cast<std::uint32_t>(*x);
                       } else {
                           return;
                       }
                   } else {
                       schema_.error(e, "a virtual rule needs 'table' (the table it looks up)");
                       return;
                   }
                   if (const auto* p = Schema::find(e, "priority")) {
                       if (const auto x = schema_.int_value(*p, 1, kMaxRulePriority)) {
                           r.priority = static_cast<std::uint32_t>(*x);
                       } else {
                           return;
                       }
                   } else {
                       // Without one the kernel picks a new preference on every add, so a
                       // rule could neither be found again nor told from its copies.
                       schema_.error(e,
                                     "a virtual rule needs 'priority' (1..32766): without "
                                     "one the kernel gives every add a new place");
                       return;
                   }
                   if (std::find(c.virtual_rules.begin(), c.virtual_rules.end(), r) !=
                       c.virtual_rules.end()) {
                       schema_.error(e, fmt::format("duplicate virtual rule '{}'", to_string(r)));
                       return;
                   }
                   c.virtual_rules.push_back(std::move(r));
               });
}

}  // namespace vipd::config
