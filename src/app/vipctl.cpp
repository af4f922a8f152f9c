// vipctl: talks to a running vipd over its control socket (JSON lines).
// Exit codes scripts can rely on: 0 done, 1 vipd refused (the reply says why), 2 usage,
// 3 cannot reach vipd.
#include <algorithm>
#include <array>
#include <boost/program_options.hpp>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "vipd/daemon/status.hpp"
#include "vipd/os/unix_client.hpp"

namespace po = boost::program_options;
using nlohmann::json;

namespace {

constexpr int kExitRefused = 1;
constexpr int kExitUsage = 2;
constexpr int kExitUnreachable = 3;

// One request, one reply line; nullopt (with a message on stderr) if vipd can't be reached
// or does not answer within `timeout_s` seconds.
std::optional<json> ask(const std::string& path, const json& request, double timeout_s) {
    const auto reply = vipd::os::exchange_line(path, request.dump(), timeout_s);
    if (!reply) {
        std::cerr << "vipctl: " << reply.error() << "\n";
        return std::nullopt;
    }
    auto parsed = json::parse(*reply, nullptr, false);
    if (parsed.is_discarded()) {
        std::cerr << "vipctl: no valid reply from vipd at " << path << "\n";
        return std::nullopt;
    }
    return parsed;
}

std::string str(const json& j, const char* key) {
    const auto it = j.find(key);
    if (it == j.end() || it->is_null()) return "-";
    return it->is_string() ? it->get<std::string>() : it->dump();
}

void print_table(const std::vector<std::vector<std::string>>& rows) {
    std::vector<std::size_t> width(rows[0].size(), 0);
    for (const auto& r : rows) {
        for (std::size_t c = 0; c < r.size(); ++c)
            width[c] = std::max(width[c], r[c].size());
    }
    for (const auto& r : rows) {
        std::string line;
        for (std::size_t c = 0; c < r.size(); ++c) {
            line += r[c];
            if (c + 1 < r.size()) line += std::string(width[c] - r[c].size() + 2, ' ');
        }
        std::cout << line << "\n";
    }
}

std::string or_dash(const std::optional<std::string>& s) {
    return s.value_or("-");
}

void print_status(const vipd::DaemonStatus& status) {
    std::vector<std::vector<std::string>> rows{{"INSTANCE", "INTERFACE", "VRID", "FAMILY", "STATE",
                                                "PRIORITY", "MASTER", "VIPS", "IN STATE",
                                                "LAST TRANSITION"}};
    for (const auto& i : status.instances) {
        std::string vips;
        for (const auto& a : i.addresses)
            vips += (vips.empty() ? "" : ",") + a;
        // base -> effective; the base is the runtime override when one is set.
        const auto base = i.priority_override.value_or(i.configured_priority);
        auto priority = base == i.priority ? std::to_string(i.priority)
                                           : fmt::format("{} -> {}", base, i.priority);
        if (i.priority_override) priority += " (set)";
        std::string state(vipd::to_string(i.state));
        if (i.maintenance) state += " (maint)";
        if (i.handing_over) state += " (handover)";
        rows.push_back({i.name, i.interface, std::to_string(i.vrid),
                        i.family == vipd::Family::IPv4 ? "ipv4" : "ipv6", state, priority,
                        or_dash(i.master_address), vips,
                        fmt::format("{:.1f}s", static_cast<double>(i.in_state_ms) / 1000.0),
                        or_dash(i.last_transition)});
    }
    print_table(rows);
    for (const auto& p : status.processes) {
        std::cout << fmt::format("process {}: {} running, {} ({})\n", p.name, p.running,
                                 p.up ? "up" : "down", status.process_source);
    }
}

// One instance in full: every scalar of its status, then trackers, counters and drops.
int print_show(const vipd::DaemonStatus& status, const std::string& name) {
    for (const auto& i : status.instances) {
        if (i.name != name) continue;
        const json j = i;  // the scalars by their JSON names, as --json shows them
        for (auto it = j.begin(); it != j.end(); ++it) {
            if (it.value().is_structured() || it.key() == "auth_hmac") continue;
            std::cout << fmt::format(
                "{:<26}{}\n", it.key() + ":",
                it.value().is_string() ? it.value().get<std::string>() : it.value().dump());
        }
        std::cout << fmt::format("{:<26}{}\n", "addresses:", j.at("addresses").dump());
        if (const auto& a = i.auth_hmac) {
            std::string keys;
            for (const int k : a->keys) {
                if (!keys.empty()) keys += ' ';
                keys += std::to_string(k);
            }
            std::cout << fmt::format(
                "{:<26}{}, {} (accepts keys {}), anti-replay {}{}{}\n", "auth_hmac:", a->mode,
                a->mode == "receive-only" ? std::string("not signing")
                                          : fmt::format("signing with key {}", a->active_key),
                keys, a->anti_replay,
                a->time_window_s ? fmt::format(" within {} s", *a->time_window_s) : "",
                a->last_skew_s ? fmt::format(", last peer clock {:+} s from ours", -*a->last_skew_s)
                               : "");
        } else {
            std::cout << fmt::format("{:<26}{}\n", "auth_hmac:", "none (adverts unsigned)");
        }
        std::cout << "trackers:\n";
        for (const auto& t : i.trackers) {
            const std::string state = !t.up && t.value ? "failed (unreadable; see the log)"
                                      : t.value        ? "value " + std::to_string(*t.value)
                                                       : (t.up ? "up" : "down");
            std::cout << fmt::format("  {:<10}{:<24} weight {:>4}{}  {}\n", t.type, t.name,
                                     t.weight, t.reverse ? " reverse" : "", state);
        }
        std::cout << "counters:\n";
        const auto& counters = j.at("counters");
        for (auto it = counters.begin(); it != counters.end(); ++it) {
            if (it.key() != "drops") {
                std::cout << fmt::format("  {:<26}{}\n", it.key() + ":", it.value().dump());
            }
        }
        std::cout << "drops:\n";
        for (std::size_t r = 0; r < vipd::kDropReasonCount; ++r) {
            std::cout << fmt::format(
                "  {:<26}{}\n",
                std::string(vipd::to_string(static_cast<vipd::DropReason>(r))) + ":",
                i.counters.drops[r]);
        }
        return 0;
    }
    std::cerr << "vipctl: no instance named '" << name << "'\n";
    return kExitRefused;
}

void print_stats(const vipd::StatsReport& s) {
    std::vector<std::vector<std::string>> rows{{"INSTANCE", "STATE", "SENT", "RECEIVED", "DROPS",
                                                "SEND ERRORS", "TRANSITIONS", "BECAME MASTER"}};
    const auto n = [](std::uint64_t v) { return std::to_string(v); };
    for (const auto& i : s.instances) {
        rows.push_back({i.name, std::string(vipd::to_string(i.state)), n(i.adverts_sent),
                        n(i.adverts_received), n(i.drops), n(i.send_errors), n(i.transitions),
                        n(i.became_master)});
    }
    const auto t = s.totals();
    rows.push_back({"(all)", "", n(t.adverts_sent), n(t.adverts_received), n(t.drops),
                    n(t.send_errors), n(t.transitions), ""});
    print_table(rows);
    std::string nonzero;
    for (std::size_t r = 0; r < vipd::kDropReasonCount; ++r) {
        if (s.drops[r] > 0) {
            nonzero += fmt::format(
                "  {:<22}{}\n",
                std::string(vipd::to_string(static_cast<vipd::DropReason>(r))) + ":", s.drops[r]);
        }
    }
    if (!nonzero.empty()) std::cout << "drops by reason (instances and sockets):\n" << nonzero;
    for (const auto& sc : s.scripts) {
        std::cout << fmt::format("script {}: {} runs, {} failed, {} timed out\n", sc.name, sc.runs,
                                 sc.failures, sc.timeouts);
    }
    std::cout << fmt::format("over the last {:.1f} s{}\n", s.seconds,
                             s.cleared ? "; counters now cleared" : "");
}

void print_members(const json& result) {
    for (const auto& m : result.value("instances", json::array())) {
        std::cout << fmt::format("{}: {}\n", str(m, "instance"), str(m, "message"));
    }
    if (result.contains("elapsed_ms")) {
        std::cout << fmt::format("done in {:.0f} ms\n", result.value("elapsed_ms", 0.0));
    }
}

struct Command {
    const char* name;
    std::size_t min_args, max_args;
};

constexpr std::array<Command, 10> kCommands{{{"status", 0, 0},
                                             {"show", 1, 1},
                                             {"stats", 0, 0},
                                             {"reload", 0, 0},
                                             {"handover", 1, 1},
                                             {"set-priority", 2, 2},
                                             {"maintenance", 2, 2},
                                             {"metrics", 0, 0},
                                             {"log-level", 0, 2},
                                             {"ping", 0, 0}}};

}  // namespace

