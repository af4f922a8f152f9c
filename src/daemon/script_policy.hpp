// What the script launcher agrees to run: exactly the commands of the configuration it read
// itself (health checks with their own environment; notify commands with keepalived's four
// arguments, the state bound to its command, and the VIPD_* variables vipd sets, with the
// values the configuration fixes), as the user each is configured for. A daemon taken over
// through a packet or a control request can ask for anything; it gets only these.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "users.hpp"
#include "vipd/config/model.hpp"
#include "vipd/os/process.hpp"

namespace vipd {

class ScriptPolicy {
public:
    ScriptPolicy() = default;  // allows nothing
    ScriptPolicy(const config::Config& config, const UserTable& users);

    // Why `spec` is not a run of this configuration, or nullopt.
    [[nodiscard]] std::optional<std::string> refusal(const os::ScriptSpec& spec) const;

private:
    struct Command {
        std::vector<std::string> argv;
        std::optional<os::UserIds> user;  // nullopt: root, as the launcher itself
        Duration timeout{};
        std::string check;        // a health check's name; empty for a notify command
        std::string notify_type;  // INSTANCE or GROUP
        std::string notify_name;
        std::string state;                         // the state its command is for; empty: any
        std::map<std::string, std::string> fixed;  // VIPD_* the configuration decides
        std::set<std::string> members;             // a group's instances (VIPD_INSTANCE)
    };
    [[nodiscard]] static bool matches(const Command& c, const os::ScriptSpec& spec);
    [[nodiscard]] static bool notify_env_matches(const Command& c, const os::ScriptSpec& spec);
    std::vector<Command> commands_;
};

// The launcher's policies across reloads: the configuration read last, and the one before,
// whose commands still run for a while after a reload (a removed instance's STOP
// notification, transitions queued before it).
class ScriptPolicies {
public:
    void replace(ScriptPolicy latest) {
        previous_ = std::move(current_);
        current_ = std::move(latest);
    }
    [[nodiscard]] std::optional<std::string> refusal(const os::ScriptSpec& spec) const {
        auto why = current_.refusal(spec);
        if (why && !previous_.refusal(spec)) return std::nullopt;
        return why;
    }

private:
    ScriptPolicy current_;
    ScriptPolicy previous_;
};

}  // namespace vipd
