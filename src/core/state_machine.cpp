// RFC 9568 §6.4 transcribed rule by rule; the numbers in comments are the RFC's step numbers
// within each state's section. RFC 3768 §6.4 is the same machine for VRRPv2 except where noted.
#include "vipd/core/state_machine.hpp"

#include <fmt/format.h>

#include <array>
#include <chrono>

namespace vipd {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

constexpr std::array kFaultSources{FaultSource::Link,      FaultSource::Address,
                                   FaultSource::Tracker,   FaultSource::Transport,
                                   FaultSource::SyncGroup, FaultSource::Vip};

std::uint8_t bit(FaultSource s) {
    return static_cast<std::uint8_t>(1U << static_cast<unsigned>(s));
}

// The first active source, to name in the reason.
FaultSource first_fault(std::uint8_t faults) {
    for (const auto s : kFaultSources) {
        if ((faults & bit(s)) != 0) return s;
    }
    return FaultSource::Link;
}

}  // namespace

std::string_view to_string(State s) {
    switch (s) {
        case State::Initialize:
            return "INIT";
        case State::Backup:
            return "BACKUP";
        case State::Master:
            return "MASTER";
        case State::Fault:
            return "FAULT";
    }
    return "?";
}

std::string_view notified_name(State s) {
    return s == State::Initialize ? "STOP" : to_string(s);
}

std::string_view to_string(TimerId t) {
    switch (t) {
        case TimerId::MasterDown:
            return "master_down";
        case TimerId::Adver:
            return "adver";
    }
    return "?";
}

std::string_view to_string(FaultSource f) {
    switch (f) {
        case FaultSource::Link:
            return "link down";
        case FaultSource::Address:
            return "interface has no usable address";
        case FaultSource::Tracker:
            return "tracker failed";
        case FaultSource::Transport:
            return "no VRRP socket on the interface";
        case FaultSource::SyncGroup:
            return "another member of the sync group is in fault";
        case FaultSource::Vip:
            return "a VIP could not be added";
    }
    return "?";
}

std::string describe(const Reason& r) {
    switch (r.kind) {
        case ReasonKind::Startup:
            return "startup";
        case ReasonKind::AddressOwner:
            return "address owner (priority 255)";
        case ReasonKind::MasterDown:
            return fmt::format("master down: no advert for {} ms",
                               duration_cast<milliseconds>(r.elapsed).count());
        case ReasonKind::MasterResigned:
            return fmt::format("master {} resigned (priority 0)", r.peer.to_string());
        case ReasonKind::Preempt:
            return fmt::format("preempting {} with lower priority {}", r.peer.to_string(),
                               r.peer_priority.value());
        case ReasonKind::HigherPriority:
            return fmt::format("advert from {} with higher priority {}", r.peer.to_string(),
                               r.peer_priority.value());
        case ReasonKind::TieBreak:
            return fmt::format("advert from {} with equal priority {} and higher address",
                               r.peer.to_string(), r.peer_priority.value());
        case ReasonKind::Shutdown:
            return "shutdown";
        case ReasonKind::FaultRaised:
            return fmt::format("fault: {}", to_string(r.fault));
        case ReasonKind::FaultCleared:
            return "fault cleared";
        case ReasonKind::SyncGroup:
            return "sync group";
        case ReasonKind::HandedOver:
            return fmt::format("handed over to {} (priority {})", r.peer.to_string(),
                               r.peer_priority.value());
        case ReasonKind::Maintenance:
            return "maintenance (no other router took over; VIPs released)";
    }
    return "?";
}

StateMachine::StateMachine(InstanceParams params)
    : params_(std::move(params)),
      priority_(params_.priority),
      master_adver_interval_(params_.advert_interval) {}

Actions StateMachine::handle(const Event& event, TimePoint now) {
    Actions out;
    std::visit([&](const auto& ev) { on(ev, now, out); }, event);
    return out;
}

