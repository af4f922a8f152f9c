// The VRRP router state machine of RFC 9568 §6 (and RFC 3768 §6 for VRRPv2), plus a Fault
// state for tracked links and mandatory trackers. Pure: it takes an event and the current
// time and returns the actions the driver must carry out. No syscalls, no clock reads.
//
// RFC 9568 renamed Master to Active (Active_Down_Interval, Active_Adver_Interval, ...); this
// code keeps the names users and keepalived know: Master, Master_Down_Interval.
#pragma once

#include <boost/container/static_vector.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "vipd/core/ip_address.hpp"
#include "vipd/core/types.hpp"

namespace vipd {

enum class State : std::uint8_t { Initialize, Backup, Master, Fault };
[[nodiscard]] std::string_view to_string(State s);
// The state as notifications name it (keepalived's): STOP for Initialize after a shutdown.
[[nodiscard]] std::string_view notified_name(State s);

enum class TimerId : std::uint8_t { MasterDown, Adver };
[[nodiscard]] std::string_view to_string(TimerId t);

// Independent reasons an instance can be in Fault; it leaves Fault when none is left.
enum class FaultSource : std::uint8_t {
    Link,       // interface missing, down, or without carrier
    Address,    // no usable source address on the interface
    Tracker,    // a weight-0 tracker failed
    Transport,  // no VRRP socket: deaf and mute, so claiming the VIPs would duplicate them
    SyncGroup,  // another member of the instance's sync group is in Fault
    Vip,        // a VIP could not be added: a master without its VIPs must not advertise
};
[[nodiscard]] std::string_view to_string(FaultSource f);

// The configuration the state machine needs (RFC 9568 §6.1). The priority here is the
// configured one; PriorityChanged moves the effective priority at run time.
struct InstanceParams {
    Version version = Version::V3;
    Vrid vrid{1};
    Priority priority{100};
    Centiseconds advert_interval{100};  // Advertisement_Interval
    bool preempt = true;                // Preempt_Mode
    Duration preempt_delay{0};          // keepalived's preempt_delay; 0 = preempt at once
    bool accept = true;                 // Accept_Mode
    IpAddress primary_address;          // tie-break (§6.4.3) and the advert source
    std::vector<IpAddress> addresses;   // IPvX_Addresses, one family
};

namespace event {
struct Startup {};
struct Shutdown {};
// A decoded advertisement that passed every receive check of §7.1 (the codec's and
// check_received()'s).
struct AdvertReceived {
    IpAddress src;
    Priority priority;
    Centiseconds max_adver_int;
};
struct MasterDownTimerExpired {};
struct AdverTimerExpired {};
struct FaultRaised {
    FaultSource source;
};
struct FaultCleared {
    FaultSource source;
};
// The effective priority moved (trackers, runtime override). 1..255.
struct PriorityChanged {
    Priority priority;
};
// Sync groups: another member became master, so this one follows at once (from Backup).
struct GroupMaster {};
// Another member lost the election: a master resigns (priority 0, so its peer member takes
// over after Skew_Time) and, like every backup of the group, stops preempting until a
// member becomes master again, or the group would flap back.
struct GroupBackup {};
// The instance left its sync group (reload): any hold on preemption ends. No transition.
struct GroupReleased {};
// Planned switchover without loss: a master advertises priority 0, as on shutdown, but
// keeps answering for its VIPs until another router advertises as master; only then does
// it step down (the VIPs go after kHandoverLinger), and it does not preempt its successor
// afterwards. If nobody takes over within handover_timeout() it goes on as master.
// Ignored unless Master (and never by the owner).
struct Handover {};
// Maintenance on: go (a master by handover) and stay Backup, still following the master
// so the instance is ready the moment maintenance ends; off: the normal election again.
struct Maintenance {
    bool on;
};
}  // namespace event

using Event =
    std::variant<event::Startup, event::Shutdown, event::AdvertReceived,
                 event::MasterDownTimerExpired, event::AdverTimerExpired, event::FaultRaised,
                 event::FaultCleared, event::PriorityChanged, event::GroupMaster,
                 event::GroupBackup, event::GroupReleased, event::Handover, event::Maintenance>;

// Why a transition happened; describe() turns it into the log text.
enum class ReasonKind : std::uint8_t {
    Startup,         // Initialize -> Backup
    AddressOwner,    // -> Master because priority is 255
    MasterDown,      // Backup -> Master: Master_Down_Timer fired
    MasterResigned,  // Backup -> Master after the master sent priority 0
    Preempt,         // Backup -> Master: preempting a lower-priority master
    HigherPriority,  // Master -> Backup
    TieBreak,        // Master -> Backup: equal priority, higher sender address
    Shutdown,        // -> Initialize
    FaultRaised,     // -> Fault
    FaultCleared,    // Fault -> Backup/Master
    SyncGroup,       // following another member of the sync group
    HandedOver,      // Master -> Backup: a planned handover found its successor (peer)
    Maintenance,     // Master -> Backup: maintenance, and nobody took over in time
};

struct Reason {
    ReasonKind kind = ReasonKind::Startup;
    IpAddress peer{};          // the other router, where one is involved
    Priority peer_priority{};  // its priority
    Duration elapsed{};        // MasterDown: time since the last accepted advert
    FaultSource fault = FaultSource::Link;
};
[[nodiscard]] std::string describe(const Reason& r);

// Things worth a log line that are not transitions.
enum class WarnKind : std::uint8_t {
    IntervalMismatch,     // v3: the master's interval differs from ours (learned anyway)
    LowerPriorityMaster,  // another master with lower priority: we re-assert (split brain)
    HandoverTimedOut,     // no other router took over within handover_timeout()
};

namespace action {
struct SendAdvert {
    Priority priority;
    Centiseconds max_adver_int;
    std::span<const IpAddress> addresses;
};
struct AddAddresses {
    std::span<const IpAddress> addresses;
    bool accept;  // Accept_Mode, or true for the address owner
};
struct RemoveAddresses {
    std::span<const IpAddress> addresses;
    // After a handover the VIPs stay this long after the successor's first advert, so
    // packets already on their way to us (and a successor that adds its VIPs after
    // advertising, as keepalived does) are still answered. Zero: at once.
    Duration linger{};
};
// Gratuitous ARP / unsolicited Neighbor Advertisement burst (§6.4.1 (4)-(7), §6.4.2 (14)-(18)).
struct AnnounceAddresses {
    std::span<const IpAddress> addresses;
};
struct ArmTimer {
    TimerId timer;
    TimePoint deadline;  // absolute
};
struct CancelTimer {
    TimerId timer;
};
struct Notify {
    State from;
    State to;
    Reason reason;
};
struct Warn {
    WarnKind kind;
    IpAddress peer;
    Priority peer_priority;
    Centiseconds interval;
};
}  // namespace action

using Action = std::variant<action::SendAdvert, action::AddAddresses, action::RemoveAddresses,
                            action::AnnounceAddresses, action::ArmTimer, action::CancelTimer,
                            action::Notify, action::Warn>;

// At most this many actions follow one event; a fixed-capacity vector keeps handle() free
// of heap allocation on the per-advert path (thousands of instances, 100 adverts/s each).
inline constexpr std::size_t kMaxActions = 10;

// How long a handed-over master keeps its VIPs after its successor's first advert: long
// enough for packets in flight and the successor's announcements, short enough that a
// client resolving the VIP meanwhile is unlikely to pick the old MAC.
inline constexpr Duration kHandoverLinger = std::chrono::milliseconds{30};
using Actions = boost::container::static_vector<Action, kMaxActions>;

class StateMachine {
public:
    explicit StateMachine(InstanceParams params);

