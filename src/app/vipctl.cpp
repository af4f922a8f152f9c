// vipctl: talks to a running vipd over its control socket (JSON lines).
// Exit codes scripts can rely on: 0 done, 1 vipd refused (the reply says why), 2 usage,
// 3 cannot reach vipd.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

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

// One request, one reply line; nullopt (with a message on stderr) if vipd can't be reached.
std::optional<json> ask(const std::string& path, const json& request) {
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
    const std::string line = request.dump() + "\n";
    std::string reply;
    bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
    char buf[4096];
    while (ok && reply.find('\n') == std::string::npos) {
        const ssize_t n = ::read(fd, buf, sizeof(buf));
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

void print_status(const json& snapshot) {
    std::vector<std::vector<std::string>> rows{{"INSTANCE", "INTERFACE", "VRID", "FAMILY", "STATE",
                                                "PRIORITY", "MASTER", "VIPS", "IN STATE",
                                                "LAST TRANSITION"}};
    for (const auto& i : snapshot.value("instances", json::array())) {
        std::string vips;
        for (const auto& a : i.value("addresses", json::array())) {
            vips += (vips.empty() ? "" : ",") + a.get<std::string>();
        }
        const auto base = i.value("configured_priority", 0);
        const auto eff = i.value("priority", 0);
        rows.push_back({str(i, "name"), str(i, "interface"), str(i, "vrid"), str(i, "family"),
                        str(i, "state"),
                        base == eff ? std::to_string(eff) : fmt::format("{} -> {}", base, eff),
                        str(i, "master_address"), vips,
                        fmt::format("{:.1f}s", i.value("in_state_ms", 0) / 1000.0),
                        str(i, "last_transition")});
    }
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
            if (key != "drops") std::cout << fmt::format("  {:<24}{}\n", key + ":", value.dump());
        }
        std::cout << "drops:\n";
        const auto drops = counters.value("drops", json::object());
        for (auto it = drops.begin(); it != drops.end(); ++it) {
            const auto& key = it.key();
            const auto& value = it.value();
            std::cout << fmt::format("  {:<24}{}\n", key + ":", value.dump());
        }
        return 0;
    }
    std::cerr << "vipctl: no instance named '" << name << "'\n";
    return kExitRefused;
}

}  // namespace

int main(int argc, char** argv) {
    std::string socket_path = "/run/vipd/vipd.sock";
    std::vector<std::string> words;
    bool as_json = false;
    po::options_description desc(
        "Usage: vipctl [--socket PATH] COMMAND\n\nCommands:\n"
        "  status [--json]   every instance: state, priority, master, VIPs\n"
        "  show NAME         one instance in full: timers, trackers, counters, drops\n"
        "  reload            validate and apply the configuration file (as SIGHUP); the\n"
        "                    reply lists the errors that kept the running one\n\nOptions");
    desc.add_options()("socket,s", po::value(&socket_path)->default_value(socket_path),
                       "vipd's control socket")(
        "json", po::bool_switch(&as_json), "print the reply as JSON")("help,h", "print this help")(
        "version", "print the version");
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
    const bool show = words.size() == 2 && words[0] == "show";
    if (!show && (words.size() != 1 || (words[0] != "status" && words[0] != "reload"))) {
        std::cerr << "vipctl: expected a command: status, show NAME or reload\n" << desc;
        return kExitUsage;
    }
    const auto reply = ask(socket_path, json{{"command", show ? "status" : words[0]}});
    if (!reply) return kExitUnreachable;
    const bool ok = reply->value("ok", false);
    if (as_json) {
        std::cout << reply->dump(2) << "\n";
        return ok ? 0 : kExitRefused;
    }
    if (show && ok) return print_show(reply->at("result"), words[1]);
    if (words[0] == "status" && ok) {
        print_status(reply->at("result"));
        return 0;
    }
    if (words[0] == "reload") {
        const auto result = reply->value("result", json::object());
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
    std::cerr << "vipctl: " << str(*reply, "error") << "\n";
    return kExitRefused;
}