Actions StateMachine::reconfigure(InstanceParams params, TimePoint now) {
    Actions out;
    const bool interval_changed = params.advert_interval != params_.advert_interval;
    const Priority new_priority = params.priority;
    params_ = std::move(params);
    // A backup keeps the interval it learned from the master (VRRPv3); everywhere else
    // Master_Adver_Interval follows the configured one (§6.4.1 (11)).
    if (params_.version == Version::V2 || state_ != State::Backup) {
        master_adver_interval_ = params_.advert_interval;
    }
    if (new_priority != priority_) {
        on(event::PriorityChanged{new_priority}, now, out);
    } else if (interval_changed && state_ == State::Master && !handover_until_) {
        // Backups learn the new interval from the next advert: send it now.
        send_advert(priority_, out);
        arm(TimerId::Adver, now + Duration{params_.advert_interval}, out);
    }
    return out;
}

// §6.1 Skew_Time. VRRPv3: ((256 - Priority) * Master_Adver_Interval) / 256.
// VRRPv2 (RFC 3768 §6.1): (256 - Priority) / 256 seconds, independent of the interval.
// Computed in nanoseconds rather than centiseconds so no precision is lost.
Duration StateMachine::skew_time() const {
    const auto weight = 256 - static_cast<std::int64_t>(priority_.value());
    const Duration base = params_.version == Version::V3 ? Duration{master_adver_interval_}
                                                         : Duration{std::chrono::seconds{1}};
    return Duration{weight * base.count() / 256};
}

Duration StateMachine::handover_timeout() const {
    return 2 * Duration{params_.advert_interval} + std::chrono::milliseconds{100};
}

// §6.1 Master_Down_Interval = (3 * Master_Adver_Interval) + Skew_Time.
Duration StateMachine::master_down_interval() const {
    return 3 * Duration{master_adver_interval_} + skew_time();
}

void StateMachine::on(const event::Startup&, TimePoint now, Actions& out) {
    // §6.4.1 (1): Startup is only meaningful in Initialize.
    if (state_ != State::Initialize) return;
    started_ = true;
    if (faults_ != 0) {
        transition(State::Fault,
                   Reason{.kind = ReasonKind::FaultRaised, .fault = first_fault(faults_)}, out);
        return;
    }
    leave_initialize(now, Reason{.kind = ReasonKind::Startup}, out);
}

void StateMachine::leave_initialize(TimePoint now, Reason reason, Actions& out) {
    handover_hold_ = false;
    if (is_owner() && !maintenance_) {
        // §6.4.1 (2)-(9): the address owner goes straight to Master.
        become_master(now, Reason{.kind = ReasonKind::AddressOwner}, out);
        return;
    }
    // §6.4.1 (11): Master_Adver_Interval starts as our own Advertisement_Interval.
    master_adver_interval_ = params_.advert_interval;
    become_backup(now, reason, out);
}

void StateMachine::on(const event::Shutdown&, TimePoint, Actions& out) {
    started_ = false;
    switch (state_) {
        case State::Initialize:
            return;
        case State::Backup:
            // §6.4.2 (9)-(11)
            cancel(TimerId::MasterDown, out);
            break;
        case State::Master:
            // §6.4.3 (10)-(13): stop advertising, then tell the backups with priority 0 so
            // the best of them takes over after Skew_Time rather than Master_Down_Interval.
            cancel(TimerId::Adver, out);
            send_advert(kPriorityStop, out);
            out.push_back(action::RemoveAddresses{params_.addresses});
            break;
        case State::Fault:
            break;
    }
    transition(State::Initialize, Reason{.kind = ReasonKind::Shutdown}, out);
    master_.reset();
}