    // Spans in returned actions point into this object's parameters: valid until the next
    // call that changes them.
    [[nodiscard]] Actions handle(const Event& event, TimePoint now);

    // Reload: new parameters for the same instance (same VRID, family, interface). The
    // state is kept; a master advertises a changed priority or interval at once. The
    // effective priority becomes the new configured one. Adding and removing VIPs that
    // changed is the driver's (it holds both lists); the returned spans see the new ones.
    [[nodiscard]] Actions reconfigure(InstanceParams params, TimePoint now);

    // The interface's primary address appeared or changed (it is the tie-break and the
    // advert source). Takes effect from the next advert; no actions.
    void set_primary_address(const IpAddress& address) { params_.primary_address = address; }

    [[nodiscard]] State state() const { return state_; }
    [[nodiscard]] const InstanceParams& params() const { return params_; }
    [[nodiscard]] Priority priority() const { return priority_; }  // effective
    [[nodiscard]] Centiseconds master_adver_interval() const { return master_adver_interval_; }
    [[nodiscard]] Duration skew_time() const;             // §6.1
    [[nodiscard]] Duration master_down_interval() const;  // §6.1
    [[nodiscard]] std::optional<TimePoint> master_down_deadline() const { return master_down_at_; }
    [[nodiscard]] std::optional<TimePoint> adver_deadline() const { return adver_at_; }
    // The current master as far as this router knows (itself when Master).
    [[nodiscard]] std::optional<IpAddress> master_address() const { return master_; }
    [[nodiscard]] bool is_owner() const { return vipd::is_owner(priority_); }
    // Fault sources other than the sync group: what a group's other members follow.
    // A handover is under way (Master advertising priority 0, waiting for a successor).
    [[nodiscard]] bool handing_over() const { return handover_until_.has_value(); }
    [[nodiscard]] bool in_maintenance() const { return maintenance_; }
    // How long a handover waits for a successor: a backup takes over Skew_Time (less than
    // one interval) after our priority 0, so two intervals and a margin leave room for one
    // lost advert. A master with no backup at all waits this long on SIGTERM.
    [[nodiscard]] Duration handover_timeout() const;
    [[nodiscard]] bool has_own_fault() const {
        return (faults_ & ~(1U << static_cast<unsigned>(FaultSource::SyncGroup))) != 0;
    }

private:
    void on(const event::Startup&, TimePoint now, Actions& out);
    void on(const event::Shutdown&, TimePoint now, Actions& out);
    void on(const event::AdvertReceived&, TimePoint now, Actions& out);
    void on(const event::MasterDownTimerExpired&, TimePoint now, Actions& out);
    void on(const event::AdverTimerExpired&, TimePoint now, Actions& out);
    void on(const event::FaultRaised&, TimePoint now, Actions& out);
    void on(const event::FaultCleared&, TimePoint now, Actions& out);
    void on(const event::PriorityChanged&, TimePoint now, Actions& out);
    void on(const event::GroupMaster&, TimePoint now, Actions& out);
    void on(const event::GroupBackup&, TimePoint now, Actions& out);
    void on(const event::GroupReleased&, TimePoint now, Actions& out);
    void on(const event::Handover&, TimePoint now, Actions& out);
    void on(const event::Maintenance&, TimePoint now, Actions& out);

