// What the script launcher agrees to run: exactly the commands of the configuration it read
// itself (health checks with their own environment; notify commands with keepalived's four
// arguments), as the user each is configured for. A daemon taken over through a packet or
// a control request can ask for anything; it gets only these.
#pragma once

#include <optional>
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
    };
    [[nodiscard]] static bool matches(const Command& c, const os::ScriptSpec& spec);
    std::vector<Command> commands_;
};

}  // namespace vipd