void StateMachine::on(const event::AdvertReceived& ev, TimePoint now, Actions& out) {
    // Our own advertisement looped back: never let it drive the machine.
    if (ev.src == params_.primary_address) return;
    if (state_ != State::Backup && state_ != State::Master) return;  // not listening
    // (The receive rules of §7.1 were checked before: check_received().) VRRPv3 learns the
    // master's interval (§6.4.2 (26)); a difference from ours is only worth a log line.
    if (ev.max_adver_int != params_.advert_interval && ev.max_adver_int != warned_interval_) {
        warned_interval_ = ev.max_adver_int;
        out.push_back(
            action::Warn{WarnKind::IntervalMismatch, ev.src, ev.priority, ev.max_adver_int});
    }
    if (state_ == State::Backup) {
        advert_in_backup(ev, now, out);
    } else {
        advert_in_master(ev, now, out);
    }
}

void StateMachine::advert_in_backup(const event::AdvertReceived& ev, TimePoint now, Actions& out) {
    // §6.4.2 (22)-(23): the master resigned; take over after Skew_Time, so the backup with
    // the highest priority (shortest skew) wins without waiting Master_Down_Interval.
    if (ev.priority == kPriorityStop) {
        master_resigned_ = true;
        master_ = ev.src;
        arm(TimerId::MasterDown, now + skew_time(), out);
        return;
    }
    // §6.4.2 (25); a sync group member that stepped down with its group does not preempt.
    // Holds: a sync group stepped down, maintenance, or we handed over to this master.
    const bool preempting = params_.preempt && !group_hold_ && !maintenance_ && !handover_hold_ &&
                            ev.priority < priority_;
    bool accept = !preempting;
    if (!accept && params_.preempt_delay > Duration::zero()) {
        // preempt_delay (keepalived semantics): after first hearing a lower-priority master,
        // keep accepting its adverts for preempt_delay before preempting it.
        if (!preempt_at_) preempt_at_ = now + params_.preempt_delay;
        accept = now < *preempt_at_;
    }
    if (accept) {
        // §6.4.2 (26)-(29)
        learn_interval(ev.max_adver_int);
        master_ = ev.src;
        master_resigned_ = false;
        last_accepted_ = now;
        if (preempting) {
            lower_master_ = std::pair{ev.src, ev.priority};  // within preempt_delay
        } else {
            preempt_at_.reset();
            lower_master_.reset();
        }
        arm(TimerId::MasterDown, now + master_down_interval(), out);
        return;
    }
    // §6.4.2 (30)-(31): preempt: discard, and let the Master_Down_Timer run out.
    lower_master_ = std::pair{ev.src, ev.priority};
}

void StateMachine::advert_in_master(const event::AdvertReceived& ev, TimePoint now, Actions& out) {
    if (handover_until_) {
        // Another router resigning too is no successor; wait on.
        if (ev.priority == kPriorityStop) return;
        // We advertise priority 0, so any other master outranks us: our successor. Only
        // now do the VIPs go, so they were answered all along.
        yield_to(
            ev, now, kHandoverLinger,
            Reason{.kind = ReasonKind::HandedOver, .peer = ev.src, .peer_priority = ev.priority},
            out);
        handover_hold_ = true;
        return;
    }
    if (ev.priority == kPriorityStop) {
        // §6.4.3 (18)-(20): someone resigned; assert ourselves at once (once per interval:
        // see may_answer).
        if (may_answer(now)) {
            send_advert(priority_, out);
            arm(TimerId::Adver, now + Duration{params_.advert_interval}, out);
        }
        return;
    }
    // §6.4.3 (22): higher priority, or equal priority and higher primary address (unsigned
    // comparison in network byte order: IpAddress's ordering).
    const bool higher = ev.priority > priority_;
    const bool tie_lost = ev.priority == priority_ && ev.src > params_.primary_address;
    if (higher || tie_lost) {
        yield_to(ev, now, Duration::zero(),
                 Reason{.kind = higher ? ReasonKind::HigherPriority : ReasonKind::TieBreak,
                        .peer = ev.src,
                        .peer_priority = ev.priority},
                 out);
        return;
    }
    // §6.4.3 (29)-(30), changed by RFC 9568: send an advertisement immediately to assert
    // the Master state to the sender and update learning bridges. The sender thinks it is
    // master too (backups do not advertise), so this is a healing split brain: re-announce
    // the addresses as well, or clients keep the other router's MAC (see interop notes).
    out.push_back(
        action::Warn{WarnKind::LowerPriorityMaster, ev.src, ev.priority, ev.max_adver_int});
    if (may_answer(now)) send_advert(priority_, out);
    // Re-announce at most once per Master_Down_Interval: a peer that keeps claiming master
    // (one-way loss) must not turn every advert into a burst of announcements.
    if (!reasserted_at_ || now - *reasserted_at_ >= master_down_interval()) {
        reasserted_at_ = now;
        out.push_back(action::AnnounceAddresses{params_.addresses});
    }
}

