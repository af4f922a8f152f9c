// What a reload does to the running instances, worked out before anything is touched:
// an instance keeps its identity (name, interface, VRID, family) across a reload and with
// it its state; one whose settings changed is changed live, one that is gone stops, one
// that is new starts. Pure: the daemon carries the plan out.
#pragma once

#include <map>
#include <memory>
#include <vector>

#include "instance.hpp"
#include "vipd/config/config.hpp"

namespace vipd {

using InstanceMap = std::map<InstanceKey, std::unique_ptr<Instance>>;

struct ReloadPlan {
    std::vector<config::InstanceConfig> start;  // new identities, in file order
    // Same identity, other settings: applied live (VIPs that stay are not flapped).
    std::vector<std::pair<InstanceKey, config::InstanceConfig>> change;
    std::vector<InstanceKey> keep;  // same identity and settings
    std::vector<InstanceKey> stop;  // no longer configured
};

// `running`: the instances now, by identity; `wanted`: the new configuration's.
[[nodiscard]] ReloadPlan plan_reload(const InstanceMap& running,
                                     std::vector<config::InstanceConfig> wanted);
// The same for the identities and configurations alone (what plan_reload reads of an
// instance), for callers and tests without instances.
[[nodiscard]] ReloadPlan plan_reload(
    const std::map<InstanceKey, const config::InstanceConfig*>& running,
    std::vector<config::InstanceConfig> wanted);

}  // namespace vipd
