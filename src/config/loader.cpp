// Loading vipd.conf: the file as a whole (global, scripts, notify, sync groups and the checks
// across instances) by vipd's rules; one instance's settings are instance_rules.cpp's, the
// generic libconfig walk and its diagnostics schema.cpp's.
#include "loader.hpp"
#include "command_line.hpp"
#include "text_limits.hpp"
#include "vipd/config/config.hpp"
#include "vipd/proto/advert.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string_view>
#include <system_error>
#include <tuple>
#include <unordered_map>
#include <utility>

namespace vipd::config {

bool valid_name(std::string_view name) {
    if (name.empty() || name.size() > kMaxNameLength) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '.' || c == '-';
    });
}

namespace {

// "127.0.0.1:9650" or "[::1]:9650": a loopback address (metrics are for this host; a
// scraper elsewhere goes through something that authenticates) and a port 1..65535.
std::optional<ListenAddress> parse_listen(std::string_view text) {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    auto host = text.substr(0, colon);
    const auto port_text = text.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    } else if (host.find(':') != std::string_view::npos) {
        return std::nullopt;  // IPv6 needs brackets
    }
    const auto address = IpAddress::parse(host);
    if (!address || port_text.empty() || port_text.size() > 5) return std::nullopt;
    unsigned port = 0;
    for (const char ch : port_text) {
        if (ch < '0' || ch > '9') return std::nullopt;
        port = port * 10 + static_cast<unsigned>(ch - '0');
    }
    if (port == 0 || port > 65535) return std::nullopt;
    if (!address->is_loopback()) return std::nullopt;
    return ListenAddress{*address, static_cast<std::uint16_t>(port)};
}

}  // namespace

void Loader::announce(const Setting& group, AnnounceConfig& out) {
    constexpr long long kMaxCount = 100;
    constexpr double kMaxInterval = 10;
    constexpr double kMaxRefresh = 86400;
    if (const auto* s = Schema::find(group, "garp_count")) {
        if (const auto v = schema_.int_value(*s, 1, kMaxCount)) out.count = static_cast<int>(*v);
    }
    if (const auto* s = Schema::find(group, "garp_interval")) {
        if (const auto v = schema_.seconds_value(*s, 0, kMaxInterval))
            out.interval = to_duration(*v);
    }
    if (const auto* s = Schema::find(group, "garp_refresh")) {
        if (const auto v = schema_.seconds_value(*s, 0, kMaxRefresh)) out.refresh = to_duration(*v);
    }
}