// An advert answered at once (a lower priority, or 0) costs the sender one small packet and
// us a full one, maybe 255 addresses: answered every time, a stream of spoofed adverts is
// reflected and amplified. Once per advertisement interval asserts us just as well (the
// regular adverts go on regardless).
bool StateMachine::may_answer(TimePoint now) {
    if (answered_at_ && now - *answered_at_ < Duration{params_.advert_interval}) return false;
    answered_at_ = now;
    return true;
}

// §6.4.3 (23)-(28): Master -> Backup under the sender of `ev`, which we now follow.
void StateMachine::yield_to(const event::AdvertReceived& ev, TimePoint now, Duration linger,
                            const Reason& reason, Actions& out) {
    cancel(TimerId::Adver, out);
    out.push_back(action::RemoveAddresses{params_.addresses, linger});
    learn_interval(ev.max_adver_int);
    master_ = ev.src;
    last_accepted_ = now;
    master_resigned_ = false;
    preempt_at_.reset();
    lower_master_.reset();
    arm(TimerId::MasterDown, now + master_down_interval(), out);
    transition(State::Backup, reason, out);
}

void StateMachine::on(const event::MasterDownTimerExpired&, TimePoint now, Actions& out) {
    // A stale expiry (the timer was re-armed or cancelled after it was queued) is ignored:
    // only an expiry at or after the current deadline counts.
    if (state_ != State::Backup || !master_down_at_ || now < *master_down_at_) return;
    master_down_at_.reset();
    if (maintenance_) {
        // Stay Backup: keep waiting for (and following) whoever is master.
        master_.reset();
        master_resigned_ = false;
        arm(TimerId::MasterDown, now + master_down_interval(), out);
        return;
    }
    Reason reason{.kind = ReasonKind::MasterDown, .elapsed = now - last_accepted_};
    if (master_resigned_ && master_) {
        reason = Reason{.kind = ReasonKind::MasterResigned, .peer = *master_};
    } else if (lower_master_) {
        reason = Reason{.kind = ReasonKind::Preempt,
                        .peer = lower_master_->first,
                        .peer_priority = lower_master_->second};
    }
    // §6.4.2 (12)-(20)
    become_master(now, reason, out);
}

void StateMachine::on(const event::AdverTimerExpired&, TimePoint now, Actions& out) {
    if (state_ != State::Master || !adver_at_ || now < *adver_at_) return;  // stale
    if (handover_until_) {
        if (now < *handover_until_) {
            // Keep telling the backups: one of them may have missed the first priority 0.
            send_advert(kPriorityStop, out);
            arm(TimerId::Adver, std::min(now + Duration{params_.advert_interval}, *handover_until_),
                out);
            return;
        }
        handover_until_.reset();
        out.push_back(action::Warn{WarnKind::HandoverTimedOut, {}, {}, params_.advert_interval});
        if (maintenance_) {
            // Asked to step down: do it, as on shutdown (the backups already heard priority 0).
            resign(now, Reason{.kind = ReasonKind::Maintenance}, out);
            return;
        }
        // Nobody took over: go on as master, and say so with our real priority.
    }
    // §6.4.3 (14)-(16). The next deadline counts from the one that fired, not from `now`,
    // so a late wake-up does not accumulate drift over many intervals.
    send_advert(priority_, out);
    TimePoint next = *adver_at_ + Duration{params_.advert_interval};
    if (next <= now) next = now + Duration{params_.advert_interval};  // fell far behind
    arm(TimerId::Adver, next, out);
}

