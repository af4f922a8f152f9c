// The sync groups' driver: one member's transition at a time, the group's events applied in
// order, the fault holds recomputed afterwards, and the group's own notification.
#include "sync_groups.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace vipd {

SyncGroupDriver::SyncGroupDriver(os::TimeSource& time, std::shared_ptr<spdlog::logger> log,
                                 Members members)
    : time_(time), log_(std::move(log)), members_(std::move(members)) {}

void SyncGroupDriver::configure(const std::vector<config::SyncGroupConfig>& groups,
                                os::ScriptRunner* runner, const UserTable* users) {
    runner_ = runner;
    users_ = users;
    std::vector<SyncGroupMembers> members;
    std::map<std::string, Group> next;
    for (const auto& g : groups) {
        members.push_back({g.name, g.instances});
        auto& group = next[g.name];
        group.config = g;
        if (auto old = groups_.find(g.name); old != groups_.end()) {
            group.notify = std::move(old->second.notify);
        } else {
            group.notify = std::make_unique<NotifyQueue>(time_, log_, "[group " + g.name + "]");
        }
    }
    for (auto& [name, g] : groups_) {
        if (g.notify && g.notify->pending() > 0) retired_.push_back(std::move(g.notify));
    }
    groups_ = std::move(next);
    rules_.configure(std::move(members));
}

SyncGroups::View SyncGroupDriver::view() const {
    return {[this](const std::string& name) {
                const auto* inst = members_.find(name);
                return inst != nullptr && inst->machine().has_own_fault();
            },
            [this](const std::string& name) {
                const auto* inst = members_.find(name);
                return inst != nullptr && inst->handing_over();
            }};
}

void SyncGroupDriver::apply(const std::vector<SyncGroups::Command>& commands) {
    const Hold echoes(*this);  // what these events cause is not followed again
    for (const auto& c : commands) {
        if (auto* inst = members_.find(c.member)) inst->group_event(c.event);
    }
}

void SyncGroupDriver::on_transition(Instance& inst, const action::Notify& n) {
    // (Most instances are in no group: a mass failover must not reconcile per transition.)
    if (applying_ > 0 || rules_.group_of(inst.config().name) == nullptr) return;
    const auto followed = rules_.on_transition(inst.config().name, n, view(), !stopping_);
    apply(followed.commands);
    reconcile();
    if (!followed.notify) return;
    const auto& note = *followed.notify;
    const auto g = groups_.find(note.group);
    if (g == groups_.end()) return;
    if (members_.notify_line) {
        // keepalived's four fields (a group's priority is 0 there), then the member that
        // moved the group and why.
        members_.notify_line(fmt::format("GROUP \"{}\" {} 0 \"{}\" \"{}\"", note.group, note.state,
                                         note.member, describe(note.reason)));
    }
    g->second.notify->notify(
        runner_, users_, g->second.config.notify, "GROUP", note.group, note.state,
        inst.machine().priority().value(),
        {"VIPD_TYPE=GROUP", "VIPD_GROUP=" + note.group, "VIPD_STATE=" + note.state,
         "VIPD_INSTANCE=" + note.member, "VIPD_REASON=" + describe(note.reason)});
}

void SyncGroupDriver::reconcile() {
    if (applying_ > 0 || stopping_) return;
    apply(rules_.reconcile(members_.names(), view()));
}

std::vector<Instance*> SyncGroupDriver::with_group(Instance& inst) const {
    std::vector<Instance*> out{&inst};
    for (const auto& name : rules_.peers_of(inst.config().name)) {
        if (auto* p = members_.find(name)) out.push_back(p);
    }
    return out;
}

std::size_t SyncGroupDriver::pending_notifications() const {
    std::size_t n = 0;
    for (const auto& [name, g] : groups_)
        n += g.notify->pending();
    for (const auto& q : retired_)
        n += q->pending();
    return n;
}

Duration SyncGroupDriver::longest_pending() const {
    Duration longest{};
    for (const auto& [name, g] : groups_) {
        longest = std::max(
            longest, static_cast<long>(g.notify->pending()) * Duration{g.config.notify.timeout});
    }
    return longest;
}

bool SyncGroupDriver::reap() {
    std::erase_if(retired_, [](const auto& q) { return q->pending() == 0; });
    return !retired_.empty();
}

}  // namespace vipd
