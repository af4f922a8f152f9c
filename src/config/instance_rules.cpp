// vipd's rules for one instance: identity, timing, addresses, peers, authentication,
// checksum, trackers and notifications, each reported at its own FILE:LINE.
#include "loader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "vipd/proto/advert.hpp"

namespace vipd::config {

bool valid_interface(std::string_view name) {
    if (name.empty() || name.size() > kMaxInterfaceLength || name == "." || name == "..") {
        return false;
    }
    return std::none_of(name.begin(), name.end(), [](char c) {
        return c == '/' || c == ':' || c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
               c == '\v' || c == '\f';
    });
}

// Seconds in the file, Max Adver Int on the wire: the codec says what the field holds. A
// fraction of its unit is an error, not rounded: rounding 0.015 to either neighbour would
// silently change failover timing.
std::optional<Centiseconds> Loader::advert_interval(const Setting& s, Version v) {
    const auto seconds = schema_.number_value(s);
    if (!seconds) return std::nullopt;
    const double cs = *seconds * 100;
    const auto fits = [v](double whole_cs) {
        constexpr double kFar = 1e7;  // beyond any version's range; keeps the cast defined
        return whole_cs >= 0 && whole_cs < kFar &&  // also false for NaN
               proto::valid_max_adver_int(v, Centiseconds{static_cast<std::int32_t>(whole_cs)});
    };
    switch (v) {
        case Version::V3:
            // RFC 9568 §5.2.7: 12 bits of centiseconds.
            if (!fits(std::ceil(cs - kCentisecondTolerance)) ||
                !fits(std::floor(cs + kCentisecondTolerance))) {
                schema_.error(s, fmt::format("'{}' must be in the range 0.01..40.95 seconds for "
                                             "VRRPv3 (got {})",
                                             s.getName(), *seconds));
                return std::nullopt;
            }
            if (std::abs(cs - std::round(cs)) > kCentisecondTolerance) {
                schema_.error(s, fmt::format("'{}' must be a whole number of centiseconds for "
                                             "VRRPv3 (got {})",
                                             s.getName(), *seconds));
                return std::nullopt;
            }
            return Centiseconds{static_cast<std::int32_t>(std::round(cs))};
        case Version::V2: {
            // RFC 3768 §5.3.7: an 8-bit count of whole seconds.
            const double whole = std::round(cs / 100) * 100;
            if (!fits(whole) || std::abs(cs - whole) > kCentisecondTolerance) {
                schema_.error(s, fmt::format("'{}' must be a whole number of seconds in the range "
                                             "1..255 for VRRPv2 (got {})",
                                             s.getName(), *seconds));
                return std::nullopt;
            }
            return Centiseconds{static_cast<std::int32_t>(whole)};
        }
    }
    return std::nullopt;
}

void Loader::addresses(const Setting& s, InstanceConfig& c) {
    const auto entries = schema_.string_list(s);
    if (!entries) return;
    if (entries->empty() || entries->size() > proto::kMaxAddresses) {
        schema_.error(s, fmt::format("'addresses' must have 1..{} entries (got {})",
                                     proto::kMaxAddresses, entries->size()));
        return;
    }
    std::optional<Family> family;
    std::vector<const Setting*> where;  // parallel to c.addresses, for duplicate messages
    for (const Setting* e : *entries) {
        const std::string text = e->c_str();
        const auto vip = parse_address_and_prefix(text);
        if (!vip) {
            schema_.error(*e, fmt::format("invalid address '{}' (expected IP or IP/PREFIX)", text));
            continue;
        }
        const auto& a = vip->address;
        const unsigned max_prefix = a.max_prefix_length();
        if (vip->prefix_length && (*vip->prefix_length < 1 || *vip->prefix_length > max_prefix)) {
            schema_.error(*e, fmt::format("prefix length of '{}' must be in the range 1..{}", text,
                                          max_prefix));
            continue;
        }
        if (a.is_unspecified() || a.is_multicast()) {
            schema_.error(*e, fmt::format("address '{}' is not a unicast address", text));
            continue;
        }
        if (!family) {
            family = a.family();
        } else if (a.family() != *family) {
            schema_.error(*e,
                          fmt::format("address '{}' is {} but the instance's first address is {} "
                                      "(one family per instance)",
                                      text, family_name(a.family()), family_name(*family)));
            continue;
        }
        const auto dup = std::find_if(c.addresses.begin(), c.addresses.end(),
                                      [&](const VipAddress& v) { return v.address == a; });
        if (dup != c.addresses.end()) {
            const auto index = static_cast<std::size_t>(dup - c.addresses.begin());
            schema_.error(*e, fmt::format("duplicate address '{}' (first at {})", a.to_string(),
                                          schema_.location(*where[index])));
            continue;
        }
        c.addresses.push_back(
            VipAddress{a, static_cast<std::uint8_t>(vip->prefix_length.value_or(max_prefix))});
        where.push_back(e);
    }
    if (family) c.family = *family;
}

void Loader::peers(const Setting& s, std::optional<Family> family, InstanceConfig& c) {
    const auto entries = schema_.string_list(s);
    if (!entries) return;
    // Each peer gets every advert: thousands would be a flood, not a configuration.
    if (entries->size() > kMaxUnicastPeers) {
        schema_.error(s, fmt::format("too many unicast_peers ({}; at most {})", entries->size(),
                                     kMaxUnicastPeers));
        return;
    }
    std::map<IpAddress, const Setting*> seen;  // n log n: 1,000 peers were 500,000 compares
    for (const Setting* e : *entries) {
        const std::string text = e->c_str();
        const auto a = IpAddress::parse(text);
        if (!a) {
            schema_.error(*e,
                          fmt::format("invalid unicast peer '{}' (expected an IP address)", text));
            continue;
        }
        if (a->is_unspecified() || a->is_multicast()) {
            schema_.error(*e, fmt::format("unicast peer '{}' is not a unicast address", text));
            continue;
        }
        if (family && a->family() != *family) {
            schema_.error(*e, fmt::format("unicast peer '{}' is {} but the addresses are {}", text,
                                          family_name(a->family()), family_name(*family)));
            continue;
        }
        const auto [first, added] = seen.emplace(*a, e);
        if (!added) {
            schema_.error(*e, fmt::format("duplicate unicast peer '{}' (first at {})",
                                          a->to_string(), schema_.location(*first->second)));
            continue;
        }
        c.unicast_peers.push_back(*a);
    }
}

void Loader::authentication(const Setting& s, InstanceConfig& c) {
    if (!s.isGroup()) {
        schema_.error(s,
                      "'authentication' must be a group: authentication = { type = \"pass\"; "
                      "password = \"...\"; };");
        return;
    }
    schema_.check_keys(s, kAuthKeys);
    std::string type = "none";
    const Setting* type_setting = Schema::find(s, "type");
    if (type_setting != nullptr) {
        if (auto v = schema_.string_value(*type_setting)) {
            if (*v == "none" || *v == "pass") {
                type = std::move(*v);
            } else {
                schema_.error(*type_setting,
                              fmt::format("'type' must be \"none\" or \"pass\" (got \"{}\")", *v));
            }
        }
    }
    const Setting* password = Schema::find(s, "password");
    if (password != nullptr) {
        if (auto v = schema_.string_value(*password)) {
            if (v->empty() || v->size() > kMaxPasswordLength) {
                // Truncating would make a mismatch with peers that look configured alike.
                schema_.error(*password, fmt::format("'password' must be 1..{} characters (got {})",
                                                     kMaxPasswordLength, v->size()));
            } else if (type != "pass") {
                schema_.error(*password,
                              "'password' is set but the authentication type is \"none\"");
            } else {
                c.password = std::move(*v);
            }
        }
    } else if (type == "pass") {
        schema_.error(type_setting != nullptr ? *type_setting : s,
                      "authentication type \"pass\" requires a 'password'");
    }
    if (type == "pass") c.auth_type = AuthType::SimplePassword;
}

std::optional<Loader::Parsed> Loader::instance(const Setting& s, const GlobalConfig& g) {
    if (!s.isGroup()) {
        schema_.error(s, "each entry of 'instances' must be a group: { name = ...; ... }");
        return std::nullopt;
    }
    Parsed p;
    p.group = &s;
    InstanceConfig& c = p.config;
    c.file = schema_.file_of(s);
    c.line = Schema::line_of(s);
    c.announce = g.announce;

    schema_.check_keys(s, kInstanceKeys);

    const auto required = [&](const char* key) -> const Setting* {
        const Setting* r = Schema::find(s, key);
        if (r == nullptr)
            schema_.error(s, fmt::format("instance is missing required key '{}'", key));
        return r;
    };

    const Setting* name = required("name");
    if (name != nullptr) {
        if (auto v = schema_.string_value(*name)) {
            if (valid_name(*v)) {
                c.name = std::move(*v);
                p.name = name;
            } else {
                schema_.error(*name,
                              fmt::format("'name' must be 1..{} characters of A-Z a-z 0-9 _ . - "
                                          "(got \"{}\")",
                                          kMaxNameLength, *v));
            }
        }
    }

    bool interface_ok = false;
    if (const Setting* iface = required("interface")) {
        if (auto v = schema_.string_value(*iface)) {
            if (valid_interface(*v)) {
                c.interface = std::move(*v);
                interface_ok = true;
                // It may be created later (a VLAN, a bridge brought up after vipd).
                if (checks_.interface_exists && !checks_.interface_exists(c.interface)) {
                    schema_.warning(*iface,
                                    fmt::format("interface '{}' does not exist (it may appear "
                                                "later)",
                                                c.interface));
                }
            } else {
                schema_.error(*iface,
                              fmt::format("'interface' must be 1..{} characters without '/', ':' "
                                          "or spaces (got \"{}\")",
                                          kMaxInterfaceLength, *v));
            }
        }
    }

    const Setting* vrid = required("vrid");
    bool vrid_ok = false;
    if (vrid != nullptr) {
        if (const auto v = schema_.int_value(*vrid, 1, 255)) {
            c.vrid = Vrid{static_cast<std::uint8_t>(*v)};
            vrid_ok = true;
        }
    }

    if (const auto* ps = Schema::find(s, "priority")) {
        if (const auto v = schema_.int_value(*ps, 1, 255)) {
            c.priority = Priority{static_cast<std::uint8_t>(*v)};
        }
    }

    const Setting* version = Schema::find(s, "version");
    bool version_ok = true;
    if (version != nullptr) {
        version_ok = false;
        if (const auto v = schema_.integer(*version)) {
            if (*v == 2 || *v == 3) {
                c.version = *v == 2 ? Version::V2 : Version::V3;
                version_ok = true;
            } else {
                schema_.error(*version, fmt::format("'version' must be 2 or 3 (got {})", *v));
            }
        }
    }

    if (const auto* a = Schema::find(s, "advert_interval")) {
        if (version_ok) {
            if (const auto v = advert_interval(*a, c.version)) c.advert_interval = *v;
        } else {
            (void)schema_.number_value(*a);  // the range depends on the version, which is wrong
        }
    }

    if (const auto* b = Schema::find(s, "preempt")) {
        if (const auto v = schema_.bool_value(*b)) c.preempt = *v;
    }
    if (const auto* d = Schema::find(s, "preempt_delay")) {
        constexpr double kMaxPreemptDelay = 3600;
        if (const auto v = schema_.seconds_value(*d, 0, kMaxPreemptDelay)) {
            c.preempt_delay = to_duration(*v);
        }
    }
    if (const auto* b = Schema::find(s, "accept")) {
        if (const auto v = schema_.bool_value(*b)) c.accept = *v;
    }

    std::optional<Family> family;
    if (const Setting* a = required("addresses")) {
        addresses(*a, c);
        // The family-dependent checks below need one address to go by; without one they
        // would only repeat the addresses' own errors.
        if (!c.addresses.empty()) family = c.family;
    }
    if (family == Family::IPv6 && version_ok && c.version == Version::V2) {
        schema_.error(*version, "VRRPv2 is IPv4 only: use version = 3 for IPv6 addresses");
    }

    if (const auto* u = Schema::find(s, "unicast_peers")) peers(*u, family, c);

    if (const auto* src = Schema::find(s, "source_address")) {
        if (const auto text = schema_.string_value(*src)) {
            const auto a = IpAddress::parse(*text);
            if (!a) {
                schema_.error(
                    *src,
                    fmt::format("invalid source address '{}' (expected an IP address)", *text));
            } else if (a->is_unspecified() || a->is_multicast()) {
                schema_.error(*src,
                              fmt::format("source address '{}' is not a unicast address", *text));
            } else if (family && a->family() != *family) {
                schema_.error(
                    *src, fmt::format("source address '{}' is {} but the addresses are {}", *text,
                                      family_name(a->family()), family_name(*family)));
            } else if (a->family() == Family::IPv6 && c.unicast_peers.empty() &&
                       !a->is_ipv6_link_local()) {
                // RFC 9568 §5.1.2.1; peers may drop anything else.
                schema_.error(*src,
                              fmt::format("source address '{}' must be link-local (fe80::/10): "
                                          "IPv6 multicast adverts come from the link-local address",
                                          *text));
            } else {
                c.source_address = *a;
            }
        }
    }

    if (const auto* auth = Schema::find(s, "authentication")) {
        if (version_ok && c.version == Version::V3) {
            schema_.error(*auth,
                          "'authentication' is VRRPv2 only (RFC 9568 removed it): set version = 2 "
                          "or remove it");
        } else {
            authentication(*auth, c);
        }
    }

    if (const auto* h = Schema::find(s, "auth_hmac")) auth_hmac(*h, c);

    if (const auto* cs = Schema::find(s, "checksum")) {
        if (const auto v = schema_.string_value(*cs)) {
            if (const auto m = parse_checksum_mode(*v)) {
                if (version_ok && c.version == Version::V2) {
                    schema_.error(*cs,
                                  "'checksum' applies to VRRPv3 over IPv4 only (this instance is "
                                  "VRRPv2)");
                } else if (family == Family::IPv6) {
                    schema_.error(*cs,
                                  "'checksum' applies to VRRPv3 over IPv4 only (IPv6 always "
                                  "includes the pseudo-header)");
                } else {
                    c.checksum = *m;
                }
            } else {
                schema_.error(*cs, fmt::format("'checksum' must be \"auto\", \"rfc9568\" or "
                                               "\"pseudo-header\" (got \"{}\")",
                                               *v));
            }
        }
    }

    announce(s, c.announce);
    trackers(s, c, scripts_);
    virtual_routes(s, c);
    virtual_rules(s, c);
    c.notify.user = g.script_user;
    if (const auto* n = Schema::find(s, "notify")) notify(*n, c.notify, g);

    // Instances with errors still take part in the duplicate checks, so that one run
    // reports everything; the load fails on their errors anyway.
    if (vrid_ok && interface_ok && family) p.vrid = vrid;
    return p;
}

void Loader::trackers(const Setting& s, InstanceConfig& c, const std::vector<ScriptConfig>& known) {
    // Each entry: "name" (the script's own weight), or { name; weight; reverse; }.
    const auto entries = [&](const char* key, KeySet keys, auto&& each) {
        const Setting* list = Schema::find(s, key);
        if (list == nullptr) return;
        if (!list->isList() && !list->isArray()) {
            schema_.error(*list, fmt::format("'{}' must be a list: {} = ( ... );", key, key));
            return;
        }
        for (int i = 0; i < list->getLength(); ++i) {
            const Setting& e = (*list)[i];
            if (e.isGroup()) schema_.check_keys(e, keys);
            each(e);
        }
    };
    const auto weight_of = [&](const Setting& e, int fallback) {
        if (!e.isGroup()) return fallback;
        if (const auto* w = Schema::find(e, "weight")) {
            if (const auto x = schema_.int_value(*w, -kMaxWeight, kMaxWeight))
                return static_cast<int>(*x);
        }
        return fallback;
    };
    const auto reverse_of = [&](const Setting& e) {
        if (!e.isGroup()) return false;
        if (const auto* r = Schema::find(e, "reverse"))
            return schema_.bool_value(*r).value_or(false);
        return false;
    };
    const auto name_of = [&](const Setting& e, const char* key) -> std::optional<std::string> {
        if (e.getType() == Setting::TypeString) return std::string(e.c_str());
        if (e.isGroup()) {
            if (const auto* n = Schema::find(e, key)) return schema_.string_value(*n);
            schema_.error(e, fmt::format("tracker is missing required key '{}'", key));
            return std::nullopt;
        }
        schema_.error(e, "a tracker is a string or a group { ... }");
        return std::nullopt;
    };
    // A tracker naming an entry of a top-level list (scripts, processes): the entry's weight
    // unless the instance gives its own.
    const auto named = [&](const char* key, KeySet keys, const auto& entries_of, const char* kind,
                           const char* list, auto& out) {
        entries(key, keys, [&](const Setting& e) {
            const auto name = name_of(e, "name");
            if (!name) return;
            const auto it = std::find_if(entries_of.begin(), entries_of.end(),
                                         [&](const auto& k) { return k.name == *name; });
            if (it == entries_of.end()) {
                schema_.error(e, fmt::format("no {} named '{}' in '{}'", kind, *name, list));
                return;
            }
            out.push_back({*name, weight_of(e, it->weight), reverse_of(e)});
        });
    };
    named("track_scripts", kTrackScriptKeys, known, "script", "scripts", c.track_scripts);
    named("track_processes", kTrackProcessKeys, processes_, "process", "processes",
          c.track_processes);
    entries("track_interfaces", kTrackInterfaceKeys, [&](const Setting& e) {
        const auto name = name_of(e, "name");
        if (!name) return;
        if (!valid_interface(*name)) {
            schema_.error(e, fmt::format("'{}' is not a valid interface name", *name));
            return;
        }
        if (checks_.interface_exists && !checks_.interface_exists(*name)) {
            schema_.warning(
                e, fmt::format("tracked interface '{}' does not exist (it counts as down)", *name));
        }
        c.track_interfaces.push_back({*name, weight_of(e, 0), reverse_of(e)});
    });
    entries("track_files", kTrackFileKeys, [&](const Setting& e) {
        const auto path = name_of(e, "path");
        if (!path) return;
        if (path->empty() || (*path)[0] != '/') {
            schema_.error(e,
                          fmt::format("tracked file must be an absolute path (got \"{}\")", *path));
            return;
        }
        if (checks_.tracked_file) {
            if (const auto why = checks_.tracked_file(*path)) {
                schema_.error(e, *why);
                return;
            }
        }
        c.track_files.push_back({*path, weight_of(e, 1), reverse_of(e)});
    });
}

}  // namespace vipd::config
