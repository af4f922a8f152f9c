// The users scripts and notify commands run as, and the control socket's admin group, looked
// up once per configuration (at start, and on each reload beside the loop), never per run or
// request: a slow or unreachable user database (LDAP, sssd) must not stall the protocol in
// the middle of a partition.
#pragma once

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "vipd/config/config.hpp"
#include "vipd/os/process.hpp"

namespace vipd {

class UserTable {
public:
    // Every user other than root that `config` names (scripts, and the notify commands of
    // instances and sync groups); one that cannot be looked up is left out, and why goes
    // to `problems`.
    static UserTable resolve(const config::Config& config, std::vector<std::string>& problems);

    // The user's ids; null for one not looked up (or not found). Root is never looked up:
    // a command for root runs as vipd.
    [[nodiscard]] const os::UserIds* find(const std::string& name) const;
    // control_admin_group's id, if the configuration names one and it was found.
    [[nodiscard]] std::optional<gid_t> admin_group() const { return admin_group_; }

private:
    std::map<std::string, os::UserIds> ids_;
    std::optional<gid_t> admin_group_;
};

}  // namespace vipd