void StateMachine::on(const event::FaultRaised& ev, TimePoint, Actions& out) {
    const bool was_clear = faults_ == 0;
    faults_ = static_cast<std::uint8_t>(faults_ | bit(ev.source));
    if (!was_clear || !started_) return;  // already in Fault, or not running yet
    become_fault(ev.source, out);
}

void StateMachine::on(const event::FaultCleared& ev, TimePoint now, Actions& out) {
    faults_ = static_cast<std::uint8_t>(faults_ & ~bit(ev.source));
    if (faults_ != 0 || state_ != State::Fault) return;
    // Leaving Fault is a fresh start: the same rules as Startup (§6.4.1).
    leave_initialize(now, Reason{.kind = ReasonKind::FaultCleared}, out);
}

void StateMachine::on(const event::PriorityChanged& ev, TimePoint now, Actions& out) {
    // Priority 0 is reserved for "stop" (§5.2.4) and is never a router's priority.
    if (ev.priority == kPriorityStop || ev.priority == priority_) return;
    priority_ = ev.priority;
    switch (state_) {
        case State::Master:
            // Tell the backups now rather than at the next interval: a backup that now
            // outranks us with preempt takes over one Master_Down_Interval sooner. (While
            // handing over we advertise 0 whatever our priority.)
            if (handover_until_) break;
            send_advert(priority_, out);
            arm(TimerId::Adver, now + Duration{params_.advert_interval}, out);
            break;
        case State::Backup:
            // Becoming the address owner means Master (§6.4.1 (2)). Otherwise the new
            // priority shapes Skew_Time from the next advert on; a backup that now outranks a
            // preempt-able master stops accepting its adverts and takes over on expiry.
            if (is_owner() && !maintenance_) {
                become_master(now, Reason{.kind = ReasonKind::AddressOwner}, out);
            }
            break;
        case State::Initialize:
        case State::Fault:
            break;
    }
}

void StateMachine::on(const event::GroupMaster&, TimePoint now, Actions& out) {
    group_hold_ = false;
    if (state_ != State::Backup || maintenance_) return;
    become_master(now, Reason{.kind = ReasonKind::SyncGroup}, out);
}

void StateMachine::on(const event::GroupBackup&, TimePoint now, Actions& out) {
    group_hold_ = true;
    if (state_ != State::Master) return;
    // Resign as on shutdown, so the peer's member takes over after its Skew_Time.
    send_advert(kPriorityStop, out);
    resign(now, Reason{.kind = ReasonKind::SyncGroup}, out);
}

void StateMachine::on(const event::GroupReleased&, TimePoint, Actions&) {
    group_hold_ = false;
}

void StateMachine::on(const event::Handover&, TimePoint now, Actions& out) {
    if (state_ != State::Master || is_owner() || handover_until_) return;
    begin_handover(now, out);
}

void StateMachine::on(const event::Maintenance& ev, TimePoint now, Actions& out) {
    if (maintenance_ == ev.on) return;
    maintenance_ = ev.on;
    // Ending maintenance restores the configured behaviour, preemption included, even
    // towards the router we handed over to on the way in.
    if (!ev.on) handover_hold_ = false;
    // A master steps down by handover; a backup simply stops claiming (the
    // Master_Down_Timer keeps running so it keeps following the master). Ending maintenance
    // needs no action: the next expiry, or a preemptable advert, decides as usual.
    if (ev.on && state_ == State::Master && !handover_until_ && !is_owner()) {
        begin_handover(now, out);
    }
}

void StateMachine::begin_handover(TimePoint now, Actions& out) {
    // The backups hear priority 0 and the best of them takes over after its Skew_Time
    // (§6.4.2 (22)-(23)); unlike on shutdown, the VIPs stay until it has.
    handover_until_ = now + handover_timeout();
    send_advert(kPriorityStop, out);
    // The timer also marks the end of the wait, which is not a whole number of intervals.
    arm(TimerId::Adver, std::min(now + Duration{params_.advert_interval}, *handover_until_), out);
}

