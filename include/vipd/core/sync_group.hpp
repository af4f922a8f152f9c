// Sync groups (keepalived's vrrp_sync_group): instances that change state together, e.g. a
// router's outside and inside addresses. Pure: a member's transition in, events for the
// other members and the group's own notification out. The driver applies the events; the
// transitions they cause are the group's echoes and are not fed back in.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "vipd/core/state_machine.hpp"

namespace vipd {

struct SyncGroupMembers {
    std::string name;
    std::vector<std::string> members;  // instance names, at least two
};

class SyncGroups {
public:
    // What the rules ask about a member, by name.
    struct View {
        std::function<bool(const std::string&)> own_fault;  // a fault of its own (not the group's)
        std::function<bool(const std::string&)> handing_over;  // its own handover is under way
    };
    // An event for a member (GroupMaster, GroupBackup, FaultRaised/FaultCleared{SyncGroup},
    // GroupReleased).
    struct Command {
        std::string member;
        Event event;
    };
    // The group changed state: its notify commands run once, with the member that moved it.
    struct Notification {
        std::string group;
        std::string state;  // MASTER, BACKUP, FAULT, STOP
        std::string member;
        Reason reason;
    };
    struct Followed {
        std::vector<Command> commands;
        std::optional<Notification> notify;
    };

    // The groups (at start and on reload). A group that keeps its name keeps its last
    // notified state, so a reload does not notify again.
    void configure(std::vector<SyncGroupMembers> groups);

    // The group `member` belongs to, if any.
    [[nodiscard]] const std::string* group_of(const std::string& member) const;
    // The other members of `member`'s group (none outside a group).
    [[nodiscard]] std::vector<std::string> peers_of(const std::string& member) const;

    // A member's own transition. When a member becomes master (other than by following its
    // group), the others become master at once; when a master loses the election (Master
    // -> Backup, not following), the other masters resign with priority 0 and every member
    // stops preempting until the group has a master again (a member handing over follows
    // when its own successor appears). With `follow` false (shutting down: every member
    // stops on its own) only the notification is worked out.
    [[nodiscard]] Followed on_transition(const std::string& member, const action::Notify& n,
                                         const View& view, bool follow = true);

    // Fault holds, from scratch: a member is held in FAULT exactly while another member of
    // its group has a fault of its own; an instance outside any group gets no hold and is
    // released from any earlier group's hold on preemption. One command or two per name.
    [[nodiscard]] std::vector<Command> reconcile(std::span<const std::string> instances,
                                                 const View& view) const;

private:
    struct Group {
        std::vector<std::string> members;
        std::string state;  // last notified; empty: none yet
    };
    std::map<std::string, Group> groups_;          // by group name
    std::map<std::string, std::string> group_of_;  // member -> group name
};

}  // namespace vipd