GlobalConfig Loader::global(const Setting* g) {
    GlobalConfig out;
    if (g == nullptr || !g->isGroup()) {
        if (g != nullptr) schema_.error(*g, "'global' must be a group: global = { ... };");
        out.router_id = default_router_id();
        return out;
    }
    schema_.check_keys(*g, kGlobalKeys);
    if (const auto* s = Schema::find(*g, "router_id")) {
        if (auto v = schema_.string_value(*s)) {
            if (v->empty() || v->size() > kMaxRouterIdLength) {
                schema_.error(
                    *s, fmt::format("'router_id' must be 1..{} characters", kMaxRouterIdLength));
            }
            out.router_id = std::move(*v);
        }
    } else {
        out.router_id = default_router_id();
    }
    if (const auto* s = Schema::find(*g, "log_level")) {
        if (const auto v = schema_.string_value(*s)) {
            if (const auto l = parse_log_level(*v)) {
                out.log_level = *l;
            } else {
                schema_.error(
                    *s, fmt::format("'log_level' must be one of debug, info, notice, warning, "
                                    "error (got \"{}\")",
                                    *v));
            }
        }
    }
    if (const auto* s = Schema::find(*g, "debug")) {
        if (const auto entries = schema_.string_list(*s)) {
            out.debug = 0;
            for (const auto* e : *entries) {
                const std::string name = e->c_str();
                if (const auto c = parse_debug_category(name)) {
                    *out.debug |= bit(*c);
                } else {
                    schema_.error(*e, fmt::format("'debug' entries must be packets, timers, "
                                                  "netlink, scripts or control (got \"{}\")",
                                                  name));
                }
            }
        }
    }
    if (const auto* s = Schema::find(*g, "log_facility")) {
        if (auto v = schema_.string_value(*s)) {
            if (parse_log_facility(*v)) {
                out.log_facility = std::move(*v);
            } else {
                schema_.error(*s, fmt::format("'log_facility' must be daemon or local0..local7 "
                                              "(got \"{}\")",
                                              *v));
            }
        }
    }
    announce(*g, out.announce);
    if (const auto* s = Schema::find(*g, "script_user")) {
        if (auto v = user_value(*s)) out.script_user = std::move(*v);
    }
    if (const auto* s = Schema::find(*g, "notify_fifo")) {
        if (auto v = schema_.string_value(*s)) {
            std::error_code ec;
            const auto st = std::filesystem::symlink_status(*v, ec);
            if (v->empty() || (*v)[0] != '/') {
                schema_.error(*s, "'notify_fifo' must be an absolute path");
            } else if (!ec && std::filesystem::exists(st) && !std::filesystem::is_fifo(st)) {
                // vipd writes only to a FIFO: never append to a file that happens to be there.
                schema_.error(*s, fmt::format("notify_fifo '{}' exists and is not a FIFO (create "
                                              "one with mkfifo, or name a path that is free)",
                                              *v));
            } else {
                out.notify_fifo = std::move(*v);
            }
        }
    }
    if (const auto* s = Schema::find(*g, "graceful_handover")) {
        if (const auto v = schema_.bool_value(*s)) out.graceful_handover = *v;
    }
    if (const auto* s = Schema::find(*g, "realtime_priority")) {
        if (const auto v = schema_.int_value(*s, 0, 99))
            out.realtime_priority = static_cast<int>(*v);
    }
    if (const auto* s = Schema::find(*g, "lock_memory")) {
        if (const auto v = schema_.bool_value(*s)) out.lock_memory = *v;
    }
    for (auto [key, group] : {std::pair{"control_group", &out.control_group},
                              std::pair{"control_admin_group", &out.control_admin_group}}) {
        const auto* s = Schema::find(*g, key);
        if (s == nullptr) continue;
        if (auto v = schema_.string_value(*s)) {
            if (!valid_name(*v)) {
                schema_.error(*s, fmt::format("'{}' must be a group name", key));
            } else if (checks_.group_exists && !checks_.group_exists(*v)) {
                schema_.error(*s, fmt::format("{} '{}': no such group", key, *v));
            } else {
                *group = std::move(*v);
            }
        }
    }
    if (const auto* s = Schema::find(*g, "metrics_listen")) {
        if (auto v = schema_.string_value(*s)) {
            if (auto l = parse_listen(*v)) {
                out.metrics_listen = *l;
            } else {
                schema_.error(
                    *s, fmt::format("'metrics_listen' must be a loopback ADDRESS:PORT such as "
                                    "\"127.0.0.1:9650\" or \"[::1]:9650\" (got \"{}\")",
                                    *v));
            }
        }
    }
    return out;
}

std::optional<std::string> Loader::user_value(const Setting& s) {
    auto v = schema_.string_value(s);
    if (!v) return std::nullopt;
    if (v->empty() || v->size() > 32 || !std::all_of(v->begin(), v->end(), [](char ch) {
            return std::isalnum(static_cast<unsigned char>(ch)) != 0 || ch == '_' || ch == '-' ||
                   ch == '.';
        })) {
        schema_.error(s, fmt::format("'{}' must be a user name (got \"{}\")", s.getName(), *v));
        return std::nullopt;
    }
    return v;
}

// A command line: split without a shell, the program an absolute path, and (when the
// daemon gave us a checker) an existing user and a path nobody else can write to.
std::optional<std::vector<std::string>> Loader::command(const Setting& s, const std::string& user) {
    const auto text = schema_.string_value(s);
    if (!text) return std::nullopt;
    auto argv = split_command(*text);
    if (!argv) {
        schema_.error(s, fmt::format("'{}': {}", s.getName(), argv.error()));
        return std::nullopt;
    }
    const auto& program = argv.value().front();
    if (program.empty() || program[0] != '/') {
        schema_.error(
            s, fmt::format("'{}': the program must be an absolute path (got \"{}\"); a shell "
                           "command can be written \"/bin/sh -c '...'\"",
                           s.getName(), program));
        return std::nullopt;
    }
    if (checks_.script) {
        if (const auto why = checks_.script(argv.value(), user)) {
            schema_.error(s, *why);
            return std::nullopt;
        }
    }
    return std::move(argv.value());
}

