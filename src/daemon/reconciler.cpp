// The reload plan: identities matched, settings compared, nothing touched.
#include "reconciler.hpp"

#include <set>

namespace vipd {

ReloadPlan plan_reload(const std::map<InstanceKey, const config::InstanceConfig*>& running,
                       std::vector<config::InstanceConfig> wanted) {
    ReloadPlan plan;
    std::set<InstanceKey> seen;
    for (auto& c : wanted) {
        auto key = key_of(c);
        seen.insert(key);
        const auto it = running.find(key);
        if (it == running.end()) {
            plan.start.push_back(std::move(c));
        } else if (*it->second == c) {
            plan.keep.push_back(std::move(key));
        } else {
            plan.change.emplace_back(std::move(key), std::move(c));
        }
    }
    for (const auto& [key, config] : running) {
        if (!seen.contains(key)) plan.stop.push_back(key);
    }
    return plan;
}

ReloadPlan plan_reload(const InstanceMap& running, std::vector<config::InstanceConfig> wanted) {
    std::map<InstanceKey, const config::InstanceConfig*> configs;
    for (const auto& [key, inst] : running)
        configs.emplace(key, &inst->config());
    return plan_reload(configs, std::move(wanted));
}

}  // namespace vipd
