// Sync group rules: following a member into Master or out of it, fault holds, and when the
// group as a whole changed state.
#include "vipd/core/sync_group.hpp"

#include <algorithm>

namespace vipd {

void SyncGroups::configure(std::vector<SyncGroupMembers> groups) {
    std::map<std::string, Group> next;
    group_of_.clear();
    for (auto& g : groups) {
        auto& group = next[g.name];
        if (const auto old = groups_.find(g.name); old != groups_.end()) {
            group.state = old->second.state;
        }
        for (const auto& m : g.members)
            group_of_[m] = g.name;
        group.members = std::move(g.members);
    }
    groups_ = std::move(next);
}

const std::string* SyncGroups::group_of(const std::string& member) const {
    const auto it = group_of_.find(member);
    return it == group_of_.end() ? nullptr : &it->second;
}

std::vector<std::string> SyncGroups::peers_of(const std::string& member) const {
    std::vector<std::string> out;
    const auto* group = group_of(member);
    if (group == nullptr) return out;
    for (const auto& m : groups_.at(*group).members) {
        if (m != member) out.push_back(m);
    }
    return out;
}

SyncGroups::Followed SyncGroups::on_transition(const std::string& member, const action::Notify& n,
                                               const View& view, bool follow) {
    Followed out;
    const auto* group = group_of(member);
    if (group == nullptr) return out;
    const bool own = n.reason.kind != ReasonKind::SyncGroup;
    for (const auto& peer : follow ? peers_of(member) : std::vector<std::string>{}) {
        if (own && n.to == State::Master) {
            out.commands.push_back({peer, event::GroupMaster{}});
        } else if (own && n.from == State::Master && n.to == State::Backup &&
                   !view.handing_over(peer)) {
            out.commands.push_back({peer, event::GroupBackup{}});
        }
    }
    // The group's own notification: once per change of the group's state (the members that
    // follow repeat it).
    auto& g = groups_.at(*group);
    const std::string state(notified_name(n.to));
    if (g.state != state) {
        g.state = state;
        out.notify = Notification{*group, state, member, n.reason};
    }
    return out;
}

std::vector<SyncGroups::Command> SyncGroups::reconcile(std::span<const std::string> instances,
                                                       const View& view) const {
    std::vector<Command> out;
    for (const auto& name : instances) {
        if (group_of(name) == nullptr) {
            out.push_back({name, event::FaultCleared{FaultSource::SyncGroup}});
            out.push_back({name, event::GroupReleased{}});
            continue;
        }
        const auto peers = peers_of(name);
        const bool held = std::any_of(peers.begin(), peers.end(), view.own_fault);
        out.push_back({name, held ? Event{event::FaultRaised{FaultSource::SyncGroup}}
                                  : Event{event::FaultCleared{FaultSource::SyncGroup}}});
    }
    return out;
}

}  // namespace vipd