std::vector<ScriptConfig> Loader::scripts(const Setting* list, const GlobalConfig& g) {
    std::vector<ScriptConfig> out;
    if (list == nullptr) return out;
    if (list->getType() != Setting::TypeList) {
        schema_.error(*list, "'scripts' must be a list of groups: scripts = ( { name = ...; } );");
        return out;
    }
    for (int i = 0; i < list->getLength(); ++i) {
        const Setting& s = (*list)[i];
        if (!s.isGroup()) {
            schema_.error(
                s, "each entry of 'scripts' must be a group: { name = ...; command = ...; }");
            continue;
        }
        schema_.check_keys(s, kScriptKeys);
        ScriptConfig c;
        c.file = schema_.file_of(s);
        c.line = Schema::line_of(s);
        c.user = g.script_user;
        bool ok = true;
        if (auto name = entry_name(s, "script", out)) {
            c.name = std::move(*name);
        } else {
            ok = false;
        }
        if (const auto* u = Schema::find(s, "user")) {
            if (auto v = user_value(*u)) c.user = std::move(*v);
        }
        if (const auto* v = Schema::find(s, "interval")) {
            if (const auto x = schema_.seconds_value(*v, 0.01, 86400)) c.interval = to_duration(*x);
        }
        c.timeout = c.interval;
        if (const auto* v = Schema::find(s, "timeout")) {
            if (const auto x = schema_.seconds_value(*v, 0.01, 86400)) c.timeout = to_duration(*x);
        }
        if (const auto* v = Schema::find(s, "rise")) {
            if (const auto x = schema_.int_value(*v, 1, 100)) c.rise = static_cast<int>(*x);
        }
        if (const auto* v = Schema::find(s, "fall")) {
            if (const auto x = schema_.int_value(*v, 1, 100)) c.fall = static_cast<int>(*x);
        }
        if (const auto* v = Schema::find(s, "weight")) {
            if (const auto x = schema_.int_value(*v, -kMaxWeight, kMaxWeight))
                c.weight = static_cast<int>(*x);
        }
        if (const auto* cmd = Schema::find(s, "command")) {
            if (auto argv = command(*cmd, c.user)) {
                c.argv = std::move(*argv);
                c.command = cmd->c_str();
            }
        } else {
            schema_.error(s, "script is missing required key 'command'");
        }
        if (ok) out.push_back(std::move(c));
    }
    return out;
}

void Loader::notify(const Setting& s, NotifyConfig& out, const GlobalConfig& g) {
    if (!s.isGroup()) {
        schema_.error(s, "'notify' must be a group: notify = { master = \"/path\"; ... };");
        return;
    }
    schema_.check_keys(s, kNotifyKeys);
    out.user = g.script_user;
    if (const auto* u = Schema::find(s, "user")) {
        if (auto v = user_value(*u)) out.user = std::move(*v);
    }
    if (const auto* t = Schema::find(s, "timeout")) {
        if (const auto x = schema_.seconds_value(*t, 0.1, 3600)) out.timeout = to_duration(*x);
    }
    const std::pair<const char*, std::vector<std::string>*> kinds[] = {{"master", &out.master},
                                                                       {"backup", &out.backup},
                                                                       {"fault", &out.fault},
                                                                       {"stop", &out.stop},
                                                                       {"any", &out.any}};
    for (const auto& [key, argv_out] : kinds) {
        if (const auto* cmd = Schema::find(s, key)) {
            if (auto argv = command(*cmd, out.user)) *argv_out = std::move(*argv);
        }
    }
}

