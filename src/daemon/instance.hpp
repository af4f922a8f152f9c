// One VRRP instance at run time: feeds events into its StateMachine and carries out the
// actions it returns (timers on the event loop, adverts on the shared socket, VIPs through
// netlink, announcements). Everything OS-facing goes through small interfaces so this class
// is unit-tested with fakes.
#pragma once

#include <spdlog/logger.h>
#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "advert_auth.hpp"
#include "announce_schedule.hpp"
#include "baseline.hpp"
#include "notify_queue.hpp"
#include "rate_limiter.hpp"
#include "timer_queue.hpp"
#include "vipd/config/config.hpp"
#include "vipd/core/state_machine.hpp"
#include "vipd/core/tracking.hpp"
#include "vipd/daemon/status.hpp"
#include "vipd/os/announcer.hpp"
#include "vipd/os/clock.hpp"
#include "vipd/os/netlink.hpp"
#include "vipd/os/packet_filter.hpp"
#include "vipd/os/process.hpp"
#include "vipd/os/vrrp_socket.hpp"

namespace vipd {

// Adverts leave at the start of their 10 ms slot (a centisecond: every advert interval is
// a whole number of them), so that many masters share a wake-up.
inline constexpr Duration kAdvertGrain = std::chrono::milliseconds{10};
// The slot start at or before t.
[[nodiscard]] constexpr TimePoint on_advert_grid(TimePoint t) {
    return round_down(t, kAdvertGrain);
}

struct InstanceCounters {
    std::uint64_t adverts_sent = 0;
    std::uint64_t adverts_received = 0;  // accepted by the receive checks
    std::uint64_t send_errors = 0;
    std::uint64_t transitions = 0;
    std::uint64_t became_master = 0;
    std::uint64_t announcements = 0;
    std::uint64_t address_errors = 0;
    std::uint64_t addresses_restored = 0;  // VIPs someone deleted while we were master
    std::uint64_t filter_errors = 0;       // accept = false: nftables refused a change
    std::uint64_t route_errors = 0;        // virtual routes and rules the kernel refused
    std::uint64_t routes_restored = 0;     // ...put back after someone deleted them
    std::array<std::uint64_t, kDropReasonCount> drops{};
};
// What was counted since `base` (Baseline's stats --clear).
[[nodiscard]] InstanceCounters counted_since(const InstanceCounters& total,
                                             const InstanceCounters& base);

// Identity: what must stay the same for a reload to keep the instance (and its state).
struct InstanceKey {
    std::string name;
    std::string interface;
    Vrid vrid;
    Family family;
    auto operator<=>(const InstanceKey&) const = default;
};
InstanceKey key_of(const config::InstanceConfig& c);

class Instance : private TimerQueue::Client, private AnnounceSchedule::Owner {
public:
    struct Env {
        os::TimeSource& time;  // the instance reads no clock and sets no timer of its own
        TimerQueue& timers;    // the protocol timers (all instances share one wake-up)
        os::AddressManager& addresses;
        os::Announcer& announcer;
        std::shared_ptr<spdlog::logger> log;
        // Lines about received packets: one budget for every instance and socket (the
        // daemon's); null = the instance's own.
        RateLimiter* input_log = nullptr;
        os::ScriptRunner* scripts = nullptr;  // notify scripts; null = none run
        // Accept_Mode false: traffic to the VIPs of a master is dropped here; null = none.
        os::PacketFilter* filter = nullptr;
        // virtual_routes and virtual_rules; null = none installed.
        os::RouteManager* routes = nullptr;
        const UserTable* users = nullptr;  // who they run as; null = root only
        // One line per transition for notify_fifo; empty = none.
        std::function<void(const std::string&)> notify_line;
        // Every transition, after it is logged (sync groups follow it).
        std::function<void(Instance&, const action::Notify&)> on_transition;
        // Called before a Master_Down_Timer expiry is acted on: reads every advert already
        // waiting in the sockets (the daemon may read them in batches, a little late).
        std::function<void()> drain_received;
        // A handover, and the lingering of its VIPs after it, is over (handing_over() has
        // just turned false): whoever waits for it looks again, instead of polling.
        std::function<void()> handover_over;
    };

