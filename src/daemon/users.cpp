// UserTable: getpwnam_r for each user a configuration names, once.
#include "users.hpp"

#include <fmt/format.h>

#include <set>

#include "vipd/os/host.hpp"

namespace vipd {

UserTable UserTable::resolve(const config::Config& config, std::vector<std::string>& problems) {
    std::set<std::string> names;
    for (const auto& s : config.scripts)
        names.insert(s.user);
    for (const auto& i : config.instances)
        names.insert(i.notify.user);
    for (const auto& g : config.sync_groups)
        names.insert(g.notify.user);
    names.erase("root");
    names.erase("");
    UserTable table;
    for (const auto& name : names) {
        auto ids = os::lookup_user(name);
        if (ids) {
            table.ids_.emplace(name, std::move(ids.value()));
        } else {
            problems.push_back(ids.error());
        }
    }
    if (const auto& group = config.global.control_admin_group; !group.empty()) {
        table.admin_group_ = os::group_id(group);
        if (!table.admin_group_) problems.push_back(fmt::format("group {} does not exist", group));
    }
    return table;
}

const os::UserIds* UserTable::find(const std::string& name) const {
    const auto it = ids_.find(name);
    return it == ids_.end() ? nullptr : &it->second;
}

}  // namespace vipd
