// A Config written back as vipd.conf text, every setting spelled out (vipd -d): what the
// daemon runs with, defaults included, in a form the loader reads back to the same Config.
#include <fmt/format.h>

#include <chrono>
#include <string>

#include "vipd/config/config.hpp"

namespace vipd::config {
namespace {

// A libconfig string literal.
std::string quoted(std::string_view s) {
    std::string out = "\"";
    for (const char c : s) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
                } else {
                    out += c;
                }
        }
    }
    return out + '"';
}

// One argv word as split_command reads it back: bare when plain, else in single quotes.
std::string shell_word(std::string_view w) {
    const bool plain =
        !w.empty() && w.find_first_not_of(
                          "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmno"
                          "pqrstuvwxyz0123456789_/.,:=+@%-") == std::string_view::npos;
    if (plain) return std::string(w);
    std::string out = "'";
    for (const char c : w) {
        if (c == '\'') {
            out += "'\\''";
        } else {
            out += c;
        }
    }
    return out + "'";
}

std::string command_text(const std::vector<std::string>& argv) {
    std::string out;
    for (const auto& w : argv) {
        if (!out.empty()) out += ' ';
        out += shell_word(w);
    }
    return out;
}

// Seconds, as short as they are exact ("0.2", "2.5", "1").
std::string seconds(Duration d) {
    return fmt::format("{}", std::chrono::duration<double>(d).count());
}

// "# FILE:LINE" for a comment: the file name on one line whatever it holds.
std::string where(const std::string& file, int line) {
    std::string out;
    for (const char c : file)
        out += c == '\n' || c == '\r' ? '?' : c;
    return fmt::format("# {}:{}", out, line);
}

std::string bool_text(bool b) {
    return b ? "true" : "false";
}

// An array [ ... ] of scalars, or with `groups` a list ( ... ) (libconfig's arrays hold
// only scalars).
template <typename T, typename F>
std::string list(const std::vector<T>& items, F text, bool groups = false) {
    std::string out = groups ? "( " : "[ ";
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i > 0) out += ", ";
        out += text(items[i]);
    }
    return out + (items.empty() ? "" : " ") + (groups ? ")" : "]");
}

// libconfig reads an integer beyond 32 bits only with its 64-bit suffix.
std::string big(std::uint32_t n) {
    return n > 0x7FFFFFFFU ? fmt::format("{}L", n) : std::to_string(n);
}

std::string listen_text(const ListenAddress& l) {
    return l.address.family() == Family::IPv6
               ? fmt::format("[{}]:{}", l.address.to_string(), l.port)
               : fmt::format("{}:{}", l.address.to_string(), l.port);
}

void announce(std::string& out, const AnnounceConfig& a, std::string_view indent) {
    out += fmt::format("{}garp_count = {};\n", indent, a.count);
    out += fmt::format("{}garp_interval = {};\n", indent, seconds(a.interval));
    out += fmt::format("{}garp_refresh = {};\n", indent, seconds(a.refresh));
}

void notify(std::string& out, const NotifyConfig& n, std::string_view indent) {
    const std::pair<const char*, const std::vector<std::string>*> commands[] = {
        {"master", &n.master},
        {"backup", &n.backup},
        {"fault", &n.fault},
        {"stop", &n.stop},
        {"any", &n.any}};
    std::string body;
    for (const auto& [key, argv] : commands) {
        if (argv->empty()) continue;
        body += fmt::format("{}    {} = {};\n", indent, key, quoted(command_text(*argv)));
    }
    if (body.empty()) body = fmt::format("{}    # no commands\n", indent);
    body += fmt::format("{}    user = {};\n", indent, quoted(n.user));
    body += fmt::format("{}    timeout = {};\n", indent, seconds(n.timeout));
    out += fmt::format("{}notify = {{\n{}{}}};\n", indent, body, indent);
}

void global(std::string& out, const GlobalConfig& g) {
    out += "global = {\n";
    out += fmt::format("    router_id = {};\n", quoted(g.router_id));
    out += fmt::format("    log_level = {};\n", quoted(to_string(g.log_level)));
    if (g.debug) {
        std::vector<std::string> debug;
        for (const auto c : kDebugCategories) {
            if ((*g.debug & bit(c)) != 0) debug.emplace_back(to_string(c));
        }
        out += fmt::format("    debug = {};\n",
                           list(debug, [](const std::string& s) { return quoted(s); }));
    } else {
        out += "    # debug: unset (every category at log_level debug, else none)\n";
    }
    out += fmt::format("    log_facility = {};\n", quoted(g.log_facility));
    announce(out, g.announce, "    ");
    out += fmt::format("    script_user = {};\n", quoted(g.script_user));
    out += g.notify_fifo.empty() ? "    # notify_fifo: none\n"
                                 : fmt::format("    notify_fifo = {};\n", quoted(g.notify_fifo));
    out += fmt::format("    graceful_handover = {};\n", bool_text(g.graceful_handover));
    out += g.control_group.empty()
               ? "    # control_group: none (root only)\n"
               : fmt::format("    control_group = {};\n", quoted(g.control_group));
    out += g.control_admin_group.empty()
               ? "    # control_admin_group: none (root only)\n"
               : fmt::format("    control_admin_group = {};\n", quoted(g.control_admin_group));
    out += g.metrics_listen
               ? fmt::format("    metrics_listen = {};\n", quoted(listen_text(*g.metrics_listen)))
               : "    # metrics_listen: none\n";
    out += g.realtime_priority
               ? fmt::format("    realtime_priority = {};\n", *g.realtime_priority)
               : "    # realtime_priority: unset (--realtime-priority, else as started)\n";
    out += g.lock_memory ? fmt::format("    lock_memory = {};\n", bool_text(*g.lock_memory))
                         : "    # lock_memory: unset (on with vipd --lock-memory)\n";
    out += "};\n";
}