    Instance(Env env, config::InstanceConfig config);
    ~Instance() override;
    Instance(const Instance&) = delete;
    Instance& operator=(const Instance&) = delete;

    [[nodiscard]] const config::InstanceConfig& config() const { return config_; }
    [[nodiscard]] const StateMachine& machine() const { return sm_; }
    [[nodiscard]] State state() const { return sm_.state(); }
    [[nodiscard]] const InstanceCounters& counters() const { return counters_; }
    [[nodiscard]] const std::string& prefix() const { return prefix_; }
    // The address owner (configured priority 255): its VIPs are its own addresses.
    [[nodiscard]] bool is_owner() const { return vipd::is_owner(config_.priority); }

    // The socket adverts go out on. Null (interface missing, or the socket could not be
    // opened) is a Fault: an instance that can neither hear nor be heard must not claim.
    void set_transport(os::AdvertTransport* transport);
    // The interface appeared, changed, or vanished (null): link state, primary address
    // and MAC are re-read; a down link or no usable address means Fault.
    void update_interface(const os::InterfaceInfo* info);
    // Removes VIPs of ours left on the interface (by a crash), unless we own them.
    void release_stale_addresses(const os::InterfaceInfo& info);
    // An address vanished from our interface: a VIP deleted while we are master comes back.
    void address_removed(const IpAddress& address);
    // Netlink lost events and re-read the interface: a master restores any VIP it lacks
    // (its removal may be among what was lost).
    void restore_missing(const os::InterfaceInfo& info);
    // Routes or rules were deleted (by anyone): a master puts back those of its own that are
    // gone.
    void restore_routes();

    void start();
    // Stops (a master resigns with priority 0); VIPs still lingering after a handover go now.
    void stop();

    // Planned handover (vipctl handover, SIGTERM with graceful_handover). `done` runs once:
    // with ok and the successor's address when another router took over (and, with `to`,
    // it was that router), or with the reason it did not. Returns an error instead of
    // starting when the instance can't hand over (not master, owner, one under way).
    struct HandoverResult {
        bool ok = false;
        std::string message;
        std::optional<IpAddress> successor;
    };
    using HandoverDone = std::function<void(const HandoverResult&)>;
    [[nodiscard]] std::optional<std::string> handover(std::optional<IpAddress> to,
                                                      HandoverDone done);
    // A handover running, or VIPs lingering after one: shutdown waits for both.
    [[nodiscard]] bool handing_over() const { return sm_.handing_over() || !lingering_.empty(); }
    // Maintenance on: a master hands over first (`done` when it has or could not, also when
    // a handover was already under way); a backup just stays one. Off, or not master:
    // `done` is not kept.
    [[nodiscard]] std::optional<std::string> set_maintenance(bool on, HandoverDone done);
    [[nodiscard]] bool in_maintenance() const { return sm_.in_maintenance(); }
    // Runtime priority (vipctl set-priority): replaces the configured base priority, the
    // trackers still apply on top. nullopt ends it; a reload ends it too.
    [[nodiscard]] std::optional<std::string> set_priority_override(std::optional<Priority> p);
    [[nodiscard]] std::optional<Priority> priority_override() const { return priority_override_; }
    // vipctl stats: the counts since the last stats --clear (the metrics keep the totals).
    [[nodiscard]] InstanceCounters stats_counters() const { return stats_base_.since(counters_); }
    void clear_stats() { stats_base_.clear(counters_); }
    // An event decided outside this instance (sync groups): GroupMaster, GroupBackup,
    // FaultRaised/FaultCleared{SyncGroup}.
    void group_event(const Event& event) { dispatch(event); }
    // Reload with the same identity: parameters apply live, VIPs are not flapped.
    // `info`: the interface as it is now (the advert source is chosen again).
    void reconfigure(config::InstanceConfig config, const os::InterfaceInfo* info);

    // The trackers' current results (scripts, interfaces, files, in config order): the
    // effective priority and the tracker Fault follow from them (core/tracking).
    void set_tracker_inputs(std::vector<TrackerInput> inputs);
    [[nodiscard]] const TrackedPriority& tracked() const { return tracked_; }
    // Notifications queued or running; shutdown waits for them to finish.
    [[nodiscard]] std::size_t pending_notifications() const { return notify_.pending(); }