int main(int argc, char** argv) {
    std::string socket_path = "/run/vipd/vipd.sock";
    std::string to;
    std::vector<std::string> words;
    bool as_json = false, clear = false;
    double timeout_s = 30;
    po::options_description desc(
        "Usage: vipctl [--socket PATH] COMMAND\n\nCommands:\n"
        "  status [--json]              every instance: state, priority, master, VIPs\n"
        "  show NAME                    one instance in full: timers, trackers, counters\n"
        "  stats [--json] [--clear]     counters of every instance; --clear resets them\n"
        "  reload                       validate and apply the configuration file (as\n"
        "                               SIGHUP); the reply lists the errors that kept the\n"
        "                               running one\n"
        "  handover NAME [--to ADDR]    planned switchover without loss: stays master until\n"
        "                               another router has taken over (its sync group too)\n"
        "  set-priority NAME N|default  runtime priority 1..254 (until reload)\n"
        "  maintenance NAME on|off      go (by handover) and stay backup, or end it\n"
        "  metrics                      Prometheus text exposition\n"
        "  log-level [LEVEL [CATEGORY]] show or set what is logged: LEVEL debug, info,\n"
        "                               notice, warning or error; with CATEGORY (packets,\n"
        "                               timers, netlink, scripts, control) debug turns that\n"
        "                               category's debug lines on, another level off\n"
        "  ping                         is vipd there? (prints pong)\n\nOptions");
    desc.add_options()("socket,s", po::value(&socket_path)->default_value(socket_path),
                       "vipd's control socket")("json", po::bool_switch(&as_json),
                                                "print the reply as JSON")(
        "clear", po::bool_switch(&clear), "stats: reset the counters after reading them")(
        "to", po::value(&to), "handover: the router expected to take over")(
        "timeout", po::value(&timeout_s)->default_value(timeout_s),
        "seconds to wait for vipd's reply (handover, maintenance: 300)")(
        "help,h", "print this help")("version", "print the version");
    po::options_description hidden;
    hidden.add_options()("command", po::value(&words));
    po::options_description all;
    all.add(desc).add(hidden);
    po::positional_options_description pos;
    pos.add("command", -1);
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(all).positional(pos).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "vipctl: " << e.what() << "\n" << desc;
        return kExitUsage;
    }
    if (vm.count("help") != 0U) {
        std::cout << desc;
        return 0;
    }
    if (vm.count("version") != 0U) {
        std::cout << "vipctl " << VIPD_VERSION << "\n";
        return 0;
    }
    const auto usage = [&](const std::string& why) {
        std::cerr << "vipctl: " << why << "\n" << desc;
        return kExitUsage;
    };
    if (words.empty()) return usage("expected a command");
    const auto cmd = std::find_if(kCommands.begin(), kCommands.end(),
                                  [&](const Command& c) { return words[0] == c.name; });
    if (cmd == kCommands.end()) return usage("unknown command '" + words[0] + "'");
    const auto nargs = words.size() - 1;
    if (nargs < cmd->min_args || nargs > cmd->max_args) {
        return usage(cmd->min_args == cmd->max_args
                         ? fmt::format("'{}' takes {} argument(s)", cmd->name, cmd->max_args)
                         : fmt::format("'{}' takes {} to {} arguments", cmd->name, cmd->min_args,
                                       cmd->max_args));
    }
    if (!to.empty() && words[0] != "handover") return usage("--to is for handover");
    if (clear && words[0] != "stats") return usage("--clear is for stats");
    if (!(timeout_s > 0 && timeout_s < 86400)) return usage("--timeout must be 0..86400 seconds");
    // A handover waits for the successor: a few advert intervals, up to 41 s each.
    if (vm["timeout"].defaulted() && (words[0] == "handover" || words[0] == "maintenance")) {
        timeout_s = 300;
    }

    json request{{"command", words[0] == "show" ? "status" : words[0]}};
    if (words[0] == "stats") request["clear"] = clear;
    if (words[0] == "handover") {
        request["instance"] = words[1];
        if (!to.empty()) request["to"] = to;
    }
    if (words[0] == "set-priority") {
        request["instance"] = words[1];
        if (words[2] == "default") {
            request["priority"] = nullptr;
        } else {
            try {
                std::size_t used = 0;
                const int p = std::stoi(words[2], &used);
                if (used != words[2].size() || p < 1 || p > 254) {
                    throw std::invalid_argument(words[2]);
                }
                request["priority"] = p;
            } catch (const std::exception&) {
                return usage("set-priority needs a number 1..254 or 'default'");
            }
        }
    }
    if (words[0] == "log-level") {
        if (words.size() > 1) request["level"] = words[1];
        if (words.size() > 2) request["category"] = words[2];
    }
    if (words[0] == "maintenance") {
        request["instance"] = words[1];
        if (words[2] != "on" && words[2] != "off") return usage("maintenance needs on or off");
        request["on"] = words[2] == "on";
    }
    const auto reply = ask(socket_path, request, timeout_s);
    if (!reply) return kExitUnreachable;
    const bool ok = reply->value("ok", false);
    if (as_json) {
        std::cout << reply->dump(2) << "\n";
        return ok ? 0 : kExitRefused;
    }
    const auto result = reply->value("result", json::object());
    if (words[0] == "reload") {
        for (const auto& d : result.value("diagnostics", json::array())) {
            std::cerr << d.get<std::string>() << "\n";
        }
        if (ok) {
            std::cout << "reloaded\n";
            return 0;
        }
        if (reply->contains("error")) std::cerr << "vipctl: " << str(*reply, "error") << "\n";
        std::cerr << "vipctl: reload refused; vipd keeps the running configuration\n";
        return kExitRefused;
    }
    if (!ok) {
        std::cerr << "vipctl: " << words[0] << ": " << str(*reply, "error") << "\n";
        return kExitRefused;
    }
    try {
        if (words[0] == "show") return print_show(result.get<vipd::DaemonStatus>(), words[1]);
        if (words[0] == "status") {
            print_status(result.get<vipd::DaemonStatus>());
            return 0;
        }
        if (words[0] == "stats") {
            print_stats(result.get<vipd::StatsReport>());
            return 0;
        }
    } catch (const json::exception& e) {
        // A vipd of another version, say: its reply is not what this vipctl reads.
        std::cerr << "vipctl: unexpected reply from vipd: " << e.what() << "\n";
        return kExitRefused;
    }
    if (words[0] == "metrics") {
        std::cout << result.get<std::string>();
    } else if (words[0] == "handover" || words[0] == "maintenance") {
        print_members(result);
    } else if (words[0] == "log-level") {
        std::string debug;
        for (const auto& c : result.value("debug", json::array())) {
            debug += (debug.empty() ? "" : ",") + c.get<std::string>();
        }
        std::cout << fmt::format("level {}; debug lines: {}\n", str(result, "level"),
                                 debug.empty() ? "none" : debug);
    } else if (words[0] == "set-priority") {
        std::cout << fmt::format(
            "{}: priority {} ({}, {})\n", words[1], str(result, "priority"),
            result["override"].is_null() ? "configured" : "override " + result["override"].dump(),
            str(result, "state"));
    } else {
        std::cout << str(*reply, "result") << "\n";
    }
    return 0;
}
