// ScriptPolicy: the configured commands, compared whole with what the daemon asks for.
#include "script_policy.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <set>
#include <string_view>
#include <utility>

namespace vipd {
namespace {

constexpr std::array<std::string_view, 4> kNotifyStates{"MASTER", "BACKUP", "FAULT", "STOP"};
constexpr std::size_t kMaxEnvEntries = 32;
constexpr std::size_t kMaxEnvEntry = 1024;

// vipd's variables only (VIPD_*=...), printable, bounded: nothing that changes how the
// command or its interpreter runs (PATH, LD_PRELOAD, BASH_ENV, ...).
bool allowed_env(const std::string& entry) {
    if (entry.size() > kMaxEnvEntry || !entry.starts_with("VIPD_")) return false;
    const auto eq = entry.find('=');
    if (eq == std::string::npos) return false;
    const auto name = std::string_view(entry).substr(0, eq);
    if (!std::all_of(name.begin(), name.end(), [](char c) {
            return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        }))
        return false;
    return std::none_of(entry.begin(), entry.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u < 0x20 || u == 0x7f;
    });
}

bool is_priority(const std::string& s) {
    if (s.empty() || s.size() > 3 ||
        !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return false;
    return std::stoi(s) <= 255;
}

bool same_user(const std::optional<os::UserIds>& a, const std::optional<os::UserIds>& b) {
    if (!a || !b) return !a && !b;
    return a->name == b->name && a->uid == b->uid && a->gid == b->gid;
}

}  // namespace

ScriptPolicy::ScriptPolicy(const config::Config& config, const UserTable& users) {
    // A user that could not be looked up has no commands: nothing runs for it.
    auto user_of = [&users](const std::string& name) -> std::optional<std::optional<os::UserIds>> {
        if (name == "root") return std::optional<os::UserIds>{};
        const auto* ids = users.find(name);
        if (ids == nullptr) return std::nullopt;
        return std::optional<os::UserIds>{*ids};
    };
    for (const auto& s : config.scripts) {
        if (auto user = user_of(s.user)) {
            Command c;
            c.argv = s.argv;
            c.user = *user;
            c.timeout = s.timeout;
            c.check = s.name;
            commands_.push_back(std::move(c));
        }
    }
    auto add_notify = [&](const config::NotifyConfig& n, Command base) {
        auto user = user_of(n.user);
        if (!user) return;
        base.user = *user;
        base.timeout = n.timeout;
        for (const auto& [argv, state] :
             {std::pair{&n.master, "MASTER"}, std::pair{&n.backup, "BACKUP"},
              std::pair{&n.fault, "FAULT"}, std::pair{&n.stop, "STOP"}, std::pair{&n.any, ""}}) {
            if (argv->empty()) continue;
            Command c = base;
            c.argv = *argv;
            c.state = state;
            commands_.push_back(std::move(c));
        }
    };
    for (const auto& i : config.instances) {
        Command c;
        c.notify_type = "INSTANCE";
        c.notify_name = i.name;
        c.fixed = {{"VIPD_TYPE", "INSTANCE"},
                   {"VIPD_INSTANCE", i.name},
                   {"VIPD_VRID", std::to_string(i.vrid.value())},
                   {"VIPD_INTERFACE", i.interface},
                   {"VIPD_FAMILY", i.family == Family::IPv4 ? "ipv4" : "ipv6"}};
        add_notify(i.notify, std::move(c));
    }
    for (const auto& g : config.sync_groups) {
        Command c;
        c.notify_type = "GROUP";
        c.notify_name = g.name;
        c.fixed = {{"VIPD_TYPE", "GROUP"}, {"VIPD_GROUP", g.name}};
        c.members = {g.instances.begin(), g.instances.end()};
        add_notify(g.notify, std::move(c));
    }
}

bool ScriptPolicy::notify_env_matches(const Command& c, const os::ScriptSpec& spec) {
    const auto n = c.argv.size();
    const auto& state = spec.argv[n + 2];
    const auto& priority = spec.argv[n + 3];
    std::set<std::string> seen;
    for (const auto& entry : spec.env) {
        const auto eq = entry.find('=');
        const auto name = entry.substr(0, eq);
        const auto value = std::string_view(entry).substr(eq + 1);
        if (!seen.insert(name).second) return false;
        if (const auto f = c.fixed.find(name); f != c.fixed.end()) {
            if (value != f->second) return false;
        } else if (name == "VIPD_STATE") {
            if (value != state) return false;
        } else if (name == "VIPD_PRIORITY") {
            if (value != priority) return false;
        } else if (name == "VIPD_PREVIOUS_STATE") {
            if (value.empty() || value.size() > 16 ||
                !std::all_of(value.begin(), value.end(),
                             [](char ch) { return ch >= 'A' && ch <= 'Z'; }))
                return false;
        } else if (name == "VIPD_INSTANCE") {  // a group's member that moved it
            if (!c.members.contains(std::string(value))) return false;
        } else if (name != "VIPD_REASON") {
            return false;
        }
    }
    return true;
}

bool ScriptPolicy::matches(const Command& c, const os::ScriptSpec& spec) {
    if (!same_user(c.user, spec.user) || spec.timeout != c.timeout) return false;
    const auto& argv = spec.argv;
    if (!c.check.empty()) {
        return argv == c.argv && spec.env == std::vector<std::string>{"VIPD_SCRIPT=" + c.check};
    }
    const auto n = c.argv.size();
    if (argv.size() != n + 4 || !std::equal(c.argv.begin(), c.argv.end(), argv.begin()) ||
        argv[n] != c.notify_type || argv[n + 1] != c.notify_name || !is_priority(argv[n + 3])) {
        return false;
    }
    const auto& state = argv[n + 2];
    if (c.state.empty()
            ? std::find(kNotifyStates.begin(), kNotifyStates.end(), state) == kNotifyStates.end()
            : state != c.state) {
        return false;
    }
    return notify_env_matches(c, spec);
}

std::optional<std::string> ScriptPolicy::refusal(const os::ScriptSpec& spec) const {
    const std::string what = spec.argv.empty() ? std::string("(no program)") : spec.argv.front();
    if (spec.env.size() > kMaxEnvEntries ||
        !std::all_of(spec.env.begin(), spec.env.end(), allowed_env)) {
        return fmt::format("{}: an environment variable that is not vipd's", what);
    }
    if (std::any_of(commands_.begin(), commands_.end(),
                    [&spec](const Command& c) { return matches(c, spec); })) {
        return std::nullopt;
    }
    return fmt::format("{}{}: not a command of the configuration the launcher read (as {})", what,
                       spec.argv.size() > 1 ? " ..." : "",
                       spec.user ? spec.user->name : std::string("root"));
}

}  // namespace vipd