    // A decoded advert for our VRID on our interface: policy checks, then the machine.
    void receive(const proto::Advert& advert, const proto::RxMeta& meta);
    // Starts loading what receive() reads (a hint; no memory is read here).
    void prefetch() const {
        const auto* cfg = reinterpret_cast<const char*>(&config_);
        const auto* sm = reinterpret_cast<const char*>(&sm_);
        __builtin_prefetch(cfg);
        __builtin_prefetch(cfg + 64);
        __builtin_prefetch(sm);
        __builtin_prefetch(sm + 64);
        __builtin_prefetch(sm + 128);
        __builtin_prefetch(&counters_);
        __builtin_prefetch(&auth_data_);
    }

    [[nodiscard]] InstanceStatus status(TimePoint now) const;

private:
    void dispatch(const Event& event);
    void dispatch(const Event& event, TimePoint now);
    void execute(const Actions& actions);
    void send_advert(const action::SendAdvert& a);
    [[nodiscard]] std::span<const std::uint8_t> encoded_advert(const action::SendAdvert& a,
                                                               const IpAddress& dst);
    // False when one could not be added (logged and counted): call vip_add_failed().
    [[nodiscard]] bool add_addresses(std::span<const IpAddress> addresses);
    // A master that cannot hold its VIPs must not advertise: Fault, and a fresh start after
    // a backoff (1 s, doubling to 60 s; back to 1 s once the VIPs are added).
    void vip_add_failed();
    void remove_addresses(std::span<const IpAddress> addresses);
    // The alarm in `slot`, made with `fire` the first time.
    os::Alarm& alarm(std::unique_ptr<os::Alarm>& slot, std::function<void()> fire);
    [[nodiscard]] bool announcing() const override { return sm_.state() == State::Master; }
    void announce_round() override;
    void arm_timer(TimerId id, TimePoint deadline);
    void cancel_timer(TimerId id);
    // `report`: notifications and the sync group hear of it too.
    void log_transition(const action::Notify& n, bool report = true);
    void queue_notifications(const action::Notify& n);
    void apply_tracking();
    void log_warn(const action::Warn& w);
    void finish_handover(HandoverResult result);
    // Calls env_.handover_over when handing_over() turned false since the last call.
    void report_handover_end();
    void release_lingering_now();
    // Accept_Mode (RFC 9568 §6.4.3): traffic to `addresses` is refused from now on, and to
    // no other address this instance refused before (empty: accept everything again).
    void refuse_traffic(std::span<const IpAddress> addresses);
    // virtual_routes and virtual_rules of `c`: in after the VIPs, out before them.
    // `restoring`: they were there; what had to be added again is counted and logged.
    void install_routes(const config::InstanceConfig& c, bool restoring = false);
    // Removes what install_routes put in (the record, not a configuration: a reload may have
    // replaced the configuration since); `keep`: the entries of this configuration stay.
    void remove_routes(const config::InstanceConfig* keep = nullptr);
    // A route or rule that could not be added: logged and counted once per distinct error,
    // not on every retry (restores run on each link and route change).
    void route_failed(const std::string& what, std::error_code ec);
    // What a master refuses now: its VIPs unless it accepts (accept = true, or the owner).
    [[nodiscard]] std::span<const IpAddress> refused_when_master() const;
    void release_later(std::span<const IpAddress> addresses, Duration linger);
    void release_lingering();
    void count_drop(DropReason e, const IpAddress& from);
    [[nodiscard]] std::uint8_t prefix_len_of(const IpAddress& a) const;
    [[nodiscard]] proto::ChecksumVariant send_variant() const;
    [[nodiscard]] static InstanceParams params_for(const config::InstanceConfig& c,
                                                   const IpAddress& source);