std::vector<SyncGroupConfig> Loader::sync_groups(const Setting* list,
                                                 const std::vector<Parsed>& instances) {
    std::vector<SyncGroupConfig> out;
    if (list == nullptr) return out;
    if (list->getType() != Setting::TypeList) {
        schema_.error(*list, "'sync_groups' must be a list of groups: sync_groups = ( { ... } );");
        return out;
    }
    std::map<std::string, std::string> member_of;  // instance -> group
    for (int i = 0; i < list->getLength(); ++i) {
        const Setting& s = (*list)[i];
        if (!s.isGroup()) {
            schema_.error(s,
                          "each entry of 'sync_groups' must be a group: { name = ...; instances = "
                          "( ... ); }");
            continue;
        }
        schema_.check_keys(s, kSyncGroupKeys);
        SyncGroupConfig g;
        g.file = schema_.file_of(s);
        g.line = Schema::line_of(s);
        g.notify.user = global_.script_user;
        if (const auto* n = Schema::find(s, "notify")) notify(*n, g.notify, global_);
        if (const auto* n = Schema::find(s, "name")) {
            if (auto v = schema_.string_value(*n)) {
                if (!valid_name(*v)) {
                    schema_.error(
                        *n, fmt::format("'name' must be 1..{} characters of A-Z a-z 0-9 _ . -",
                                        kMaxNameLength));
                } else if (std::any_of(out.begin(), out.end(),
                                       [&](const auto& other) { return other.name == *v; })) {
                    schema_.error(*n, fmt::format("duplicate sync group name '{}'", *v));
                } else {
                    g.name = std::move(*v);
                }
            }
        } else {
            schema_.error(s, "sync group is missing required key 'name'");
        }
        const Setting* members = Schema::find(s, "instances");
        if (members == nullptr) {
            schema_.error(s, "sync group is missing required key 'instances'");
            continue;
        }
        if (auto names = schema_.string_list(*members)) {
            for (const Setting* m : *names) {
                const std::string name = m->c_str();
                const bool known =
                    std::any_of(instances.begin(), instances.end(),
                                [&](const auto& p) { return p.config.name == name; });
                if (!known) {
                    schema_.error(*m, fmt::format("no instance named '{}'", name));
                } else if (const auto it = member_of.find(name); it != member_of.end()) {
                    schema_.error(*m, fmt::format("instance '{}' is already in sync group '{}'",
                                                  name, it->second));
                } else {
                    member_of[name] = g.name;
                    g.instances.push_back(name);
                }
            }
            if (names->size() < 2) {
                schema_.error(*members, "a sync group needs at least two instances");
            }
        }
        out.push_back(std::move(g));
    }
    return out;
}