void script(std::string& out, const ScriptConfig& s) {
    out += fmt::format("    {{   {}\n", where(s.file, s.line));
    out += fmt::format("        name = {};\n", quoted(s.name));
    out += fmt::format("        command = {};\n", quoted(s.command));
    out += fmt::format("        interval = {};\n", seconds(s.interval));
    out += fmt::format("        timeout = {};\n", seconds(s.timeout));
    out += fmt::format("        rise = {};\n", s.rise);
    out += fmt::format("        fall = {};\n", s.fall);
    out += fmt::format("        weight = {};\n", s.weight);
    out += fmt::format("        user = {};\n", quoted(s.user));
    out += "    }";
}

void process(std::string& out, const ProcessConfig& p) {
    out += fmt::format("    {{   {}\n", where(p.file, p.line));
    out += fmt::format("        name = {};\n", quoted(p.name));
    out += fmt::format("        process = {};\n", quoted(p.pattern.process));
    if (p.pattern.param_match != ParamMatch::None) {
        out += fmt::format("        args = {};\n",
                           list(p.pattern.args, [](const std::string& a) { return quoted(a); }));
        out += fmt::format("        param_match = {};\n", quoted(to_string(p.pattern.param_match)));
    }
    out += fmt::format("        full_command = {};\n", bool_text(p.pattern.full_command));
    out += fmt::format("        quorum = {};\n", p.quorum);
    out += p.quorum_max ? fmt::format("        quorum_max = {};\n", *p.quorum_max)
                        : "        # quorum_max: none\n";
    out += fmt::format("        weight = {};\n", p.weight);
    out += fmt::format("        fork_delay = {};\n", seconds(p.fork_delay));
    out += fmt::format("        terminate_delay = {};\n", seconds(p.terminate_delay));
    out += "    }";
}