// Master -> Backup at once (a priority 0 advert, where due, was already sent).
void StateMachine::resign(TimePoint now, Reason reason, Actions& out) {
    cancel(TimerId::Adver, out);
    out.push_back(action::RemoveAddresses{params_.addresses});
    master_.reset();
    last_accepted_ = now;
    arm(TimerId::MasterDown, now + master_down_interval(), out);
    transition(State::Backup, reason, out);
}

void StateMachine::become_master(TimePoint now, Reason reason, Actions& out) {
    cancel(TimerId::MasterDown, out);
    // Addresses first so the host answers as soon as the announcements arrive.
    out.push_back(action::AddAddresses{params_.addresses, params_.accept || is_owner()});
    // §6.4.1 (3) / §6.4.2 (13)
    send_advert(priority_, out);
    // §6.4.1 (4)-(7) / §6.4.2 (14)-(18): gratuitous ARP or unsolicited NA.
    out.push_back(action::AnnounceAddresses{params_.addresses});
    // §6.4.1 (8) / §6.4.2 (19)
    arm(TimerId::Adver, now + Duration{params_.advert_interval}, out);
    master_ = params_.primary_address;
    master_resigned_ = false;
    preempt_at_.reset();
    lower_master_.reset();
    reasserted_at_.reset();
    answered_at_.reset();
    group_hold_ = false;
    handover_hold_ = false;
    transition(State::Master, reason, out);
}

void StateMachine::become_backup(TimePoint now, Reason reason, Actions& out) {
    // §6.4.1 (12)
    last_accepted_ = now;
    master_.reset();
    master_resigned_ = false;
    preempt_at_.reset();
    lower_master_.reset();
    arm(TimerId::MasterDown, now + master_down_interval(), out);
    transition(State::Backup, reason, out);
}

void StateMachine::become_fault(FaultSource source, Actions& out) {
    switch (state_) {
        case State::Master:
            // Resign as on shutdown, so a backup takes over after Skew_Time (the send may
            // fail if the link is down; then Master_Down_Interval applies).
            cancel(TimerId::Adver, out);
            send_advert(kPriorityStop, out);
            out.push_back(action::RemoveAddresses{params_.addresses});
            break;
        case State::Backup:
            cancel(TimerId::MasterDown, out);
            break;
        case State::Initialize:
        case State::Fault:
            break;
    }
    master_.reset();
    transition(State::Fault, Reason{.kind = ReasonKind::FaultRaised, .fault = source}, out);
}

void StateMachine::transition(State to, const Reason& reason, Actions& out) {
    const State from = state_;
    state_ = to;
    handover_until_.reset();  // a handover ends with any transition, successful or not
    out.push_back(action::Notify{from, to, reason});
}

void StateMachine::arm(TimerId timer, TimePoint deadline, Actions& out) {
    (timer == TimerId::MasterDown ? master_down_at_ : adver_at_) = deadline;
    out.push_back(action::ArmTimer{timer, deadline});
}

void StateMachine::cancel(TimerId timer, Actions& out) {
    auto& at = timer == TimerId::MasterDown ? master_down_at_ : adver_at_;
    if (!at) return;
    at.reset();
    out.push_back(action::CancelTimer{timer});
}

void StateMachine::send_advert(Priority priority, Actions& out) {
    out.push_back(action::SendAdvert{priority, params_.advert_interval, params_.addresses});
}

void StateMachine::learn_interval(Centiseconds interval) {
    // §6.4.2 (26)-(28) / §6.4.3 (24)-(26): VRRPv3 learns the master's interval. VRRPv2
    // keeps its configured one (mismatches were discarded before we get here).
    if (params_.version == Version::V3) master_adver_interval_ = interval;
}

}  // namespace vipd