void Loader::cross_check(const std::vector<Parsed>& instances) {
    // The first instance with each name and with each (interface, family, VRID): a later
    // one is the duplicate. (Hashed: pairwise comparison of a thousand instances was most
    // of a reload's time.)
    std::unordered_map<std::string_view, const Parsed*> by_name;
    std::map<std::tuple<std::string_view, Family, std::uint8_t>, const Parsed*> by_vrid;
    std::map<IpAddress, const Parsed*> by_vip;
    std::map<std::string, const Parsed*> by_route;  // "route ..." / "rule ...": one owner each
    for (const Parsed& b : instances) {
        // An installed route belongs to one instance: the first of two to leave master would
        // take it from under the other.
        const auto owned = [&](const std::string& what) {
            const auto [it, first] = by_route.emplace(what, &b);
            if (!first && it->second != &b) {
                schema_.error(*b.group,
                              fmt::format("{} is also in instance '{}' ({}:{}): a "
                                          "route or rule belongs to one instance",
                                          what, it->second->config.name, it->second->config.file,
                                          it->second->config.line));
            }
        };
        for (const auto& r : b.config.virtual_routes)
            owned("virtual route " + to_string(r));
        for (const auto& r : b.config.virtual_rules)
            owned("virtual rule " + to_string(r));
        // Legal, but almost always a mistake (warnings: vipd -t shows them).
        for (const auto& v : b.config.addresses) {
            const auto [it, first] = by_vip.emplace(v.address, &b);
            if (!first && it->second != &b) {
                schema_.warning(*b.group,
                                fmt::format("VIP {} is also in instance '{}' ({}:{}): whichever "
                                            "is master last holds it",
                                            v.address.to_string(), it->second->config.name,
                                            it->second->config.file, it->second->config.line));
            }
            // The owner's VIPs are its own addresses; anyone else's would be removed at start
            // as left over from a crash.
            if (!is_owner(b.config.priority) && checks_.address_interface) {
                if (const auto on = checks_.address_interface(v.address)) {
                    schema_.warning(*b.group,
                                    fmt::format("VIP {} is already an address of '{}': vipd "
                                                "removes it there while this instance is not "
                                                "master (priority 255 makes it the owner)",
                                                v.address.to_string(), *on));
                }
            }
            // RFC 9568 §1.6: the owner is the router whose real addresses these are; a 255
            // elsewhere preempts every router at once and answers for addresses it lacks.
            if (is_owner(b.config.priority) && checks_.address_interface &&
                checks_.address_interface(v.address) != b.config.interface) {
                schema_.warning(*b.group,
                                fmt::format("priority 255 makes this router the owner of its "
                                            "VIPs, but {} is not an address of '{}': give the "
                                            "owner's addresses to the interface, or use 254",
                                            v.address.to_string(), b.config.interface));
            }
        }
        if (const auto& src = b.config.source_address; src && checks_.address_interface) {
            const auto on = checks_.address_interface(*src);
            if (on != b.config.interface) {
                schema_.warning(
                    *b.group,
                    fmt::format("source_address {} is not an address of '{}' ({}): adverts "
                                "would leave from an address the peers cannot answer, and "
                                "rp_filter may drop them",
                                src->to_string(), b.config.interface,
                                on ? fmt::format("it is on '{}'", *on)
                                   : std::string("no interface has it")));
            }
        }
        for (const auto& peer : b.config.unicast_peers) {
            const auto& vips = b.config.addresses;
            if (std::any_of(vips.begin(), vips.end(),
                            [&](const auto& v) { return v.address == peer; })) {
                schema_.warning(*b.group,
                                fmt::format("unicast peer {} is one of the instance's own VIPs: "
                                            "list the peers' own addresses",
                                            peer.to_string()));
            }
        }
        if (b.config.announce.refresh > Duration::zero() &&
            b.config.announce.refresh < std::chrono::milliseconds(10)) {
            schema_.warning(*b.group,
                            "garp_refresh under 10 ms: the segment gets hundreds of "
                            "gratuitous ARPs a second per VIP");
        }
        if (b.name != nullptr) {
            const auto [it, first] = by_name.emplace(b.config.name, &b);
            if (!first) {
                const Parsed& a = *it->second;
                schema_.error(*b.name,
                              fmt::format("duplicate instance name '{}' (first defined at {}:{})",
                                          b.config.name, a.config.file, a.config.line));
            }
        }
        if (b.vrid != nullptr) {
            const auto [it, first] =
                by_vrid.emplace(std::tuple{std::string_view(b.config.interface), b.config.family,
                                           b.config.vrid.value()},
                                &b);
            if (!first) {
                const Parsed& a = *it->second;
                const std::string by =
                    a.config.name.empty() ? "" : fmt::format(" by instance '{}'", a.config.name);
                schema_.error(
                    *b.vrid, fmt::format("duplicate VRID {} for {} on '{}' (first used{} at {}:{})",
                                         b.config.vrid.value(), family_name(b.config.family),
                                         b.config.interface, by, a.config.file, a.config.line));
            }
        }
    }
}

LoadResult Loader::run(const Setting& root) {
    schema_.set_root(root);
    schema_.check_keys(root, kTopLevelKeys);

    Config config;
    config.file = main_file_;
    config.global = global(Schema::find(root, "global"));
    global_ = config.global;
    scripts_ = scripts(Schema::find(root, "scripts"), config.global);
    config.scripts = scripts_;
    processes_ = processes(Schema::find(root, "processes"));
    config.processes = processes_;

    std::vector<Parsed> parsed;
    const Setting* list = Schema::find(root, "instances");
    if (list == nullptr) {
        schema_.error(root, "missing required list 'instances' (instances = ( { ... }, ... );)");
    } else if (list->getType() == Setting::TypeList ||
               (list->getType() == Setting::TypeArray && list->getLength() == 0)) {
        if (list->getLength() == 0)
            schema_.warning(*list, "no instances: vipd will not do anything");
        parsed.reserve(static_cast<std::size_t>(list->getLength()));
        for (int i = 0; i < list->getLength(); ++i) {
            if (auto p = instance((*list)[i], config.global)) parsed.push_back(std::move(*p));
        }
    } else {
        schema_.error(*list,
                      "'instances' must be a list of groups: instances = ( { ... }, { ... } );");
    }
    cross_check(parsed);
    config.sync_groups = sync_groups(Schema::find(root, "sync_groups"), parsed);

    LoadResult result;
    result.diagnostics = schema_.diagnostics();
    if (schema_.failed()) return result;
    config.instances.reserve(parsed.size());
    for (auto& p : parsed) {
        config.instances.push_back(std::move(p.config));
    }
    result.config = std::move(config);
    return result;
}