    void advert_in_backup(const event::AdvertReceived& ev, TimePoint now, Actions& out);
    void advert_in_master(const event::AdvertReceived& ev, TimePoint now, Actions& out);
    void leave_initialize(TimePoint now, Reason reason, Actions& out);
    void become_master(TimePoint now, Reason reason, Actions& out);
    void become_backup(TimePoint now, Reason reason, Actions& out);
    void become_fault(FaultSource source, Actions& out);
    void resign(TimePoint now, Reason reason, Actions& out);
    [[nodiscard]] bool may_answer(TimePoint now);
    void yield_to(const event::AdvertReceived& ev, TimePoint now, Duration linger,
                  const Reason& reason, Actions& out);
    void begin_handover(TimePoint now, Actions& out);
    void become_initialize(Actions& out);
    void transition(State to, const Reason& reason, Actions& out);
    void arm(TimerId timer, TimePoint deadline, Actions& out);
    void cancel(TimerId timer, Actions& out);
    void send_advert(Priority priority, Actions& out);
    void learn_interval(Centiseconds interval);

    InstanceParams params_;
    State state_ = State::Initialize;
    Priority priority_;
    Centiseconds master_adver_interval_;
    std::optional<TimePoint> master_down_at_;
    std::optional<TimePoint> adver_at_;
    std::optional<IpAddress> master_;
    bool started_ = false;
    std::uint8_t faults_ = 0;  // bit per FaultSource
    // Backup bookkeeping for reasons and preempt_delay.
    TimePoint last_accepted_{};
    bool master_resigned_ = false;
    std::optional<TimePoint> preempt_at_;  // when a seen lower-priority master may be preempted
    std::optional<std::pair<IpAddress, Priority>> lower_master_;
    std::optional<TimePoint> reasserted_at_;  // last re-announcement to a lower master
    std::optional<TimePoint> answered_at_;    // last advert sent in answer to one (may_answer)
    bool group_hold_ = false;  // GroupBackup: no preemption until the group has a master
    Centiseconds warned_interval_{0};
    std::optional<TimePoint> handover_until_;  // set while handing over
    bool maintenance_ = false;
    // Handed over: the successor is not preempted (even with a lower priority), or the
    // planned switchover would undo itself one Master_Down_Interval later. Ends when this
    // router becomes master again, or restarts.
    bool handover_hold_ = false;
};

}  // namespace vipd