void instance(std::string& out, const InstanceConfig& c) {
    const auto addr = [](const auto& a) { return quoted(a.to_string()); };
    out += fmt::format("    {{   {}\n", where(c.file, c.line));
    out += fmt::format("        name = {};\n", quoted(c.name));
    out += fmt::format("        interface = {};\n", quoted(c.interface));
    out += fmt::format("        vrid = {};\n", c.vrid.value());
    out += fmt::format("        priority = {};\n", c.priority.value());
    out += fmt::format("        version = {};\n", static_cast<int>(c.version));
    out += fmt::format("        advert_interval = {};\n",
                       std::chrono::duration<double>(c.advert_interval).count());
    out += fmt::format("        preempt = {};\n", bool_text(c.preempt));
    out += fmt::format("        preempt_delay = {};\n", seconds(c.preempt_delay));
    out += fmt::format("        accept = {};\n", bool_text(c.accept));
    out += fmt::format("        addresses = {};\n", list(c.addresses, [](const VipAddress& v) {
                           return quoted(fmt::format("{}/{}", v.address.to_string(), v.prefix_len));
                       }));
    out += c.unicast_peers.empty()
               ? "        # unicast_peers: none (multicast)\n"
               : fmt::format("        unicast_peers = {};\n", list(c.unicast_peers, addr));
    out += c.source_address ? fmt::format("        source_address = {};\n", addr(*c.source_address))
                            : "        # source_address: the interface's primary address\n";
    if (c.auth_type == AuthType::SimplePassword) {
        out += fmt::format("        authentication = {{ type = \"pass\"; password = {}; }};\n",
                           quoted(c.password));
    }
    if (c.auth_hmac) {
        const auto& h = *c.auth_hmac;
        // A key file stays a path (its secret is not copied out); an inline key, which the
        // model keeps only as bytes, is written in hex.
        out +=
            fmt::format("        auth_hmac = {{\n            keys = {};\n",
                        list(
                            h.keys,
                            [](const HmacKeyConfig& k) {
                                std::string text = k.value;
                                if (text.empty()) {
                                    text = "hex:";
                                    for (const auto b : k.secret.bytes())
                                        text += fmt::format("{:02x}", b);
                                }
                                return fmt::format("{{ id = {}; key = {}; }}", k.id, quoted(text));
                            },
                            true));
        out += fmt::format("            active_key = {};\n            mode = {};\n", h.active_key,
                           quoted(to_string(h.mode)));
        out += fmt::format("            anti_replay = {};\n", quoted(to_string(h.anti_replay)));
        if (h.anti_replay == AntiReplay::Time) {
            out += fmt::format("            time_window = {};\n", h.time_window.count());
        }
        out += "        };\n";
    }
    if (c.version == Version::V3 && c.family == Family::IPv4) {
        out += fmt::format("        checksum = {};\n", quoted(to_string(c.checksum)));
    }
    announce(out, c.announce, "        ");
    out += fmt::format("        track_scripts = {};\n",
                       list(
                           c.track_scripts,
                           [](const TrackScript& t) {
                               return fmt::format("{{ name = {}; weight = {}; reverse = {}; }}",
                                                  quoted(t.name), t.weight, bool_text(t.reverse));
                           },
                           true));
    out +=
        fmt::format("        track_interfaces = {};\n",
                    list(
                        c.track_interfaces,
                        [](const TrackInterface& t) {
                            return fmt::format("{{ name = {}; weight = {}; reverse = {}; }}",
                                               quoted(t.interface), t.weight, bool_text(t.reverse));
                        },
                        true));
    out += fmt::format("        track_files = {};\n",
                       list(
                           c.track_files,
                           [](const TrackFile& t) {
                               return fmt::format("{{ path = {}; weight = {}; reverse = {}; }}",
                                                  quoted(t.path), t.weight, bool_text(t.reverse));
                           },
                           true));
    out += fmt::format("        track_processes = {};\n",
                       list(
                           c.track_processes,
                           [](const TrackProcess& t) {
                               return fmt::format("{{ name = {}; weight = {}; reverse = {}; }}",
                                                  quoted(t.name), t.weight, bool_text(t.reverse));
                           },
                           true));
    notify(out, c.notify, "        ");
    const auto prefix = [](const IpPrefix& p) { return quoted(to_string(p)); };
    if (!c.virtual_routes.empty()) {
        out += fmt::format("        virtual_routes = {};\n",
                           list(
                               c.virtual_routes,
                               [&](const Route& r) {
                                   std::string g = fmt::format("{{ to = {};", prefix(r.to));
                                   if (r.type != RouteType::Unicast)
                                       g += fmt::format(" type = \"{}\";", to_string(r.type));
                                   if (r.via) g += fmt::format(" via = {};", addr(*r.via));
                                   if (!r.dev.empty())
                                       g += fmt::format(" dev = {};", quoted(r.dev));
                                   if (r.src) g += fmt::format(" src = {};", addr(*r.src));
                                   if (r.metric) g += fmt::format(" metric = {};", big(*r.metric));
                                   return g + fmt::format(" table = {}; }}", big(r.table));
                               },
                               true));
    }
    if (!c.virtual_rules.empty()) {
        out += fmt::format("        virtual_rules = {};\n",
                           list(
                               c.virtual_rules,
                               [&](const RoutingRule& r) {
                                   std::string g = "{";
                                   if (r.from) g += fmt::format(" from = {};", prefix(*r.from));
                                   if (r.to) g += fmt::format(" to = {};", prefix(*r.to));
                                   g += fmt::format(" table = {};", big(r.table));
                                   if (r.priority) g += fmt::format(" priority = {};", *r.priority);
                                   return g + " }";
                               },
                               true));
    }
    out += "    }";
}

void sync_group(std::string& out, const SyncGroupConfig& g) {
    out += fmt::format("    {{   {}\n", where(g.file, g.line));
    out += fmt::format("        name = {};\n", quoted(g.name));
    out += fmt::format("        instances = {};\n",
                       list(g.instances, [](const std::string& s) { return quoted(s); }));
    notify(out, g.notify, "        ");
    out += "    }";
}

template <typename T, typename F>
void section(std::string& out, const char* name, const std::vector<T>& items, F write) {
    if (items.empty()) {
        out += fmt::format("{} = ( );\n", name);
        return;
    }
    out += fmt::format("{} = (\n", name);
    for (std::size_t i = 0; i < items.size(); ++i) {
        write(out, items[i]);
        out += i + 1 < items.size() ? ",\n" : "\n";
    }
    out += ");\n";
}

}  // namespace

std::string to_text(const Config& config) {
    std::string out = fmt::format(
        "# The effective configuration of {}: every setting with its default spelled out.\n",
        config.file);
    global(out, config.global);
    section(out, "scripts", config.scripts, script);
    section(out, "processes", config.processes, process);
    section(out, "instances", config.instances, instance);
    section(out, "sync_groups", config.sync_groups, sync_group);
    return out;
}

}  // namespace vipd::config