namespace {

LoadResult unreadable(const std::string& file, std::error_code ec) {
    return LoadResult{std::nullopt,
                      {file_error(file, "cannot read configuration file: " + ec.message())}};
}

LoadResult refused(const std::string& file, const TextProblem& p) {
    return LoadResult{std::nullopt,
                      {Diagnostic{Diagnostic::Severity::Error, file, p.line, p.message}}};
}

// The whole file, if it is no larger than `budget` (what the files read so far left).
Expected<std::string, LoadResult> read_bounded(const std::string& path, std::size_t budget) {
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (ec) return Unexpected{unreadable(path, ec)};
    // (fopen() accepts a directory; reading it would fail without saying why.)
    if (std::filesystem::is_directory(status)) {
        return Unexpected{unreadable(path, std::make_error_code(std::errc::is_a_directory))};
    }
    std::FILE* f = std::fopen(path.c_str(), "rbe");
    if (f == nullptr) {
        return Unexpected{unreadable(path, std::error_code(errno, std::generic_category()))};
    }
    std::string text;
    std::array<char, 65536> buf{};
    std::size_t n = 0;
    while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0 && text.size() <= budget)
        text.append(buf.data(), n);
    const bool failed = std::ferror(f) != 0;
    std::fclose(f);
    if (failed) return Unexpected{unreadable(path, std::make_error_code(std::errc::io_error))};
    if (text.size() > budget) {
        const TextProblem big{0, fmt::format("configuration larger than {} MiB in all (vipd's "
                                             "limit)",
                                             kMaxConfigFileBytes / (1024 * 1024))};
        return Unexpected{refused(path, big)};
    }
    return text;
}

// Checks `text` and, recursively, the files it @includes against the text limits, before
// libconfig reads any of them. Empty when all are within them.
std::optional<LoadResult> check_limits(const std::string& file, std::string_view text,
                                       const std::string& include_dir, std::size_t& budget,
                                       int depth) {
    if (const auto p = oversized_token(text)) return refused(file, *p);
    if (depth >= 10) return std::nullopt;  // libconfig stops deeper nesting itself
    for (const auto& name : includes(text)) {
        const auto path =
            name.starts_with('/') || include_dir.empty() ? name : include_dir + "/" + name;
        auto included = read_bounded(path, budget);
        if (!included) continue;  // libconfig reports an include it cannot open
        budget -= included.value().size();
        if (auto r = check_limits(path, included.value(), include_dir, budget, depth + 1)) return r;
    }
    return std::nullopt;
}

}  // namespace

LoadResult load_file(const std::string& path, const Checks& checks) {
    // Read here rather than by libconfig, which reports only "FileIOException": the message
    // says why, and the text is checked against the limits first.
    auto text = read_bounded(path, kMaxConfigFileBytes);
    if (!text) return std::move(text.error());
    // @include is relative to the file's own directory, not to vipd's working directory.
    const auto slash = path.rfind('/');
    std::string include_dir;
    if (slash != std::string::npos) include_dir = slash == 0 ? "/" : path.substr(0, slash);
    std::size_t budget = kMaxConfigFileBytes - text.value().size();
    if (auto r = check_limits(path, text.value(), include_dir, budget, 0)) return std::move(*r);
    return parse(
        path, include_dir, [&](libconfig::Config& cfg) { cfg.readString(text.value()); },
        [&](const Setting& root) { return Loader(path, include_dir, checks).run(root); });
}

LoadResult load_string(const std::string& text, const std::string& name, const Checks& checks) {
    if (text.size() > kMaxConfigFileBytes) {
        return refused(name, TextProblem{0, fmt::format("configuration larger than {} MiB "
                                                        "(vipd's limit)",
                                                        kMaxConfigFileBytes / (1024 * 1024))});
    }
    if (const auto p = oversized_token(text)) return refused(name, *p);
    return parse(
        name, {}, [&](libconfig::Config& cfg) { cfg.readString(text); },
        [&](const Setting& root) { return Loader(name, {}, checks).run(root); });
}

LoadResult load_file(const std::string& path, const InterfaceExists& interface_exists) {
    return load_file(path, Checks{interface_exists, {}, {}, {}});
}

LoadResult load_string(const std::string& text, const std::string& name,
                       const InterfaceExists& interface_exists) {
    return load_string(text, name, Checks{interface_exists, {}, {}, {}});
}

}  // namespace vipd::config