    Env env_;
    config::InstanceConfig config_;
    std::string prefix_;  // "[web vrid 51 v4]"
    std::vector<IpAddress> vips_;
    StateMachine sm_;
    os::AdvertTransport* transport_ = nullptr;
    struct Link {
        int ifindex = 0;
        proto::MacAddress mac{};
    };
    std::optional<Link> iface_;  // the interface, while it exists
    IpAddress source_;
    std::optional<proto::ChecksumVariant> heard_variant_;  // checksum = auto learns this
    // Each peer's variant as last heard (at most kMaxPeerVariants, the oldest forgotten):
    // the variant changes only when all of them agree, so one advert from a new source
    // cannot flip what a master sends (issue 13).
    static constexpr std::size_t kMaxPeerVariants = 32;
    std::vector<std::pair<IpAddress, proto::ChecksumVariant>> peer_variants_;
    bool variants_disagree_ = false;  // logged once per disagreement
    void learn_variant(const IpAddress& from, proto::ChecksumVariant v);
    InstanceCounters counters_;
    Baseline<InstanceCounters> stats_base_;
    // The machine's two timers, in the daemon's queue (tag: the TimerId).
    void timer_fired(int tag) override;
    [[nodiscard]] TimerQueue::Id queue_id(TimerId id) const {
        return id == TimerId::MasterDown ? master_down_timer_ : adver_timer_;
    }
    TimerQueue::Id master_down_timer_;
    TimerQueue::Id adver_timer_;
    AnnounceSchedule announce_{env_.time, config_.announce, *this};
    TimePoint state_since_{};
    std::optional<Reason> last_reason_;
    RateLimiter drop_log_{1.0, 5.0};       // this instance's own errors (send, announce)
    RateLimiter own_input_log_{1.0, 5.0};  // when the daemon gives no shared budget
    RateLimiter restore_log_{0.1, 1.0};    // "VIP removed while master": one line per 10 s
    [[nodiscard]] RateLimiter& input_log() {
        return env_.input_log != nullptr ? *env_.input_log : own_input_log_;
    }
    std::vector<TrackerInput> tracker_inputs_;
    TrackedPriority tracked_{};
    NotifyQueue notify_;
    std::optional<Priority> priority_override_;
    HandoverDone handover_done_;
    std::optional<IpAddress> handover_to_;
    std::unique_ptr<os::Alarm> release_alarm_;
    std::unique_ptr<os::Alarm> vip_retry_alarm_;  // ends a FaultSource::Vip
    Duration vip_backoff_{};                      // zero: the last add succeeded
    bool vip_fault_ = false;                      // FaultSource::Vip raised, alarm armed
    // Master by the machine, but a VIP could not be added, until the Fault that follows:
    // nothing is sent for the VIPs (adverts but priority 0, announcements), and becoming
    // master is logged but not reported (notify, FIFO, sync group), so nobody follows it.
    bool vips_missing_ = false;
    std::vector<config::VipAddress> lingering_;  // handed over; go when release_alarm_ fires
    std::vector<IpAddress> refused_;             // what env_.filter blocks for us
    bool routes_in_ = false;                     // virtual routes and rules wanted (master)
    std::vector<Route> routes_held_;             // ...of those, what vipd added or adopted
    std::vector<RoutingRule> rules_held_;
    struct RouteFailure {
        std::error_code ec;  // the last error
        TimePoint tried{};   // the last attempt
    };
    std::map<std::string, RouteFailure> route_failures_;  // what failed to be added
    // How often a route another owner's entry blocks is tried again on restores.
    static constexpr Duration kBlockedRetry = std::chrono::seconds{10};
    bool was_handing_over_ = false;  // as report_handover_end() last saw it
    AuthData auth_data_;             // from config_.password: sent and checked on every advert
    // The last advert encoded and what it was encoded for (the configuration's part -
    // addresses, version, authentication - changes only by reconfigure, which drops it).
    struct AdvertKey {
        Priority priority;
        Centiseconds interval;
        proto::ChecksumVariant variant;
        IpAddress src;
        IpAddress dst;
        bool operator==(const AdvertKey&) const = default;
    };
    std::optional<AdvertKey> advert_key_;
    std::vector<std::uint8_t> advert_bytes_;
    std::unique_ptr<AdvertAuth> hmac_;        // auth_hmac; null: adverts unsigned
    std::vector<std::uint8_t> signed_bytes_;  // the advert with its trailer, as last sent
};

}  // namespace vipd
