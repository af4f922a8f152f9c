// vipctl: talks to a running vipd over its control socket (JSON lines).
// Exit codes scripts can rely on: 0 done, 1 vipd refused (the reply says why), 2 usage,
// 3 cannot reach vipd.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

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

namespace po = boost::program_options;
using nlohmann::json;

namespace {

constexpr int kExitRefused = 1;
constexpr int kExitUsage = 2;
constexpr int kExitUnreachable = 3;

// One request, one reply line; nullopt (with a message on stderr) if vipd can't be reached
// or does not answer within `timeout_s` seconds.
std::optional<json> ask(const std::string& path, const json& request, double timeout_s) {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (fd < 0 || path.size() >= sizeof(addr.sun_path)) {
        std::cerr << "vipctl: bad control socket path " << path << "\n";
        if (fd >= 0) ::close(fd);
        return std::nullopt;
    }
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
        std::cerr << "vipctl: cannot reach vipd at " << path << ": " << std::strerror(errno)
                  << " (is vipd running? --socket PATH)\n";
        ::close(fd);
        return std::nullopt;
    }
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(timeout_s);
    tv.tv_usec = static_cast<suseconds_t>((timeout_s - static_cast<double>(tv.tv_sec)) * 1e6);
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    const std::string line = request.dump() + "\n";
    std::string reply;
    bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
    char buf[4096];
    while (ok && reply.find('\n') == std::string::npos) {
        const ssize_t n = ::read(fd, buf, sizeof(buf));
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            std::cerr << "vipctl: no reply from vipd within " << timeout_s << " s (--timeout)\n";
            ::close(fd);
            return std::nullopt;
        }
        if (n <= 0) break;
        reply.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    auto parsed = json::parse(reply, nullptr, false);
    if (!ok || parsed.is_discarded()) {
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

void print_status(const json& snapshot) {
    std::vector<std::vector<std::string>> rows{{"INSTANCE", "INTERFACE", "VRID", "FAMILY", "STATE",
                                                "PRIORITY", "MASTER", "VIPS", "IN STATE",
                                                "LAST TRANSITION"}};
    for (const auto& i : snapshot.value("instances", json::array())) {
        std::string vips;
        for (const auto& a : i.value("addresses", json::array())) {
            vips += (vips.empty() ? "" : ",") + a.get<std::string>();
        }
        // base -> effective; the base is the runtime override when one is set (marked *).
        const bool overridden =
            i.contains("priority_override") && !i["priority_override"].is_null();
        const auto base =
            overridden ? i["priority_override"].get<int>() : i.value("configured_priority", 0);
        const auto eff = i.value("priority", 0);
        auto priority = base == eff ? std::to_string(eff) : fmt::format("{} -> {}", base, eff);
        if (overridden) priority += " (set)";
        std::string state = str(i, "state");
        if (i.value("maintenance", false)) state += " (maint)";
        if (i.value("handing_over", false)) state += " (handover)";
        rows.push_back({str(i, "name"), str(i, "interface"), str(i, "vrid"), str(i, "family"),
                        state, priority, str(i, "master_address"), vips,
                        fmt::format("{:.1f}s", i.value("in_state_ms", 0) / 1000.0),
                        str(i, "last_transition")});
    }
    print_table(rows);
}

// One instance in full: every scalar of the snapshot, then trackers and counters.
int print_show(const json& snapshot, const std::string& name) {
    for (const auto& i : snapshot.value("instances", json::array())) {
        if (i.value("name", "") != name) continue;
        for (auto it = i.begin(); it != i.end(); ++it) {
            const auto& key = it.key();
            const auto& value = it.value();
            if (value.is_structured()) continue;
            std::cout << fmt::format("{:<26}{}\n", key + ":",
                                     value.is_string() ? value.get<std::string>() : value.dump());
        }
        std::cout << fmt::format("{:<26}{}\n",
                                 "addresses:", i.value("addresses", json::array()).dump());
        std::cout << "trackers:\n";
        for (const auto& t : i.value("trackers", json::array())) {
            const std::string state = t.contains("value") ? "value " + t["value"].dump()
                                                          : (t.value("up", false) ? "up" : "down");
            std::cout << fmt::format("  {:<10}{:<24} weight {:>4}{}  {}\n", str(t, "type"),
                                     str(t, "name"), t.value("weight", 0),
                                     t.value("reverse", false) ? " reverse" : "", state);
        }
        std::cout << "counters:\n";
        const auto counters = i.value("counters", json::object());
        for (auto it = counters.begin(); it != counters.end(); ++it) {
            const auto& key = it.key();
            const auto& value = it.value();
            if (key != "drops") std::cout << fmt::format("  {:<26}{}\n", key + ":", value.dump());
        }
        std::cout << "drops:\n";
        const auto drops = counters.value("drops", json::object());
        for (auto it = drops.begin(); it != drops.end(); ++it) {
            const auto& key = it.key();
            const auto& value = it.value();
            std::cout << fmt::format("  {:<26}{}\n", key + ":", value.dump());
        }
        return 0;
    }
    std::cerr << "vipctl: no instance named '" << name << "'\n";
    return kExitRefused;
}

void print_stats(const json& s) {
    std::vector<std::vector<std::string>> rows{{"INSTANCE", "STATE", "SENT", "RECEIVED", "DROPS",
                                                "SEND ERRORS", "TRANSITIONS", "BECAME MASTER"}};
    for (const auto& i : s.value("instances", json::array())) {
        rows.push_back({str(i, "name"), str(i, "state"), str(i, "adverts_sent"),
                        str(i, "adverts_received"), str(i, "drops"), str(i, "send_errors"),
                        str(i, "transitions"), str(i, "became_master")});
    }
    const auto t = s.value("totals", json::object());
    rows.push_back({"(all)", "", str(t, "adverts_sent"), str(t, "adverts_received"),
                    str(t, "drops"), str(t, "send_errors"), str(t, "transitions"), ""});
    print_table(rows);
    const auto drops = s.value("drops", json::object());
    std::string nonzero;
    for (auto it = drops.begin(); it != drops.end(); ++it) {
        if (it.value().get<std::uint64_t>() > 0) {
            nonzero += fmt::format("  {:<22}{}\n", it.key() + ":", it.value().dump());
        }
    }
    if (!nonzero.empty()) std::cout << "drops by reason (instances and sockets):\n" << nonzero;
    for (const auto& sc : s.value("scripts", json::array())) {
        std::cout << fmt::format("script {}: {} runs, {} failed, {} timed out\n", str(sc, "name"),
                                 str(sc, "runs"), str(sc, "failures"), str(sc, "timeouts"));
    }
    std::cout << fmt::format("over the last {:.1f} s{}\n", s.value("seconds", 0.0),
                             s.value("cleared", false) ? "; counters now cleared" : "");
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

constexpr std::array<Command, 9> kCommands{{{"status", 0, 0},
                                            {"show", 1, 1},
                                            {"stats", 0, 0},
                                            {"reload", 0, 0},
                                            {"handover", 1, 1},
                                            {"set-priority", 2, 2},
                                            {"maintenance", 2, 2},
                                            {"metrics", 0, 0},
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
        return usage(fmt::format("'{}' takes {} argument(s)", cmd->name, cmd->max_args));
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
    if (words[0] == "show") return print_show(result, words[1]);
    if (words[0] == "status") {
        print_status(result);
    } else if (words[0] == "stats") {
        print_stats(result);
    } else if (words[0] == "metrics") {
        std::cout << result.get<std::string>();
    } else if (words[0] == "handover" || words[0] == "maintenance") {
        print_members(result);
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
